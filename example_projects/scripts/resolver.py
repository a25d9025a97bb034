"""Resolvers: each user with its ``roles`` (a resolver defined in the schema) attached."""

from __future__ import annotations

from _seed import connect, expect, seed_rbac

from onyx_database import eq

with connect() as db:
    seed_rbac(db)
    dmitri = db.from_table("User").where(eq("username", "dmitri")).resolve("roles").first_or_none()
    assert dmitri is not None
    role_names = sorted(role["name"] for role in dmitri["roles"])
    print(f"dmitri's roles: {role_names}")
    expect(role_names, ["Editor", "Viewer"], "resolved roles")

    # a resolver can also be filtered on: users that have the Admin role
    admins = db.from_table("User").where(eq("roles.name", "Admin")).resolve("roles").list()
    print(f"admins: {[user['username'] for user in admins]}")
    expect([user["username"] for user in admins], ["ada"], "filter on a resolver path")

    # nested resolvers: roles and each role's permissions
    ada = db.find_by_id("User", "u1", resolvers=["roles.permissions"])
    assert ada is not None
    permissions = sorted(p["name"] for role in ada["roles"] for p in role["permissions"])
    print(f"ada's permissions: {permissions}")
    expect(permissions, ["delete", "read", "write"], "nested resolver")
