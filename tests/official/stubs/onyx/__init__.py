"""Stand-in for the stubs ``onyx gen --python`` writes (the official examples import them).

The official distribution does not ship the generated package its examples import; this is
a hand-written equivalent of its shape: ``tables.X`` is the table name, ``SCHEMA`` maps table
names to plain classes whose constructor takes the fields (resolver fields and unknown keys
are kept as attributes, so ``vars(obj)`` is the record).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class AuditLog:
    """Table ``AuditLog``."""

    action: str | None
    actorId: str | None
    changes: Any | None
    dateTime: datetime | None
    errorCode: str | None
    errorMessage: str | None
    id: str | None
    metadata: Any | None
    requestId: str | None
    resource: str | None
    status: str | None
    targetId: str | None
    tenantId: str | None

    def __init__(self, **fields: Any) -> None:
        for name in (
            "action",
            "actorId",
            "changes",
            "dateTime",
            "errorCode",
            "errorMessage",
            "id",
            "metadata",
            "requestId",
            "resource",
            "status",
            "targetId",
            "tenantId",
        ):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"AuditLog({vars(self)!r})"


class Permission:
    """Table ``Permission``."""

    createdAt: datetime | None
    deletedAt: datetime | None
    description: str | None
    id: str | None
    name: str | None
    updatedAt: datetime | None

    def __init__(self, **fields: Any) -> None:
        for name in ("createdAt", "deletedAt", "description", "id", "name", "updatedAt"):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"Permission({vars(self)!r})"


class Role:
    """Table ``Role``."""

    createdAt: datetime | None
    deletedAt: datetime | None
    description: str | None
    id: str | None
    isSystem: bool | None
    name: str | None
    updatedAt: datetime | None

    def __init__(self, **fields: Any) -> None:
        for name in (
            "createdAt",
            "deletedAt",
            "description",
            "id",
            "isSystem",
            "name",
            "updatedAt",
        ):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"Role({vars(self)!r})"


class RolePermission:
    """Table ``RolePermission``."""

    createdAt: datetime | None
    id: str | None
    permissionId: str | None
    roleId: str | None

    def __init__(self, **fields: Any) -> None:
        for name in ("createdAt", "id", "permissionId", "roleId"):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"RolePermission({vars(self)!r})"


class User:
    """Table ``User``."""

    createdAt: datetime | None
    deletedAt: datetime | None
    email: str | None
    id: str | None
    isActive: bool | None
    lastLoginAt: datetime | None
    updatedAt: datetime | None
    username: str | None

    def __init__(self, **fields: Any) -> None:
        for name in (
            "createdAt",
            "deletedAt",
            "email",
            "id",
            "isActive",
            "lastLoginAt",
            "updatedAt",
            "username",
        ):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"User({vars(self)!r})"


class UserProfile:
    """Table ``UserProfile``."""

    address: Any | None
    age: int | None
    avatarUrl: str | None
    bio: str | None
    createdAt: datetime | None
    deletedAt: datetime | None
    firstName: str | None
    id: str | None
    lastName: str | None
    phone: str | None
    updatedAt: datetime | None
    userId: str | None

    def __init__(self, **fields: Any) -> None:
        for name in (
            "address",
            "age",
            "avatarUrl",
            "bio",
            "createdAt",
            "deletedAt",
            "firstName",
            "id",
            "lastName",
            "phone",
            "updatedAt",
            "userId",
        ):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"UserProfile({vars(self)!r})"


class UserRole:
    """Table ``UserRole``."""

    createdAt: datetime | None
    id: str | None
    roleId: str | None
    userId: str | None

    def __init__(self, **fields: Any) -> None:
        for name in ("createdAt", "id", "roleId", "userId"):
            setattr(self, name, None)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"UserRole({vars(self)!r})"


class tables:
    """Table names."""

    AuditLog = "AuditLog"
    Permission = "Permission"
    Role = "Role"
    RolePermission = "RolePermission"
    User = "User"
    UserProfile = "UserProfile"
    UserRole = "UserRole"


SCHEMA: dict[str, type] = {
    "AuditLog": AuditLog,
    "Permission": Permission,
    "Role": Role,
    "RolePermission": RolePermission,
    "User": User,
    "UserProfile": UserProfile,
    "UserRole": UserRole,
}
MODEL_MAP = SCHEMA
