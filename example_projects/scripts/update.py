"""Update by query: deactivate every user whose name starts with 'd'."""

from __future__ import annotations

from _seed import NOW, connect, expect, seed_users

from onyx_database import eq, starts_with

with connect() as db:
    seed_users(db)
    updated = (
        db.from_table("User")
        .where(starts_with("username", "d"))
        .set_updates(isActive=False, updatedAt=NOW)
        .update()
    )
    print(f"updated {updated} user(s)")
    expect(updated, 1, "records updated")
    dmitri = db.find_by_id("User", "u4")
    assert dmitri is not None
    expect(dmitri["isActive"], False, "dmitri deactivated")
    expect(db.from_table("User").where(eq("isActive", True)).count(), 2, "active users left")
