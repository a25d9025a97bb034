"""A stream overflow (events dropped by the server because the stream fell behind) is recovered
by the bridge: it is logged, the bridge reconnects and re-reads, and every record still gets its
``record_created`` signal (at least once)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask

from onyx_flask import Onyx
from onyx_flask.signals import record_created

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

WAIT = 60.0  # an upper bound on waits for events; reached only when a test fails


def test_overflow_is_logged_and_recovered_by_listen(
    app_and_onyx: tuple[Flask, Onyx],
    server: LocalServer,
    user: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, onyx = app_and_onyx
    db = onyx.get_client(app)
    server.stream_buffer = 20
    existing = {id(s) for s in server.changes.subscriptions()}
    created: set[str] = set()
    saved: set[str] = set()
    changed = threading.Condition()

    def receiver(sender: Flask, record: Any, **kwargs: Any) -> None:
        with changed:
            created.add(record["id"])
            changed.notify_all()

    record_created.connect(receiver, sender=app)
    try:
        with caplog.at_level(logging.WARNING):
            handle = onyx.listen("User", app=app)
            deadline = time.monotonic() + WAIT
            while True:
                mine = [s for s in server.changes.subscriptions() if id(s) not in existing]
                if mine:
                    break
                assert time.monotonic() < deadline, "the live stream never connected"
                time.sleep(0.01)
            (subscription,) = mine
            burst = 0
            while not subscription.overflowed:  # bursts bigger than the server's buffer
                assert burst < 50, "the stream never overflowed"
                records = [user(1000 + burst * 200 + n) for n in range(200)]
                db.save("User", records)
                saved.update(record["id"] for record in records)
                burst += 1
            server.stream_buffer = 10_000
            with changed:
                done = changed.wait_for(lambda: saved <= created, WAIT)
            assert done, f"{len(saved - created)} records never signalled"
            assert handle.is_running and handle.error is None
            assert handle.connections >= 2
    finally:
        server.stream_buffer = 10_000
        record_created.disconnect(receiver, sender=app)
        handle.cancel()
    assert any("lost" in record.getMessage() for record in caplog.records)
