"""Basic query: active users, filtered with ``eq`` and ordered by username."""

from __future__ import annotations

from _seed import connect, expect, seed_users

from onyx_database import asc, eq

with connect() as db:
    seed_users(db)
    active = db.from_table("User").where(eq("isActive", True)).order_by(asc("username")).list()
    names = [user["username"] for user in active]
    print(f"active users: {', '.join(names)}")
    expect(names, ["ada", "bob", "dmitri"], "active users")
