"""A stream overflow (events dropped because receivers fell behind) reaches the application
through the blinker bridge: ``app.logger`` and ``handle.error``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask

from onyx_database import OnyxStreamOverflowError
from onyx_flask import Onyx

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

WAIT = 15.0


def test_overflow_is_reported_by_listen(
    app_and_onyx: tuple[Flask, Onyx],
    server: LocalServer,
    user: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, onyx = app_and_onyx
    db = onyx.get_client(app)
    server.stream_buffer = 20
    existing = {id(s) for s in server.changes.subscriptions()}
    try:
        with caplog.at_level(logging.ERROR):
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
                db.save("User", [user(1000 + burst * 200 + n) for n in range(200)])
                burst += 1
            assert handle.join(WAIT), "the stream kept running after an overflow"
    finally:
        server.stream_buffer = 10_000
    assert isinstance(handle.error, OnyxStreamOverflowError)
    assert any("lost" in record.getMessage() for record in caplog.records)
