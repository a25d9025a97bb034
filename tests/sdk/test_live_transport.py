"""Retries, faults, timeouts, wire formats and pool sharing against Onyx Local over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import onyx_database
from onyx_database import (
    AsyncOnyxDatabase,
    OnyxConnectionError,
    OnyxDatabase,
    OnyxServerError,
    OnyxTimeoutError,
    eq,
    gt,
)
from onyx_database.local import LocalServer

from .integration import client_config, sdk_schema

ITEM_PATH = "/data/{db}/Item"
QUERY_PATH = "/data/{db}/query/Item"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_refused_connection_that_comes_back(tmp_path: Path) -> None:
    port = free_port()
    with LocalServer(tmp_path, port=port, schema=sdk_schema()) as first:
        config = client_config(first, max_retries=6, retry_backoff_seconds=0.1)
        with onyx_database.init(config=config) as db:
            db.save("Item", {"id": "kept"})
    # The server is down now; bring it back (same data dir, same credentials) a moment later.
    errors: list[BaseException] = []
    stop = threading.Event()

    def restart() -> None:
        try:
            time.sleep(0.4)
            with LocalServer(tmp_path, port=port):
                stop.wait(10)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=restart)
    with onyx_database.init(config=config) as db:
        with pytest.raises(OnyxConnectionError):
            db.with_options().save("Item", {"id": "write-while-down"})  # writes are not retried
        started = time.monotonic()
        thread.start()
        try:
            found = db.find_by_id("Item", "kept")  # refused, refused, ... then answered
        finally:
            stop.set()
            thread.join()
    assert not errors
    assert found is not None and found["id"] == "kept"
    assert time.monotonic() - started >= 0.4


def test_503_with_retry_after_is_retried(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", {"id": "r"})
    server.faults.fail_next(2, status=503, retry_after=0.2, method="GET")
    started = time.monotonic()
    found = db.find_by_id("Item", "r")
    assert found is not None and found["id"] == "r"
    assert server.request_count("GET", "/data/{db}/Item/r") == 3
    assert time.monotonic() - started >= 0.4  # both Retry-After hints were honoured


def test_query_and_count_are_retried_on_429_and_503(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", [{"id": "a"}, {"id": "b"}])
    server.faults.fail_next(1, status=429, retry_after=0, path_contains="/query/Item")
    server.faults.fail_next(1, status=503, path_contains="/query/count/")
    assert len(db.from_table("Item").list()) == 2
    assert db.from_table("Item").count() == 2
    assert server.request_count("PUT", QUERY_PATH) == 2
    assert server.request_count("PUT", "/data/{db}/query/count/Item") == 2


def test_retries_give_up(db: OnyxDatabase, server: LocalServer) -> None:
    server.faults.fail_next(10, status=503, retry_after=0, method="GET")
    with pytest.raises(OnyxServerError) as info:
        db.find_by_id("Item", "x")
    assert info.value.status == 503
    assert server.request_count("GET", "/data/{db}/Item/x") == 4  # 1 + max_retries (3)


def test_max_retries_zero(server: LocalServer) -> None:
    server.faults.fail_next(1, status=503, method="GET")
    config = client_config(server, max_retries=0)
    with onyx_database.init(config=config) as db, pytest.raises(OnyxServerError):
        db.find_by_id("Item", "x")
    assert server.request_count("GET", "/data/{db}/Item/x") == 1


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("PUT", lambda db: db.save("Item", {"id": "w"})),
        ("PUT", lambda db: db.save("Item", [{"id": "w"}, {"id": "v"}])),
        ("POST", lambda db: db.insert("Item", {"id": "w"})),
        ("POST", lambda db: db.create("Item", {"id": "w"})),
    ],
)
def test_a_write_that_fails_with_503_is_not_resent(
    db: OnyxDatabase, server: LocalServer, method: str, call: Any
) -> None:
    server.faults.fail_next(1, status=503, retry_after=0, method=method)
    with pytest.raises(OnyxServerError):
        call(db)
    assert server.request_count(method, ITEM_PATH) == 1
    assert db.find_by_id("Item", "w") is None


def test_delete_that_fails_is_not_resent(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", {"id": "d"})
    server.faults.fail_next(1, status=503, method="DELETE")
    with pytest.raises(OnyxServerError):
        db.delete("Item", "d")
    assert server.request_count("DELETE", "/data/{db}/Item/d") == 1
    assert db.find_by_id("Item", "d") is not None


def test_dropped_connections(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", {"id": "k"})
    server.faults.drop_next(2, method="GET")
    found = db.find_by_id("Item", "k")
    assert found is not None
    assert server.request_count("GET", "/data/{db}/Item/k") == 3
    server.faults.drop_next(1, method="PUT")
    with pytest.raises(OnyxConnectionError):
        db.save("Item", {"id": "lost"})
    assert server.request_count("PUT", ITEM_PATH) == 2  # the setup save and the dropped one


def test_timeout_is_an_onyx_timeout_error(db: OnyxDatabase, server: LocalServer) -> None:
    server.latency_ms = 400
    fast = db.with_options(request_timeout_seconds=0.05)
    started = time.monotonic()
    with pytest.raises(OnyxTimeoutError):
        fast.save("Item", {"id": "slow"})
    assert time.monotonic() - started < 0.4
    server.latency_ms = 0


def test_msgpack_wire_format_round_trip(server: LocalServer) -> None:
    answered: list[str] = []

    def record(response: httpx.Response) -> None:
        answered.append(response.headers.get("content-type", ""))

    client = httpx.Client(event_hooks={"response": [record]})
    config = client_config(server, wire_format="msgpack")
    with client, onyx_database.init(config=config, http_client=client) as db:
        saved = db.save(
            "Item",
            {"id": "m1", "name": "ünï", "score": 2**31 - 1, "price": 1.5, "tags": ["a", None]},
        )
        assert saved["score"] == 2**31 - 1
        found = db.find_by_id("Item", "m1")
        assert found is not None
        assert (found["name"], found["tags"], found["price"]) == ("ünï", ["a", None], 1.5)
        db.batch_save("Item", ({"id": f"m{n}", "score": n} for n in range(2, 12)), batch_size=4)
        query = db.from_table("Item").where(gt("score", 5)).order_by("id").page_size(3)
        assert [row["id"] for row in query.list()] == ["m1", "m10", "m11", "m6", "m7", "m8", "m9"]
        assert query.count() == 7
        assert db.find_by_id("Item", "none") is None
    # every successful answer came back as MessagePack (only the 404 error body is JSON)
    assert sum("msgpack" in kind for kind in answered) == len(answered) - 1


def test_with_options_shares_the_pool(db: OnyxDatabase, server: LocalServer) -> None:
    db.save("Item", {"id": "s"})
    view = db.with_options(headers={"X-Trace": "1"}, request_timeout_seconds=5)
    with view:
        assert view.find_by_id("Item", "s") is not None
    assert view._transport is db._transport
    pool = db._transport.client._transport._pool  # type: ignore[attr-defined]
    assert len(pool.connections) == 1  # one keep-alive connection served both
    assert (
        db.from_table("Item").where(eq("id", "s")).count() == 1
    )  # closing the view closed nothing
    assert len(pool.connections) == 1


@pytest.mark.anyio
async def test_async_retries_timeouts_and_views(
    adb: AsyncOnyxDatabase, server: LocalServer
) -> None:
    await adb.save("Tenanted", [{"id": "t", "tenant": "A"}, {"id": "t", "tenant": "B"}])
    server.faults.fail_next(2, status=503, retry_after=0.05, method="GET")
    tenant_a = adb.with_options(partition="A")
    async with tenant_a:
        found = await tenant_a.find_by_id("Tenanted", "t")
    assert found is not None and found["tenant"] == "A"
    assert server.request_count("GET", "/data/{db}/Tenanted/t") == 3
    assert tenant_a._transport is adb._transport
    assert await adb.from_table("Tenanted").count() == 2  # the view's exit closed nothing

    server.faults.fail_next(1, status=503, method="PUT", path_contains="/Tenanted")
    with pytest.raises(OnyxServerError):
        await adb.save("Tenanted", {"id": "u", "tenant": "A"})
    assert server.request_count("PUT", "/data/{db}/Tenanted") == 2  # setup + the failed one

    server.latency_ms = 400
    with pytest.raises(OnyxTimeoutError):
        await adb.with_options(request_timeout_seconds=0.05).save("Item", {"id": "slow"})
    server.latency_ms = 0
