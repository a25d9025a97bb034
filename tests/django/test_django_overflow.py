"""A stream overflow (events dropped by the server because receivers fell behind) is recovered
by the Django signal bridge: it is logged, the bridge reconnects and re-reads, and every record
still gets its ``record_created`` signal (at least once)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import pytest
from test_django_signals import WAIT, subscribed, user

from onyx_django import connections, listen
from onyx_django.signals import record_created

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


def test_overflow_is_logged_and_recovered_by_listen(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    db = connections.pool()
    server.stream_buffer = 20
    existing = {id(s) for s in server.changes.subscriptions()}
    before = server.stream_connections
    created: set[str] = set()
    saved: set[str] = set()
    changed = threading.Condition()

    def receiver(sender: Any, record: Any, **kwargs: Any) -> None:
        with changed:
            created.add(record["id"])
            changed.notify_all()

    record_created.connect(receiver, weak=False)
    bridge = None
    try:
        with caplog.at_level(logging.WARNING):
            bridge = listen("User")
            subscribed(server, before)
            (subscription,) = [s for s in server.changes.subscriptions() if id(s) not in existing]
            burst = 0
            while not subscription.overflowed:  # bursts bigger than the server's buffer
                assert burst < 50, "the stream never overflowed"
                records = [user(f"o{burst}-{n}") for n in range(200)]
                db.save("User", records)
                saved.update(record["id"] for record in records)
                burst += 1
            server.stream_buffer = 10_000
            with changed:
                done = changed.wait_for(lambda: saved <= created, WAIT)
            assert done, f"{len(saved - created)} records never signalled"
            assert bridge.is_running and bridge.error is None
            assert bridge.connections >= 2
    finally:
        server.stream_buffer = 10_000
        record_created.disconnect(receiver)
        if bridge is not None:
            bridge.cancel()
            bridge.join(WAIT)
    assert any("lost" in record.getMessage() for record in caplog.records)
