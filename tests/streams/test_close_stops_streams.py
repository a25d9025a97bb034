"""Closing a client stops the live streams opened through it (no orphaned threads or tasks)."""

from __future__ import annotations

import asyncio
import time

import pytest

import onyx_database
from onyx_database.local import LocalServer

from .conftest import client_config, wait_for


def test_close_cancels_callback_streams_and_iterators(server: LocalServer) -> None:
    db = onyx_database.init(config=client_config(server))
    handle = db.from_table("Item").on_item_added(lambda entity: None).stream()
    events = db.from_table("Item").events()
    wait_for(lambda: server.open_streams >= 1, "the callback stream to connect")
    assert handle.is_running
    started = time.monotonic()
    db.close()
    assert time.monotonic() - started < 5.0
    assert not handle.is_running
    assert handle.error is None  # a requested stop is not an error
    assert list(events) == []  # cancelled before it read anything: the loop just ends
    wait_for(lambda: server.open_streams == 0, "the server to see the streams close")


@pytest.mark.anyio
async def test_aclose_cancels_async_callback_streams(server: LocalServer) -> None:
    db = onyx_database.init_async(config=client_config(server))
    handle = await db.from_table("Item").on_item_added(lambda entity: None).stream_callbacks()
    deadline = time.monotonic() + 15
    while server.open_streams < 1 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert handle.is_running
    await db.aclose()
    assert not handle.is_running
    assert handle.error is None
