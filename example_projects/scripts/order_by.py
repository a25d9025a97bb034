"""Order by: several sort keys, each ascending or descending."""

from __future__ import annotations

from _seed import connect, expect, seed_users

from onyx_database import asc, desc

with connect() as db:
    seed_users(db)
    users = db.from_table("User").order_by(desc("isActive"), asc("username")).list()
    names = [user["username"] for user in users]
    print(f"active first, then by name: {names}")
    expect(names, ["ada", "bob", "dmitri", "chloe", "eve"], "isActive desc, username asc")
    newest = db.from_table("User").order_by(desc("createdAt")).first_or_none()
    assert newest is not None
    print(f"newest user: {newest['username']}")
    expect(newest["username"], "eve", "newest by createdAt")
