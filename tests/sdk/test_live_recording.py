"""Request recording (``record_requests`` / ``add_request_listener``) over Onyx Local."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

import onyx_database
from onyx_database import OnyxConnectionError, OnyxDatabase, add_request_listener, record_requests

if TYPE_CHECKING:
    from onyx_database import AsyncOnyxDatabase, RecordedRequest
    from onyx_database.local import LocalServer


def test_records_method_path_table_status_and_records(db: OnyxDatabase) -> None:
    db.batch_save("Item", [{"id": f"i{n}", "name": "x"} for n in range(3)])
    with record_requests() as recorded:
        assert len(db.from_table("Item").page_size(2).list()) == 3
        assert db.from_table("Item").count() == 3
        db.find_by_id("Item", "i1")
        assert db.find_by_id("Item", "missing") is None
    summary = [(r.method, r.path, r.table, r.status, r.records) for r in recorded]
    assert summary == [
        ("PUT", "/data/{db}/query/Item", "Item", 200, 2),
        ("PUT", "/data/{db}/query/Item", "Item", 200, 1),
        ("PUT", "/data/{db}/query/count/Item", "Item", 200, None),
        ("GET", "/data/{db}/Item/i1", "Item", 200, None),
        ("GET", "/data/{db}/Item/missing", "Item", 404, None),
    ]
    assert all(r.duration >= 0 and r.database_id == db.config.database_id for r in recorded)
    assert recorded[0].response_bytes > recorded[1].response_bytes > 0
    assert recorded.count(method="GET") == 2 and recorded.count(table="Item") == 5
    assert "GET /data/{db}/Item/missing -> 404" in recorded.summary()


def test_nothing_is_recorded_outside_the_block_and_secrets_never(
    db: OnyxDatabase, server: LocalServer
) -> None:
    with record_requests() as recorded:
        db.from_table("Item").count()
    db.from_table("Item").count()
    assert len(recorded) == 1
    text = repr(recorded.requests) + recorded.summary()
    assert server.api_secret not in text and server.api_key not in text
    assert server.database_id not in recorded.summary()


def test_filtering_by_database_and_listeners_from_other_threads(
    db: OnyxDatabase, server: LocalServer
) -> None:
    seen: list[RecordedRequest] = []
    remove = add_request_listener(seen.append)
    try:
        with record_requests(database_id="another-db") as other, record_requests() as mine:
            worker = threading.Thread(target=lambda: db.from_table("Item").count())
            worker.start()
            worker.join()
        assert len(other) == 0 and len(mine) == 1
    finally:
        remove()
    db.from_table("Item").count()
    assert len(seen) == 1


def test_failed_connections_are_recorded_without_a_status() -> None:
    client = onyx_database.init(
        database_id="db", api_key="k", api_secret="s", base_url="http://127.0.0.1:9",
        max_retries=0,
    )  # fmt: skip
    with client, record_requests() as recorded, pytest.raises(OnyxConnectionError):
        client.from_table("Item").count()
    assert [(r.status, r.table) for r in recorded] == [(None, "Item")]


@pytest.mark.anyio
async def test_async_clients_are_recorded(adb: AsyncOnyxDatabase) -> None:
    with record_requests() as recorded:
        await adb.from_table("Item").list()
    assert [(r.method, r.path, r.records) for r in recorded] == [
        ("PUT", "/data/{db}/query/Item", 0)
    ]
