"""A stream overflow (events dropped because the consumer fell behind) reaches the application
through the Django signal bridge: ``on_error``, the ``onyx_django`` log and ``handle.error``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from test_django_signals import WAIT, subscribed, user

from onyx_database import OnyxStreamOverflowError
from onyx_django import connections, listen

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


def test_overflow_is_reported_by_listen(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    db = connections.pool()
    server.stream_buffer = 20
    existing = {id(s) for s in server.changes.subscriptions()}
    before = server.stream_connections
    try:
        with caplog.at_level(logging.ERROR, logger="onyx_django"):
            handle = listen("User", on_error=errors.append)
            subscribed(server, before)
            (subscription,) = [s for s in server.changes.subscriptions() if id(s) not in existing]
            burst = 0
            while not subscription.overflowed:  # bursts bigger than the server's buffer
                assert burst < 50, "the stream never overflowed"
                db.save("User", [user(f"o{burst}-{n}") for n in range(200)])
                burst += 1
            assert handle.join(WAIT), "the stream kept running after an overflow"
    finally:
        server.stream_buffer = 10_000
    assert isinstance(handle.error, OnyxStreamOverflowError)
    assert errors == [handle.error]
    assert any("lost" in record.getMessage() for record in caplog.records)
