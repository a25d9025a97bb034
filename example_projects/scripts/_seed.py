"""Shared helpers of the example scripts: connect, seed a small RBAC data set, check results.

Every script connects with ``onyx_database.init()``; the config chain finds the database id, URL,
key and secret through ``ONYX_CONFIG_PATH`` (Onyx Local writes that file as
``<data dir>/onyx-database.json``). The seed data is the same in every script:

=======  ========  ======  =========================  ===
user     username  active  roles                      age
=======  ========  ======  =========================  ===
u1       ada       yes     Admin                      36
u2       bob       yes     Editor                     28
u3       chloe     no      Viewer                     41
u4       dmitri    yes     Editor, Viewer             33
u5       eve       no      (none)                     25
=======  ========  ======  =========================  ===

Admin has read/write/delete, Editor read/write, Viewer read.
"""

from __future__ import annotations

import sys
from typing import Any

import onyx_database
from onyx_database import OnyxDatabase

NOW = "2026-03-01T12:00:00.000Z"

USERS: list[dict[str, Any]] = [
    {"id": "u1", "username": "ada", "email": "ada@example.com", "isActive": True},
    {"id": "u2", "username": "bob", "email": "bob@example.com", "isActive": True},
    {"id": "u3", "username": "chloe", "email": "chloe@example.com", "isActive": False},
    {"id": "u4", "username": "dmitri", "email": "dmitri@example.com", "isActive": True},
    {"id": "u5", "username": "eve", "email": "eve@example.com", "isActive": False},
]
for _n, _user in enumerate(USERS, start=1):
    _user.update(
        createdAt=f"2026-01-{_n:02d}T09:00:00.000Z",
        updatedAt=NOW,
        lastLoginAt=None,
        deletedAt=None,
    )

ROLES: list[dict[str, Any]] = [
    {"id": "role-admin", "name": "Admin", "description": "Everything", "isSystem": True},
    {"id": "role-editor", "name": "Editor", "description": "Reads and writes", "isSystem": False},
    {"id": "role-viewer", "name": "Viewer", "description": "Reads only", "isSystem": False},
]
PERMISSIONS: list[dict[str, Any]] = [
    {"id": "perm-read", "name": "read", "description": "Read records"},
    {"id": "perm-write", "name": "write", "description": "Write records"},
    {"id": "perm-delete", "name": "delete", "description": "Delete records"},
]
ROLE_PERMISSIONS = {
    "role-admin": ["perm-read", "perm-write", "perm-delete"],
    "role-editor": ["perm-read", "perm-write"],
    "role-viewer": ["perm-read"],
}
USER_ROLES = {
    "u1": ["role-admin"],
    "u2": ["role-editor"],
    "u3": ["role-viewer"],
    "u4": ["role-editor", "role-viewer"],
}
AGES = {"u1": 36, "u2": 28, "u3": 41, "u4": 33, "u5": 25}


def connect() -> OnyxDatabase:
    """A client configured by the config chain (``ONYX_CONFIG_PATH`` → Onyx Local)."""
    return onyx_database.init()


def _stamped(record: dict[str, Any]) -> dict[str, Any]:
    return {"createdAt": NOW, "updatedAt": NOW, "deletedAt": None, **record}


def seed_users(db: OnyxDatabase) -> None:
    db.save("User", USERS)


def seed_rbac(db: OnyxDatabase) -> None:
    """Users, roles, permissions and the two link tables."""
    seed_users(db)
    db.save("Role", [_stamped(role) for role in ROLES])
    db.save("Permission", [_stamped(permission) for permission in PERMISSIONS])
    db.save(
        "RolePermission",
        [
            {"id": f"{role}:{perm}", "roleId": role, "permissionId": perm, "createdAt": NOW}
            for role, perms in ROLE_PERMISSIONS.items()
            for perm in perms
        ],
    )
    db.save(
        "UserRole",
        [
            {"id": f"{user}:{role}", "userId": user, "roleId": role, "createdAt": NOW}
            for user, roles in USER_ROLES.items()
            for role in roles
        ],
    )


def seed_profiles(db: OnyxDatabase) -> None:
    db.save(
        "UserProfile",
        [
            {
                "id": f"profile-{user['id']}",
                "userId": user["id"],
                "firstName": str(user["username"]).capitalize(),
                "lastName": "Example",
                "age": AGES[str(user["id"])],
                "createdAt": NOW,
            }
            for user in USERS
        ],
    )


def expect(actual: Any, expected: Any, what: str) -> None:
    """Exit with status 1 (and say why) when ``actual`` is not ``expected``."""
    if actual != expected:
        print(f"MISMATCH in {what}: expected {expected!r}, got {actual!r}", file=sys.stderr)
        raise SystemExit(1)
