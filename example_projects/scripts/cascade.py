"""Cascade: save a user together with its role links, then delete it together with them."""

from __future__ import annotations

from _seed import NOW, connect, expect, seed_rbac

from onyx_database import eq

with connect() as db:
    seed_rbac(db)
    user = {
        "id": "u9",
        "username": "heidi",
        "email": "heidi@example.com",
        "isActive": True,
        "createdAt": NOW,
        "updatedAt": NOW,
        # children of the cascade: their userId is filled from the saved user's id
        "userRoles": [
            {"id": "u9:role-admin", "roleId": "role-admin", "createdAt": NOW},
            {"id": "u9:role-viewer", "roleId": "role-viewer", "createdAt": NOW},
        ],
    }
    db.cascade("userRoles:UserRole(userId, id)").save("User", user)
    links = db.from_table("UserRole").where(eq("userId", "u9")).order_by("roleId").list()
    print(f"saved heidi with roles {[link['roleId'] for link in links]}")
    expect([link["roleId"] for link in links], ["role-admin", "role-viewer"], "cascaded links")
    stored = db.find_by_id("User", "u9")
    expect(stored is not None and "userRoles" not in stored, True, "children not on the parent")

    db.cascade("userRoles").delete("User", "u9")
    remaining = db.from_table("UserRole").where(eq("userId", "u9")).count()
    print(f"after the cascade delete: {remaining} links left")
    expect(remaining, 0, "links deleted with the user")
    expect(db.find_by_id("Role", "role-admin") is not None, True, "roles themselves untouched")
