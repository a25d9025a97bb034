"""Save: insert a record, then save it again with a change (saves are upserts)."""

from __future__ import annotations

from datetime import UTC, datetime

from _seed import connect, expect

with connect() as db:
    user = {
        "id": "u100",
        "username": "grace",
        "email": "grace@example.com",
        "isActive": True,
        "createdAt": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),  # datetimes are sent as ISO text
        "updatedAt": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    }
    saved = db.save("User", user)
    print(f"saved {saved['id']} created at {saved['createdAt']}")
    expect(saved["createdAt"], "2026-03-01T09:30:00.000Z", "timestamp as stored")

    db.save("User", {**user, "username": "grace.hopper"})
    found = db.find_by_id("User", "u100")
    assert found is not None
    print(f"after the second save: {found['username']}")
    expect(found["username"], "grace.hopper", "upsert replaced the record")
    expect(db.from_table("User").count(), 1, "still one record")
