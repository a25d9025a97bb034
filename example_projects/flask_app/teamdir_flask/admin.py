"""Flask-Admin on the members table, with ``onyx_flask.admin.OnyxModelView`` as its backend:
list, search, filters, create, edit and delete at ``/admin/user/``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from flask import Flask
from flask_admin import Admin
from flask_wtf import FlaskForm
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from onyx_flask.admin import OnyxModelView

from . import audit, onyx
from .people import EMAIL


def _now() -> datetime:
    return datetime.now(UTC)


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise PydanticCustomError("email", "Enter a valid email address.")  # no "Value error,"
    return value


class Member(BaseModel):
    """The ``User`` table as the admin edits it; the key and the times are filled in here."""

    __onyx_table__: ClassVar[str] = "User"
    id: str = Field(default_factory=lambda: f"user-{uuid.uuid4().hex[:10]}")
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    email: Annotated[str, AfterValidator(_email)]
    isActive: bool = True
    createdAt: AwareDatetime = Field(default_factory=_now)
    updatedAt: AwareDatetime = Field(default_factory=_now)
    lastLoginAt: AwareDatetime | None = None


class MemberView(OnyxModelView):
    form_base_class = FlaskForm  # create, edit, delete and actions post Flask-WTF's CSRF token
    column_list = ["id", "username", "email", "isActive", "createdAt"]
    column_searchable_list = ["username", "email"]
    column_filters = ["isActive", "username"]
    column_default_sort = "username"
    column_labels: ClassVar[dict[str, str]] = {"isActive": "Active", "createdAt": "Created"}
    form_columns = ["username", "email", "isActive"]
    form_args: ClassVar[dict[str, Any]] = {"isActive": {"default": True}}
    page_size = 10

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        model.updatedAt = _now()

    def after_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        audit.record("CREATE" if is_created else "UPDATE", model.model_dump())

    def after_model_delete(self, model: Any) -> None:
        audit.record("DELETE", model.model_dump())


def init_admin(app: Flask) -> Admin:
    admin = Admin(app, name="Team directory admin")
    admin.add_view(MemberView(Member, onyx, name="Members", endpoint="member"))
    return admin
