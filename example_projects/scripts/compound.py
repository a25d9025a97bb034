"""Compound conditions: ``(active AND name starts with 'd') OR email contains 'eve'``."""

from __future__ import annotations

from _seed import connect, expect, seed_users

from onyx_database import contains, eq, starts_with

with connect() as db:
    seed_users(db)
    condition = (eq("isActive", True) & starts_with("username", "d")) | contains("email", "eve")
    # the same tree with the official SDK's chaining names:
    chained = (
        db.from_table("User")
        .where(eq("isActive", True))
        .and_(starts_with("username", "d"))
        .or_(contains("email", "eve"))
    )
    found = db.from_table("User").where(condition).order_by("username").list()
    names = [user["username"] for user in found]
    print(f"(active and d*) or eve: {names}")
    expect(names, ["dmitri", "eve"], "compound condition")
    expect(sorted(u["username"] for u in chained.list()), names, "chained and_/or_")
