"""Async streams: ``async with query.events()`` and task-based callbacks, no threads."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

import onyx_database
from onyx_database import (
    AsyncEventStream,
    AsyncOnyxDatabase,
    AsyncStreamHandle,
    OnyxUnauthorizedError,
    ReconnectPolicy,
    gt,
)
from onyx_database.local import LocalServer

from .conftest import FAST, client_config

pytestmark = pytest.mark.anyio


async def _until(predicate: Any, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_async_iterator(adb: AsyncOnyxDatabase, server: LocalServer) -> None:
    await adb.save("Item", {"id": "a", "score": 1})
    got: list[tuple[str, str]] = []
    stream = adb.from_table("Item").where(gt("score", 0)).events(include_query_results=True)
    assert isinstance(stream, AsyncEventStream)
    async with stream as events:
        async for event in events:
            got.append((event.action, event.entity["id"]))
            if event.action == "QUERY_RESPONSE":
                await _until(lambda: server.open_streams == 1, "the stream to open")
                await adb.save("Item", {"id": "b", "score": 2})
                await adb.save("Item", {"id": "b", "score": 0})
            elif event.action == "DELETE":
                break
    assert got == [("QUERY_RESPONSE", "a"), ("CREATE", "b"), ("DELETE", "b")]
    await _until(lambda: server.open_streams == 0, "the connection to close")


async def test_async_callbacks_run_on_the_loop(adb: AsyncOnyxDatabase, server: LocalServer) -> None:
    seen: list[tuple[str, str]] = []
    threads: set[int] = set()
    done = asyncio.Event()

    async def added(entity: dict[str, Any]) -> None:
        threads.add(threading.get_ident())
        await asyncio.sleep(0)
        seen.append(("added", entity["id"]))

    def deleted(entity: dict[str, Any]) -> None:
        seen.append(("deleted", entity["id"]))
        done.set()

    query = adb.from_table("Item").on_item_added(added).on_item_deleted(deleted)
    handle = await query.stream(reconnect=FAST)  # the same name as the sync client
    assert isinstance(handle, AsyncStreamHandle)
    async with handle:
        await _until(lambda: server.open_streams == 1, "the stream to open")
        await adb.save("Item", {"id": "x", "score": 1})
        await adb.delete("Item", "x")
        await asyncio.wait_for(done.wait(), 15)
    assert seen == [("added", "x"), ("deleted", "x")]
    assert threads == {threading.get_ident()}
    assert not handle.is_running and handle.error is None


async def test_async_errors(server: LocalServer) -> None:
    errors: list[BaseException] = []

    async def on_error(error: BaseException) -> None:
        errors.append(error)

    config = client_config(server, api_secret="nope")
    async with onyx_database.init_async(config=config) as adb:
        handle = await adb.from_table("Item").on_error(on_error).stream_callbacks(reconnect=FAST)
        assert await handle.join(5)
        assert isinstance(handle.error, OnyxUnauthorizedError) and errors == [handle.error]
        async with adb.from_table("Item").events() as events:
            with pytest.raises(OnyxUnauthorizedError):
                await anext(events)


async def test_async_callback_error_stops_without_reconnect(
    adb: AsyncOnyxDatabase, server: LocalServer
) -> None:
    await adb.save("Item", {"id": "a", "score": 1})
    errors: list[BaseException] = []

    async def explode(entity: Any, action: str) -> None:
        raise ValueError("handler failed")

    query = adb.from_table("Item").on_item(explode).on_error(errors.append)
    handle = await query.stream_callbacks(include_query_results=True, reconnect=FAST)
    assert await handle.join(15)
    assert [str(e) for e in errors] == ["handler failed"]
    assert server.request_count("PUT", "/data/{db}/query/stream/{table}") == 1


async def test_async_cancel_is_prompt_and_reconnects_back_off(
    adb: AsyncOnyxDatabase, server: LocalServer
) -> None:
    server.keep_alive_interval = 60
    handle = await adb.from_table("Item").on_item_added(print).stream_callbacks()
    await _until(lambda: server.open_streams == 1, "the stream to open")
    started = time.monotonic()
    handle.cancel()
    assert await handle.join(5)
    assert time.monotonic() - started < 0.5
    await _until(lambda: server.open_streams == 0, "the server to see the disconnect")

    server.faults.close_streams_immediately(True)
    before = server.stream_connections
    policy = ReconnectPolicy(initial_delay=0.2)
    async with await adb.from_table("Item").stream_callbacks(reconnect=policy) as running:
        await asyncio.sleep(2)  # the measurement window
        assert running.is_running
    assert 2 <= server.stream_connections - before <= 5
