"""The JSON API: ``/api/users`` (paginated, ``?q=`` search), ``/api/users/<id>``, ``POST
/api/users``; Onyx errors answer as JSON (``ONYX_JSON_ERRORS``).

Exempt from CSRF tokens: ``POST`` takes ``application/json`` only (415 otherwise), a content
type no cross-site form can send (a script would need the CORS preflight this app never grants).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from onyx_database import asc, contains_ignore_case

from . import onyx
from .people import EMAIL

bp = Blueprint("api", __name__)


@bp.get("/users")
def users() -> dict[str, Any]:
    query = onyx.db.from_table("User").order_by(asc("username"))
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(contains_ignore_case("username", search))
    page = onyx.paginate(query)
    return {
        "items": page.items,
        "page": page.page,
        "pages": page.pages,
        "total": page.total,
        "next": page.next_num,
        "prev": page.prev_num,
    }


@bp.get("/users/<user_id>")
def user(user_id: str) -> Any:
    return onyx.get_or_404("User", user_id, description=f"No member {user_id}.")


@bp.post("/users")
def create_user() -> tuple[Any, int]:
    if not request.is_json:
        abort(415, description="send the member as application/json")
    body = request.get_json(silent=True) or {}
    if not body.get("username") or not EMAIL.match(str(body.get("email", ""))):
        abort(400, description="username and a valid email are required")
    from .audit import now, record

    stamp = now()
    created = onyx.db.create(
        "User",
        {
            "id": body.get("id") or f"user-{body['username']}",
            "username": body["username"],
            "email": body["email"],
            "isActive": bool(body.get("isActive", True)),
            "createdAt": stamp,
            "updatedAt": stamp,
        },
    )
    record("CREATE", created)
    return created, 201
