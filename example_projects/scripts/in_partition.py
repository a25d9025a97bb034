"""Partitions: TenantNote is partitioned by ``tenantId``; queries and lookups name a partition."""

from __future__ import annotations

from _seed import NOW, connect, expect

with connect() as db:
    db.save(
        "TenantNote",
        [
            {"id": "n1", "tenantId": "acme", "title": "Acme kickoff", "createdAt": NOW},
            {"id": "n2", "tenantId": "acme", "title": "Acme retro", "createdAt": NOW},
            {"id": "n1", "tenantId": "globex", "title": "Globex kickoff", "createdAt": NOW},
        ],
    )
    acme = db.from_table("TenantNote").in_partition("acme").order_by("id").list()
    print(f"acme notes: {[note['title'] for note in acme]}")
    expect([note["title"] for note in acme], ["Acme kickoff", "Acme retro"], "acme partition")

    globex_n1 = db.find_by_id("TenantNote", "n1", partition="globex")
    assert globex_n1 is not None
    print(f"n1 in globex: {globex_n1['title']}")
    expect(globex_n1["title"], "Globex kickoff", "same id, other partition")

    # a client view whose default partition is "globex"
    globex = db.with_options(partition="globex")
    expect(globex.from_table("TenantNote").count(), 1, "count in the view's partition")
    expect(db.from_table("TenantNote").count(), 3, "count across all partitions")
