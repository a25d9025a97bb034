"""Batch save: many records in chunks (one request per chunk), from any iterable."""

from __future__ import annotations

from _seed import NOW, connect, expect

from onyx_database import eq

with connect() as db:
    permissions = (
        {"id": f"perm-{n:03d}", "name": f"permission {n}", "createdAt": NOW, "updatedAt": NOW}
        for n in range(250)
    )
    saved = db.batch_save("Permission", permissions, batch_size=100)
    print(f"batch_save wrote {saved} permissions in chunks of 100")
    expect(saved, 250, "records saved")
    expect(db.from_table("Permission").count(), 250, "records stored")
    last = db.from_table("Permission").where(eq("id", "perm-249")).first_or_none()
    expect(last is not None and last["name"], "permission 249", "last record")
