"""Select: only some fields of each record (dicts keyed by the selected names)."""

from __future__ import annotations

from _seed import connect, expect, seed_users

from onyx_database import eq

with connect() as db:
    seed_users(db)
    rows = (
        db.select("username", "email")
        .from_table("User")
        .where(eq("isActive", False))
        .order_by("username")
        .list()
    )
    for row in rows:
        print(f"{row['username']} <{row['email']}>")
    expect(
        rows,
        [
            {"username": "chloe", "email": "chloe@example.com"},
            {"username": "eve", "email": "eve@example.com"},
        ],
        "projected rows",
    )
