"""Documents: store bytes under an id, read them back exactly, delete them."""

from __future__ import annotations

from _seed import connect, expect

from onyx_database import OnyxNotFoundError

CONTENT = b"%PDF-1.4 example bytes \x00\xff\x10"

with connect() as db:
    saved = db.save_document(
        document_id="reports/q1.pdf", content=CONTENT, mime_type="application/pdf"
    )
    print(f"saved document {saved.get('documentId')}")
    document = db.get_document("reports/q1.pdf")
    print(f"read back {len(document.data)} bytes")
    expect(document.data, CONTENT, "document bytes round-trip")
    expect(db.delete_document("reports/q1.pdf"), True, "delete_document")
    try:
        db.get_document("reports/q1.pdf")
    except OnyxNotFoundError:
        print("deleted: get_document now raises OnyxNotFoundError")
    else:
        expect("found", "OnyxNotFoundError", "get_document after delete")
