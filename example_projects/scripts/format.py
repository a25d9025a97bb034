"""Format and string functions in a selection: dates as text, upper-case names, substrings."""

from __future__ import annotations

from _seed import connect, expect, seed_users

from onyx_database import eq, format, substring, upper

with connect() as db:
    seed_users(db)
    created = format("createdAt", "yyyy-MM-dd")
    row = (
        db.select("username", created, upper("username"), substring("email", 0, 3))
        .from_table("User")
        .where(eq("id", "u2"))
        .first_or_none()
    )
    assert row is not None
    print(f"bob: {row}")
    expect(row[created], "2026-01-02", "format(createdAt, 'yyyy-MM-dd')")
    expect(row["upper(username)"], "BOB", "upper(username)")
    expect(row["substring(email,0,3)"], "bob", "substring(email, 0, 3)")
