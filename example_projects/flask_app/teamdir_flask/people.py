"""The HTML pages: list (search, filter, ``paginate``), detail (``get_or_404`` with resolvers),
create and edit with a validated form, delete."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from onyx_database import asc, contains_ignore_case, desc, eq

from . import audit, onyx

bp = Blueprint("people", __name__)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@bp.get("/")
def index() -> str:
    query = onyx.db.from_table("User").order_by(asc("username"))
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(
            contains_ignore_case("username", search) | contains_ignore_case("email", search)
        )
    active = request.args.get("active", "")
    if active in ("yes", "no"):
        query = query.and_(eq("isActive", active == "yes"))
    page = onyx.paginate(query, per_page=10)
    return render_template("index.html", page=page, q=search, active=active)


@bp.get("/people/<user_id>")
def detail(user_id: str) -> str:
    query = onyx.db.from_table("User").where(eq("id", user_id)).resolve("profile", "roles")
    user = onyx.first_or_404(query, description=f"No member {user_id}.")
    history = (
        onyx.db.from_table("AuditLog")
        .where(eq("targetId", user_id))
        .order_by(desc("dateTime"))
        .limit(10)
        .list()
    )
    return render_template("detail.html", user=user, history=history)


def _validate(form: dict[str, str], user_id: str | None) -> dict[str, str]:
    errors = {}
    username = form.get("username", "").strip()
    if not username:
        errors["username"] = "This field is required."
    else:
        taken = onyx.db.from_table("User").where(eq("username", username)).first_or_none()
        if taken is not None and taken["id"] != user_id:
            errors["username"] = "This username is taken."
    if not EMAIL.match(form.get("email", "")):
        errors["email"] = "Enter a valid email address."
    return errors


@bp.route("/people/new", methods=["GET", "POST"])
def create() -> str | Response:
    form: dict[str, Any] = {"isActive": True}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {**request.form, "isActive": "isActive" in request.form}
        errors = _validate(form, None)
        if not errors:
            stamp = audit.now()
            user = onyx.db.create(
                "User",
                {
                    "id": f"user-{uuid.uuid4().hex[:10]}",
                    "username": form["username"].strip(),
                    "email": form["email"],
                    "isActive": form["isActive"],
                    "createdAt": stamp,
                    "updatedAt": stamp,
                },
            )
            audit.record("CREATE", user)
            return redirect(url_for("people.detail", user_id=user["id"]))
    return render_template("form.html", form=form, errors=errors, user=None)


@bp.route("/people/<user_id>/edit", methods=["GET", "POST"])
def edit(user_id: str) -> str | Response:
    user = onyx.get_or_404("User", user_id)
    form: dict[str, Any] = user
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {**request.form, "isActive": "isActive" in request.form}
        errors = _validate(form, user_id)
        if not errors:
            changes = {
                "username": form["username"].strip(),
                "email": form["email"],
                "isActive": form["isActive"],
                "updatedAt": audit.now(),
            }
            onyx.db.from_table("User").where(eq("id", user_id)).set_updates(**changes).update()
            audit.record("UPDATE", {**user, **changes})
            return redirect(url_for("people.detail", user_id=user_id))
    return render_template("form.html", form=form, errors=errors, user=user)


@bp.post("/people/<user_id>/delete")
def delete(user_id: str) -> Response:
    user = onyx.get_or_404("User", user_id)
    onyx.db.delete("User", user_id)
    audit.record("DELETE", user)
    return redirect(url_for("people.index"))
