"""The admin tests' app (``backoffice``): Onyx models shown by the stock Django admin beside
``django.contrib.auth``'s SQL models. The admin registrations live in ``onyx_django_admin_site``,
imported from ``ready()`` as a project's ``admin.py`` would be by autodiscovery."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from django.apps import AppConfig
from pydantic import Field

from onyx_django.models import OnyxModel, relation


def _now() -> datetime:
    return datetime.now(UTC)


class BackofficeConfig(AppConfig):
    name = "onyx_django_admin_app"
    label = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        import onyx_django_admin_site  # noqa: F401


class Event(OnyxModel):
    """The ``AuditLog`` table (a table no other test declares a model for: the last model
    declared for a table is the sender of its signals)."""

    id: str = Field(max_length=40)
    action: str = Field(max_length=60)
    resource: str | None = None
    status: Literal["ok", "failed"] | None = None
    dateTime: datetime = Field(default_factory=_now)

    class Meta:
        db_table = "AuditLog"
        app_label = "backoffice"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.action


class Staff(OnyxModel):
    """The ``Role`` table, with a field of choices."""

    id: str
    name: Literal["admin", "editor", "viewer"] = "viewer"
    description: str | None = None
    isSystem: bool = False
    createdAt: datetime = Field(default_factory=_now)
    updatedAt: datetime = Field(default_factory=_now)
    permissions: list[dict[str, Any]] | None = Field(default=None, exclude=True)  # a resolver

    class Meta:
        db_table = "Role"
        app_label = "backoffice"
        ordering = ["id"]


class RoleDraft(OnyxModel):
    """The ``Role`` table declared without its required timestamps: Onyx refuses every new
    record (422), which the admin must show as a form error."""

    id: str
    name: str
    isSystem: bool = False

    class Meta:
        db_table = "Role"
        app_label = "backoffice"


class Assignment(OnyxModel):
    """The ``UserRole`` table; its ``role`` resolver (a list of roles) is a read-only inline."""

    id: str
    userId: str
    roleId: str
    createdAt: datetime = Field(default_factory=_now)
    role: list[Staff] | None = Field(default=None, exclude=True)

    class Meta:
        db_table = "UserRole"
        app_label = "backoffice"
        ordering = ["id"]


class Grant(OnyxModel):
    """The ``RolePermission`` table: the children of a ``Team``; ``role`` is a resolver that
    gives one record."""

    id: str = Field(max_length=40)
    roleId: str
    permissionId: str = Field(max_length=40)
    createdAt: datetime = Field(default_factory=_now)
    role: Staff | None = relation(cascade="Role(id, roleId)")  # a resolver giving one record

    class Meta:
        db_table = "RolePermission"
        app_label = "backoffice"
        ordering = ["id"]


class Team(OnyxModel):
    """The ``Role`` table again; its ``rolePermissions`` resolver is saved by cascade (an
    editable inline), its ``permissions`` resolver is not (no cascade declared)."""

    id: str = Field(max_length=40)
    name: str
    description: str | None = None
    isSystem: bool = False
    createdAt: datetime = Field(default_factory=_now)
    updatedAt: datetime = Field(default_factory=_now)
    rolePermissions: list[Grant] | None = relation(cascade="RolePermission(roleId, id)")
    permissions: list[Grant] | None = relation()

    class Meta:
        db_table = "Role"
        app_label = "backoffice"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class GrantDraft(OnyxModel):
    """``RolePermission`` without its required ``createdAt``: Onyx refuses it (a 400/422)."""

    id: str
    roleId: str | None = None
    permissionId: str

    class Meta:
        db_table = "RolePermission"
        app_label = "backoffice"


class TeamDraft(OnyxModel):
    """The ``Role`` table, whose cascade children Onyx refuses (``GrantDraft``)."""

    id: str
    name: str
    isSystem: bool = False
    createdAt: datetime = Field(default_factory=_now)
    updatedAt: datetime = Field(default_factory=_now)
    rolePermissions: list[GrantDraft] | None = relation(cascade="RolePermission(roleId, id)")

    class Meta:
        db_table = "Role"
        app_label = "backoffice"
