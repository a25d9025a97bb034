"""Sync streams against a real Onyx Local: callbacks, the pull iterator, typing, write paths."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import BaseModel

import onyx_database
from onyx_database import OnyxDatabase, StreamEvent, StreamHandle, eq, gt
from onyx_database.local import LocalServer

from .conftest import FAST, Collector, client_config, wait_for


def _callbacks(query: Any, seen: Collector) -> Any:
    return (
        query.on_item_added(lambda e: seen.add("added", e["id"]))
        .on_item_updated(lambda e: seen.add("updated", e["id"]))
        .on_item_deleted(lambda e: seen.add("deleted", e["id"]))
        .on_item(lambda e, action: seen.add("item", (action, e["id"])))
        .on_error(seen.error)
    )


def _opened(server: LocalServer, n: int = 1) -> None:
    wait_for(lambda: server.open_streams >= n, "the stream to open")


def test_every_write_path_reaches_the_callbacks(db: OnyxDatabase, server: LocalServer) -> None:
    seen = Collector()
    query = _callbacks(db.from_table("Item").where(gt("score", 0)), seen)
    with query.stream(reconnect=FAST) as handle:
        assert isinstance(handle, StreamHandle) and handle.is_running
        _opened(server)
        db.save("Item", {"id": "a", "score": 1})  # CREATE
        db.save("Item", {"id": "a", "score": 2})  # UPDATE
        db.batch_save("Item", [{"id": "b", "score": 1}, {"id": "z", "score": 0}])
        db.insert("Item", {"id": "c", "score": 3})
        db.create("Item", {"id": "d", "score": 4})
        assert db.from_table("Item").where(eq("id", "b")).set_updates(score=9).update() == 1
        assert db.from_table("Item").where(eq("id", "a")).set_updates(score=0).update() == 1
        assert db.from_table("Item").where(eq("id", "d")).delete() == 1
        db.delete("Item", "c")
        db.delete("Item", "z")  # never matched: nothing
        expected = [
            ("CREATE", "a"),
            ("UPDATE", "a"),
            ("CREATE", "b"),
            ("CREATE", "c"),
            ("CREATE", "d"),
            ("UPDATE", "b"),
            ("DELETE", "a"),  # no longer matches
            ("DELETE", "d"),
            ("DELETE", "c"),
        ]
        seen.wait_count("item", len(expected))
    assert seen.of("item") == expected
    assert seen.of("added") == ["a", "b", "c", "d"]
    assert seen.of("updated") == ["a", "b"]
    assert seen.of("deleted") == ["a", "d", "c"]
    assert seen.errors == [] and handle.error is None and not handle.is_running


def test_cascade_children_raise_their_own_events(db: OnyxDatabase, server: LocalServer) -> None:
    seen = Collector()
    with _callbacks(db.from_table("Child"), seen).stream(reconnect=FAST):
        _opened(server)
        parent = {"id": "p1", "name": "P", "kids": [{"id": "k1"}, {"id": "k2"}]}
        db.cascade("kids:Child(parentId, id)").save("Parent", parent)
        seen.wait_count("added", 2)
    assert sorted(seen.of("added")) == ["k1", "k2"]


def test_partition_filter_and_query_results(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Tenanted", [{"id": "x", "tenant": "a"}, {"id": "y", "tenant": "b"}])
    seen = Collector()
    query = _callbacks(db.from_table("Tenanted").in_partition("a"), seen)
    with query.stream(include_query_results=True, reconnect=FAST):
        seen.wait_count("item", 1)
        _opened(server)
        db.save("Tenanted", {"id": "y2", "tenant": "b"})
        db.save("Tenanted", {"id": "x2", "tenant": "a"})
        seen.wait_count("item", 2)
    assert seen.of("item") == [("QUERY_RESPONSE", "x"), ("CREATE", "x2")]
    assert seen.of("added") == ["x2"]  # QUERY_RESPONSE goes to on_item only


def test_pull_iterator_yields_typed_events_and_closes_on_break(
    db: OnyxDatabase, server: LocalServer
) -> None:
    db.save("Item", {"id": "a", "score": 1})
    got: list[StreamEvent[Any]] = []
    for event in db.from_table("Item").events(include_query_results=True, reconnect=FAST):
        got.append(event)
        if event.action == "QUERY_RESPONSE":
            _opened(server)
            db.save("Item", {"id": "b", "score": 2})
        else:
            break
    assert [(e.action, e.entity["id"]) for e in got] == [("QUERY_RESPONSE", "a"), ("CREATE", "b")]
    wait_for(lambda: server.open_streams == 0, "the connection to close after break")


class Item(BaseModel):
    id: str
    name: str | None = None
    score: int | None = None


def test_model_tables_give_model_instances(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", {"id": "a", "score": 5})
    with db.from_table(Item).events(include_query_results=True, keep_alive=False) as events:
        (event,) = list(events)
    assert event == StreamEvent("QUERY_RESPONSE", Item(id="a", score=5))


def test_keep_alive_false_ends_after_initial_results(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", [{"id": "a", "score": 1}, {"id": "b", "score": 2}])
    seen = Collector()
    handle = _callbacks(db.from_table("Item"), seen).stream(
        include_query_results=True, keep_alive=False, reconnect=FAST
    )
    assert handle.join(15)
    assert seen.of("item") == [("QUERY_RESPONSE", "a"), ("QUERY_RESPONSE", "b")]
    assert handle.error is None
    assert server.request_count("PUT", "/data/{db}/query/stream/{table}") == 1  # no hot loop


def test_msgpack_wire_format(server: LocalServer) -> None:
    with onyx_database.init(config=client_config(server, wire_format="msgpack")) as db:
        db.save("Item", {"id": "m", "score": 1})
        events = list(db.from_table("Item").events(include_query_results=True, keep_alive=False))
    assert events == [StreamEvent("QUERY_RESPONSE", {"id": "m", "blob": None, "name": None,
                                                     "score": 1})]  # fmt: skip


def test_stream_debug_logs_without_secrets(
    db: OnyxDatabase, server: LocalServer, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.setenv("ONYX_STREAM_DEBUG", "true")
    caplog.set_level(logging.INFO, logger="onyx_database.stream")
    db.save("Item", {"id": "a", "score": 1})
    list(db.from_table("Item").events(include_query_results=True, keep_alive=False))
    messages = [r.getMessage() for r in caplog.records if r.name == "onyx_database.stream"]
    assert any("connect" in m for m in messages)
    assert any("event QUERY_RESPONSE" in m for m in messages)
    assert all(server.api_secret not in m for m in caplog.text.splitlines())
