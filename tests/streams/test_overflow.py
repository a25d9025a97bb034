"""Loss is never silent: a consumer that falls behind gets ``OnyxStreamOverflowError`` through
every surface (``on_error`` and ``handle.error``, the pull iterator, the async iterator, the async
callback handle), never a quiet reconnect. Real Onyx Local, a real stalled consumer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest

from onyx_database import (
    AsyncOnyxDatabase,
    OnyxDatabase,
    OnyxStreamOverflowError,
    StreamEvent,
)
from onyx_database.local import LocalServer
from onyx_database.local._changes import Subscription

from .conftest import FAST, wait_for

BLOB = "x" * 20_000  # big events fill the socket buffers quickly, so the server's queue backs up


def _subscription(server: LocalServer) -> Subscription:
    wait_for(lambda: server.open_streams == 1, "the stream to open")
    (subscription,) = server.changes.subscriptions()
    return subscription


def flood_until_overflow(server: LocalServer, save: Callable[[list[dict[str, Any]]], Any]) -> int:
    """Save 50 big records at a time until the stream's server-side queue overflows; returns
    how many records were saved. The consumer must not read meanwhile, and the stream must
    have been opened after ``server.stream_buffer`` was made small."""
    subscription = _subscription(server)
    saved = 0
    while not subscription.overflowed:
        assert saved < 20_000, "the stream never overflowed"
        rows = [{"id": f"r{saved + n}", "score": n, "blob": BLOB} for n in range(50)]
        save(rows)
        saved += len(rows)
    return saved


def test_callback_stream_reports_overflow_to_on_error_and_handle(
    db: OnyxDatabase, server: LocalServer
) -> None:
    release = threading.Event()
    errors: list[BaseException] = []
    seen: list[Any] = []

    def stall(entity: Any) -> None:
        release.wait(30)
        seen.append(entity)

    server.stream_buffer = 20
    query = db.from_table("Item").on_item_added(stall).on_error(errors.append)
    with query.stream(reconnect=FAST) as handle:
        saved = flood_until_overflow(server, lambda rows: db.save("Item", rows))
        release.set()
        assert handle.join(30), "the stream kept running after an overflow"
    assert isinstance(handle.error, OnyxStreamOverflowError)
    assert errors == [handle.error]
    assert handle.error.code == "STREAM_OVERFLOW"
    assert "lost" in str(handle.error)
    assert len(seen) < saved  # the loss was reported, not hidden behind a reconnect


def test_pull_iterator_raises_overflow(db: OnyxDatabase, server: LocalServer) -> None:
    received: list[StreamEvent[Any]] = []
    db.save("Item", {"id": "first", "score": 0})
    server.stream_buffer = 20
    with db.from_table("Item").events(True, reconnect=FAST) as events:
        received.append(next(events))  # the iterator connects on first use
        flood_until_overflow(server, lambda rows: db.save("Item", rows))
        with pytest.raises(OnyxStreamOverflowError):
            received.extend(events)
    assert received[0].action == "QUERY_RESPONSE"  # delivered before the gap, then the loss


@pytest.mark.anyio
async def test_async_iterator_and_async_handle_raise_overflow(
    adb: AsyncOnyxDatabase, db: OnyxDatabase, server: LocalServer
) -> None:
    def flood() -> int:
        return flood_until_overflow(server, lambda rows: db.save("Item", rows))

    await adb.save("Item", {"id": "first", "score": 0})
    server.stream_buffer = 20
    async with adb.from_table("Item").events(True, reconnect=FAST) as events:
        first = await anext(events)  # the iterator connects on first use
        await anyio.to_thread.run_sync(flood)
        with pytest.raises(OnyxStreamOverflowError):
            async for _event in events:
                pass
    assert first.action == "QUERY_RESPONSE"
    await anyio.to_thread.run_sync(lambda: wait_for(lambda: server.open_streams == 0, "close"))
    server.reset_data()

    gate = anyio.Event()
    errors: list[BaseException] = []

    async def stall(entity: Any) -> None:
        await gate.wait()

    query = adb.from_table("Item").on_item_added(stall).on_error(errors.append)
    async with await query.stream_callbacks(reconnect=FAST) as handle:
        await anyio.to_thread.run_sync(flood)
        gate.set()
        assert await handle.join(30)
    assert isinstance(handle.error, OnyxStreamOverflowError)
    assert errors == [handle.error]
