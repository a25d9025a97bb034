"""Payload models decode what a real Onyx Local answers: revisions, validation results,
secrets, search hits and documents."""

from __future__ import annotations

import copy
import uuid

import pytest
from pydantic import BaseModel, ValidationError

from onyx_database import (
    Document,
    OnyxDatabase,
    Page,
    SchemaDocument,
    SchemaRevision,
    SchemaValidationResult,
    SearchHit,
    SecretMetadata,
    SecretRecord,
    StreamEvent,
)
from onyx_database._stream_protocol import LineDecoder

from .test_live_features import User, seed


def test_schema_revision_and_validation_results(db: OnyxDatabase) -> None:
    answer = db.get_schema()
    revision = SchemaRevision.from_wire(answer)
    assert isinstance(revision, SchemaDocument)
    assert revision.database_id == db.database_id
    assert revision.revision_id and revision.published_at
    assert [e.name for e in revision.entities] == [e["name"] for e in answer["entities"]]

    valid = SchemaValidationResult.from_wire(db.validate_schema(answer))
    assert valid and valid.errors == [] and valid.schema_ is not None
    assert {e.name for e in valid.schema_.entities} == {e["name"] for e in answer["entities"]}

    broken = copy.deepcopy(answer)
    broken["entities"][0]["attributes"][0]["type"] = "Strng"
    invalid = SchemaValidationResult.from_wire(db.validate_schema(broken))
    assert not invalid
    assert any(".attributes[0].type: unknown type 'Strng'" in m for m in invalid.messages)


def test_secret_models_never_show_the_value(db: OnyxDatabase) -> None:
    key, value = f"k-{uuid.uuid4().hex[:6]}", f"sk_live_{uuid.uuid4().hex}"
    meta = SecretMetadata.from_wire(db.put_secret(key, value, purpose="payments"))
    assert (meta.key, meta.purpose) == (key, "payments")
    listed = [SecretMetadata.from_wire(s) for s in db.list_secrets()]
    assert key in {s.key for s in listed}
    record = SecretRecord.from_wire(db.get_secret(key))
    assert record.value.get_secret_value() == value
    for text in (repr(record), str(record), record.model_dump_json()):
        assert value not in text
    assert record.to_wire()["value"] == value
    db.delete_secret(key)


def test_search_hits(db: OnyxDatabase) -> None:
    seed(db)
    hits = [SearchHit.from_wire(row) for row in db.search("grace").list()]
    assert ("User", "u2") in {(h.entity_type, h.id) for h in hits}
    assert all(h.entity["id"] == h.id for h in hits)


def test_document_is_a_frozen_model(db: OnyxDatabase) -> None:
    db.save_document(document_id="p.bin", content=b"\x00\x01", mime_type="application/x-test")
    doc = db.get_document("p.bin")
    assert isinstance(doc, Document) and doc.data == b"\x00\x01"
    assert doc == Document(
        document_id=doc.document_id, data=doc.data, mime_type=doc.mime_type, path=doc.path,
        created=doc.created, updated=doc.updated, content=doc.content, raw=doc.raw,
    )  # fmt: skip
    with pytest.raises(ValueError, match="frozen"):
        doc.data = b"x"  # type: ignore[misc]


def test_pages_are_models_that_read_as_the_official_dict(db: OnyxDatabase) -> None:
    seed(db)
    query = db.from_table("User").order_by("id").page_size(2)
    page = query.page()
    assert isinstance(page, BaseModel) and len(page) == 2 and page.next_page
    wire = {"records": page.records, "nextPage": page.next_page}
    assert page.model_dump(by_alias=True) == dict(page) == wire
    assert page["nextPage"] == page.get("next_page") == page.next_page
    assert [r["id"] for r in page] == [r["id"] for r in page.records]
    assert Page.model_validate(wire) == page == Page(page.records, page.next_page)
    assert Page.model_validate_json(page.model_dump_json(by_alias=True)) == page
    assert page != query.page(page.next_page)
    with pytest.raises(ValidationError, match="frozen"):
        page.next_page = None  # type: ignore[misc]
    typed = Page[User].model_validate(wire)
    assert [type(u) for u in typed] == [User, User]
    assert [u.id for u in typed] == [u.id for u in db.from_table(User).order_by("id").page(2)]
    last = query.page_size(100).page()
    assert last.next_page is None and not last.has_next and last.get("nextPage") is None


def test_stream_events_are_models() -> None:
    decoder = LineDecoder()
    created, failed = decoder.feed(
        b'{"action":"created","entity":{"id":"u1"}}\n'
        b'{"action":"ERROR","entity":null,"error":{"message":"boom"}}\n'
    )
    assert isinstance(created, BaseModel) and isinstance(created, StreamEvent)
    assert created == StreamEvent("CREATE", {"id": "u1"})
    assert created.model_dump() == {"action": "CREATE", "entity": {"id": "u1"}, "error": None}
    assert StreamEvent.model_validate(created.model_dump()) == created
    assert failed.error == {"message": "boom"}
    assert failed == StreamEvent("ERROR", None)  # error is left out of equality and repr
    assert "boom" not in repr(failed) and repr(failed) == "StreamEvent(action='ERROR', entity=None)"
    with pytest.raises(ValidationError, match="frozen"):
        created.action = "DELETE"  # type: ignore[misc]
    typed = StreamEvent[User].model_validate(
        {"action": "UPDATE", "entity": {"id": "u1", "username": "ada"}}
    )
    assert isinstance(typed.entity, User) and typed.entity.username == "ada"
    with pytest.raises(ValidationError):
        StreamEvent[User].model_validate({"action": "UPDATE", "entity": {"id": "u1"}})
