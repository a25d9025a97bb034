"""Streams under faults: restarts, servers that close at once, auth errors, failing callbacks,
cancellation of silent streams, cut connections."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import onyx_database
from onyx_database import (
    OnyxDatabase,
    OnyxUnauthorizedError,
    OnyxUsageError,
    ReconnectPolicy,
)
from onyx_database.local import LocalServer

from .conftest import FAST, SCHEMA, Collector, client_config, wait_for

STREAM_ROUTE = "/data/{db}/query/stream/{table}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_reconnects_after_a_restart_on_the_same_port(tmp_path: Path) -> None:
    port = _free_port()
    first = LocalServer(tmp_path, port=port, schema=SCHEMA, keep_alive_interval=0.2)
    first.start()
    seen = Collector()
    policy = ReconnectPolicy(initial_delay=0.05, max_delay=0.4, healthy_after=5.0)
    with onyx_database.init(config=client_config(first)) as db:
        query = db.from_table("Item").on_item_added(lambda e: seen.add("added", e["id"]))
        with query.on_error(seen.error).stream(reconnect=policy) as handle:
            wait_for(lambda: first.open_streams == 1, "the first connection")
            db.save("Item", {"id": "before", "score": 1})
            seen.wait_count("added", 1)
            first.stop()  # ends the stream cleanly; reconnects now fail until the restart
            time.sleep(0.3)  # let a few refused reconnects happen (the backoff is the point)
            second = LocalServer(tmp_path, port=port, schema=SCHEMA, keep_alive_interval=0.2)
            second.start()
            try:
                wait_for(lambda: second.open_streams == 1, "the client to reconnect")
                db.save("Item", {"id": "after", "score": 1})
                seen.wait_count("added", 2)
                assert handle.is_running and handle.error is None
                assert second.request_count("PUT", STREAM_ROUTE) <= 3
            finally:
                handle.cancel()
                second.stop()
    assert seen.of("added") == ["before", "after"]
    assert seen.errors == []


def test_server_closing_streams_at_once_is_backed_off(
    db: OnyxDatabase, server: LocalServer
) -> None:
    db.save("Item", {"id": "a", "score": 1})
    server.faults.close_streams_immediately(True)
    seen = Collector()
    query = db.from_table("Item").on_item(lambda e, a: seen.add(a, e["id"])).on_error(seen.error)
    started = server.stream_connections
    with query.stream(include_query_results=True, reconnect=ReconnectPolicy(initial_delay=0.2)):
        time.sleep(5)  # the measurement window itself
        connections = server.stream_connections - started
    assert 2 <= connections <= 7  # 0.2, 0.4, 0.8, 1.6 s... never a hot loop
    assert seen.calls == [] and seen.errors == []


def test_unauthorized_surfaces_and_stops(server: LocalServer) -> None:
    seen = Collector()
    config = client_config(server, api_secret="wrong-secret")
    with onyx_database.init(config=config) as db:
        handle = db.from_table("Item").on_error(seen.error).stream(reconnect=FAST)
        assert handle.join(5)
    assert isinstance(handle.error, OnyxUnauthorizedError)
    assert seen.errors == [handle.error]
    assert "wrong-secret" not in str(handle.error)
    assert server.request_count("PUT", STREAM_ROUTE) == 1
    with onyx_database.init(config=config) as db, db.from_table("Item").events() as events:
        try:
            next(events)
        except OnyxUnauthorizedError:
            pass
        else:
            raise AssertionError("the pull iterator must raise the 401")


def test_a_raising_callback_reaches_on_error_and_stops(
    db: OnyxDatabase, server: LocalServer
) -> None:
    db.save("Item", {"id": "a", "score": 1})
    seen = Collector()

    def explode(entity: object, action: str) -> None:
        raise RuntimeError(f"bad handler for {action}")

    query = db.from_table("Item").on_item(explode).on_error(seen.error)
    handle = query.stream(include_query_results=True, reconnect=FAST)
    assert handle.join(15)
    assert [str(e) for e in seen.errors] == ["bad handler for QUERY_RESPONSE"]
    assert isinstance(handle.error, RuntimeError)
    assert server.request_count("PUT", STREAM_ROUTE) == 1  # no reconnect after it


def test_async_callback_on_the_sync_client_is_an_error(
    db: OnyxDatabase, server: LocalServer
) -> None:
    db.save("Item", {"id": "a", "score": 1})

    async def handler(entity: object, action: str) -> None:
        return None

    handle = db.from_table("Item").on_item(handler).stream(include_query_results=True)
    assert handle.join(15)
    assert isinstance(handle.error, OnyxUsageError)


def test_cancel_of_a_silent_stream_is_prompt(db: OnyxDatabase, server: LocalServer) -> None:
    server.keep_alive_interval = 60  # nothing at all will arrive
    handle = db.from_table("Item").on_item_added(print).stream(reconnect=FAST)
    wait_for(lambda: server.open_streams == 1, "the stream to open")
    time.sleep(0.2)  # let the reader block inside the socket read
    started = time.monotonic()
    handle.cancel()
    elapsed = time.monotonic() - started
    assert elapsed < 20  # well inside the 60 s of silence a blocked read would wait out
    assert handle.join(5)
    assert handle.error is None
    wait_for(lambda: server.open_streams == 0, "the server to see the disconnect")


def test_pull_iterator_cancel_from_another_thread(db: OnyxDatabase, server: LocalServer) -> None:
    server.keep_alive_interval = 60
    events = db.from_table("Item").events(reconnect=FAST)
    result: list[object] = []
    reader = threading.Thread(target=lambda: result.extend(events), daemon=True)
    reader.start()
    wait_for(lambda: server.open_streams == 1, "the stream to open")
    started = time.monotonic()
    events.cancel()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 1
    assert result == []


def test_cut_connections_reconnect(db: OnyxDatabase, server: LocalServer) -> None:
    seen = Collector()
    query = db.from_table("Item").on_item_added(lambda e: seen.add("added", e["id"]))
    with query.on_error(seen.error).stream(reconnect=FAST) as handle:
        wait_for(lambda: server.open_streams == 1, "the stream to open")
        before = server.stream_connections
        assert server.faults.cut_streams() == 1
        wait_for(lambda: server.stream_connections > before, "a reconnect")
        wait_for(lambda: server.open_streams == 1, "the new stream to open")
        db.save("Item", {"id": "after-cut", "score": 1})
        seen.wait_count("added", 1)
        assert handle.is_running
    assert seen.of("added") == ["after-cut"] and seen.errors == []
