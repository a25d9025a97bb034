"""Inner query (``within``): users holding the Editor role, via a sub-query on UserRole."""

from __future__ import annotations

from _seed import connect, expect, seed_rbac

from onyx_database import eq, within

with connect() as db:
    seed_rbac(db)
    editors = db.select("userId").from_table("UserRole").where(eq("roleId", "role-editor"))
    users = db.from_table("User").where(within("id", editors)).order_by("username").list()
    names = [user["username"] for user in users]
    print(f"editors: {names}")
    expect(names, ["bob", "dmitri"], "users within the editor sub-query")
