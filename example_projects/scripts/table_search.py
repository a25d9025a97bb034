"""Table search: full-text search within one SEARCHABLE table."""

from __future__ import annotations

from _seed import connect, expect, seed_rbac

from onyx_database import eq

with connect() as db:
    seed_rbac(db)
    found = db.from_table("Role").search("writes").list()
    print(f"roles matching 'writes': {[role['name'] for role in found]}")
    expect([role["name"] for role in found], ["Editor"], "search in Role")

    # a search combines with ordinary conditions
    both = db.from_table("User").search("example.com").and_(eq("isActive", False)).list()
    names = sorted(user["username"] for user in both)
    print(f"inactive users matching 'example.com': {names}")
    expect(names, ["chloe", "eve"], "search AND condition")
