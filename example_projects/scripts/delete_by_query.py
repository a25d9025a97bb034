"""Delete by query: remove every inactive user in one request."""

from __future__ import annotations

from _seed import connect, expect, seed_users

from onyx_database import eq

with connect() as db:
    seed_users(db)
    deleted = db.from_table("User").where(eq("isActive", False)).delete()
    print(f"deleted {deleted} inactive user(s)")
    expect(deleted, 2, "records deleted")
    left = sorted(user["username"] for user in db.from_table("User").list())
    expect(left, ["ada", "bob", "dmitri"], "users left")
