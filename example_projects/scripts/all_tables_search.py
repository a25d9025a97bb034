"""All-tables search: one full-text query over every SEARCHABLE table."""

from __future__ import annotations

from _seed import connect, expect, seed_rbac

with connect() as db:
    seed_rbac(db)
    hits = db.search("dmitri").list()
    for hit in hits:
        print(f"{hit['entityType']}: {hit['id']}")
    types = sorted({hit["entityType"] for hit in hits})
    expect("User" in types, True, "a User hit")
    user = next(hit for hit in hits if hit["entityType"] == "User")
    expect(user["entity"]["username"], "dmitri", "the hit carries the entity")
