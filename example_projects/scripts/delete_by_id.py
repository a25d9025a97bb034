"""Delete by id: remove one record; a lookup afterwards finds nothing."""

from __future__ import annotations

from _seed import connect, expect, seed_users

with connect() as db:
    seed_users(db)
    deleted = db.delete("User", "u5")
    print(f"deleted u5: {deleted}")
    expect(deleted, True, "delete returns True")
    expect(db.find_by_id("User", "u5"), None, "find_by_id after delete")
    expect(db.from_table("User").count(), 4, "users left")
