"""Sorting and paging: fixed-size pages with ``next_page`` tokens, or lazy iteration."""

from __future__ import annotations

from _seed import NOW, connect, expect

with connect() as db:
    db.batch_save(
        "AuditLog",
        (
            {"id": f"log-{n:02d}", "action": "LOGIN", "status": "ok", "dateTime": NOW}
            for n in range(23)
        ),
        batch_size=10,
    )
    query = db.from_table("AuditLog").order_by("id").page_size(10)
    page = query.page()
    sizes = [len(page.records)]
    while page.next_page:
        page = query.page(page.next_page)
        sizes.append(len(page.records))
    print(f"page sizes: {sizes}")
    expect(sizes, [10, 10, 3], "pages of 10")

    ids = [log["id"] for log in query]  # iteration fetches one page at a time
    print(f"iterated {len(ids)} logs, first {ids[0]}, last {ids[-1]}")
    expect(ids, [f"log-{n:02d}" for n in range(23)], "lazy iteration over every page")
    expect(len(query.limit(15).list()), 15, "limit caps the total across pages")
