"""Not-inner query (``not_within``): users without any role."""

from __future__ import annotations

from _seed import connect, expect, seed_rbac

from onyx_database import not_within

with connect() as db:
    seed_rbac(db)
    with_roles = db.select("userId").from_table("UserRole")
    users = db.from_table("User").where(not_within("id", with_roles)).list()
    names = [user["username"] for user in users]
    print(f"users without a role: {names}")
    expect(names, ["eve"], "users not within the UserRole sub-query")
