"""The change-stream bridge: ``onyx.listen`` sends blinker signals; ``flask onyx listen``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, current_app

from onyx_database import eq
from onyx_flask import Onyx, record_created, record_deleted, record_updated

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

WAIT = 60.0  # an upper bound on waits for events; reached only when a test fails


def _wait_connected(server: LocalServer, before: int, count: int = 1) -> None:
    """Wait until ``count`` new streams are open on the server (so no write is missed)."""
    deadline = time.monotonic() + WAIT
    while server.stream_connections < before + count:
        assert time.monotonic() < deadline, "the live stream never connected"
        time.sleep(0.01)
    time.sleep(0.05)


class Collector:
    """A receiver that remembers what it got, with an Event per expected count."""

    def __init__(self, expected: int = 1) -> None:
        self.calls: list[dict[str, Any]] = []
        self.expected = expected
        self.done = threading.Event()

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        kwargs["sender"] = sender
        kwargs["app_context"] = current_app._get_current_object()  # type: ignore[attr-defined]
        self.calls.append(kwargs)
        if len(self.calls) >= self.expected:
            self.done.set()


def test_created_updated_deleted_reach_receivers(
    app_and_onyx: tuple[Flask, Onyx], server: LocalServer, user: Callable[..., dict[str, Any]]
):
    app, onyx = app_and_onyx
    created, updated, deleted = Collector(), Collector(), Collector()
    record_created.connect(created, sender=app)
    record_updated.connect(updated, sender=app)
    record_deleted.connect(deleted, sender=app)
    try:
        before = server.stream_connections
        handle = onyx.listen("User", app=app)
        _wait_connected(server, before)
        db = onyx.get_client(app)
        db.save("User", user(1))
        assert created.done.wait(WAIT)
        db.save("User", user(1, username="renamed"))
        assert updated.done.wait(WAIT)
        db.delete("User", "u001")
        assert deleted.done.wait(WAIT)
        handle.cancel()
    finally:
        record_created.disconnect(created)
        record_updated.disconnect(updated)
        record_deleted.disconnect(deleted)
    [c], [u], [d] = created.calls, updated.calls, deleted.calls
    assert (c["sender"], c["table"], c["action"], c["record"]["id"]) == (
        app,
        "User",
        "CREATE",
        "u001",
    )
    assert c["app_context"] is app
    assert (u["action"], u["record"]["username"]) == ("UPDATE", "renamed")
    assert (d["action"], d["record"]["id"]) == ("DELETE", "u001")


def test_connect_via_and_current_app(
    app_and_onyx: tuple[Flask, Onyx], server: LocalServer, user: Callable[..., dict[str, Any]]
):
    app, onyx = app_and_onyx
    got: list[Any] = []
    done = threading.Event()

    @record_created.connect_via(app)
    def receiver(sender: Flask, record: Any, table: str, action: str, **extra: Any) -> None:
        got.append(record)
        done.set()

    try:
        before = server.stream_connections
        with app.app_context():
            handle = onyx.listen("User")  # the current app is the sender
        _wait_connected(server, before)
        onyx.get_client(app).save("User", user(2))
        assert done.wait(WAIT)
        assert got[0]["email"] == "user2@example.com"
        handle.cancel()
        assert handle.join(WAIT)
        assert handle.error is None
    finally:
        record_created.disconnect(receiver)


def test_signals_of_another_app_are_not_received(
    make_app: Callable[..., tuple[Flask, Onyx]],
    onyx_options: dict[str, Any],
    server: LocalServer,
    user: Callable[..., dict[str, Any]],
):
    onyx = Onyx()
    app_a, _ = make_app(onyx, ONYX=onyx_options)
    app_b, _ = make_app(onyx, ONYX=onyx_options)
    got_a, got_b = Collector(), Collector()
    record_created.connect(got_a, sender=app_a)
    record_created.connect(got_b, sender=app_b)
    try:
        before = server.stream_connections
        onyx.listen("User", app=app_a)
        _wait_connected(server, before)
        onyx.get_client(app_a).save("User", user(3))
        assert got_a.done.wait(WAIT)
        time.sleep(0.2)
        assert got_b.calls == []
    finally:
        record_created.disconnect(got_a)
        record_created.disconnect(got_b)


def test_where_filters_events(
    app_and_onyx: tuple[Flask, Onyx], server: LocalServer, user: Callable[..., dict[str, Any]]
):
    app, onyx = app_and_onyx
    created = Collector()
    record_created.connect(created, sender=app)
    try:
        before = server.stream_connections
        handle = onyx.listen("User", where=eq("isActive", True), app=app)
        _wait_connected(server, before)
        db = onyx.get_client(app)
        db.save("User", user(4, isActive=False))
        db.save("User", user(5, isActive=True))
        assert created.done.wait(WAIT)
        time.sleep(0.2)
        handle.cancel()
    finally:
        record_created.disconnect(created)
    assert [call["record"]["id"] for call in created.calls] == ["u005"]


def test_cancel_is_prompt_and_close_cancels(app_and_onyx: tuple[Flask, Onyx], server: LocalServer):
    app, onyx = app_and_onyx
    before = server.stream_connections
    first = onyx.listen("User", app=app)
    second = onyx.listen("Role", app=app)
    _wait_connected(server, before, 2)
    started = time.monotonic()
    first.cancel()
    assert first.join(WAIT)
    # a cancel that waited for the next keep-alive (15 s) would take longer; generous for load
    assert time.monotonic() - started < 10.0
    assert not first.is_running and first.error is None
    assert second.is_running
    onyx.close(app)
    assert second.join(WAIT)
    assert second.error is None


def test_stream_errors_are_logged_on_the_app_logger(
    app_and_onyx: tuple[Flask, Onyx], caplog: pytest.LogCaptureFixture
):
    app, onyx = app_and_onyx
    with caplog.at_level("ERROR", logger=app.logger.name):
        handle = onyx.listen("NoSuchTable", app=app)
        assert handle.join(WAIT)
    assert handle.error is not None
    messages = [r.getMessage() for r in caplog.records if r.name == app.logger.name]
    assert any("NoSuchTable" in message for message in messages), messages


def test_a_failing_receiver_stops_the_stream_and_is_logged(
    app_and_onyx: tuple[Flask, Onyx],
    server: LocalServer,
    user: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
):
    app, onyx = app_and_onyx

    def broken(sender: Any, **kwargs: Any) -> None:
        raise ValueError("receiver failed")

    record_created.connect(broken, sender=app)
    try:
        with caplog.at_level("ERROR", logger=app.logger.name):
            before = server.stream_connections
            handle = onyx.listen("User", app=app)
            _wait_connected(server, before)
            onyx.get_client(app).save("User", user(6))
            assert handle.join(WAIT)
    finally:
        record_created.disconnect(broken)
    assert isinstance(handle.error, ValueError)
    assert any("receiver failed" in r.getMessage() for r in caplog.records)


def test_model_class_table(
    app_and_onyx: tuple[Flask, Onyx], server: LocalServer, user: Callable[..., dict[str, Any]]
):
    from pydantic import BaseModel, ConfigDict

    class User(BaseModel):
        model_config = ConfigDict(extra="allow")
        id: str
        username: str

    app, onyx = app_and_onyx
    created = Collector()
    record_created.connect(created, sender=app)
    try:
        before = server.stream_connections
        handle = onyx.listen(User, app=app)
        _wait_connected(server, before)
        onyx.get_client(app).save("User", user(7))
        assert created.done.wait(WAIT)
        handle.cancel()
    finally:
        record_created.disconnect(created)
    [call] = created.calls
    assert call["table"] == "User"
    assert isinstance(call["record"], User)
    assert call["record"].username == "user7"


# -- flask onyx listen ---------------------------------------------------------------------------


def _write_when_connected(
    server: LocalServer, before: int, write: Callable[[], Any]
) -> threading.Thread:
    def run() -> None:
        _wait_connected(server, before)
        write()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_cli_listen_stops_after_max_events(
    app_and_onyx: tuple[Flask, Onyx], server: LocalServer, user: Callable[..., dict[str, Any]]
):
    app, onyx = app_and_onyx
    created = Collector()
    record_created.connect(created, sender=app)  # app receivers fire in the worker too
    db = onyx.get_client(app)
    try:
        writer = _write_when_connected(
            server, server.stream_connections, lambda: db.save("User", user(8))
        )
        result = app.test_cli_runner().invoke(
            args=["onyx", "listen", "User", "--max-events", "1", "--timeout", "60"]
        )
        writer.join(WAIT)
    finally:
        record_created.disconnect(created)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("CREATE User {")
    assert '"id": "u008"' in lines[0]
    assert "Stopped after 1 event." in result.stderr
    assert created.calls and created.calls[0]["record"]["id"] == "u008"


def test_cli_listen_several_tables(
    app_and_onyx: tuple[Flask, Onyx], server: LocalServer, user: Callable[..., dict[str, Any]]
):
    app, onyx = app_and_onyx
    db = onyx.get_client(app)

    def write() -> None:
        db.save("User", user(9))
        db.delete("User", "u009")

    before = server.stream_connections
    writer = threading.Thread(
        target=lambda: (_wait_connected(server, before, 2), write()), daemon=True
    )
    writer.start()
    result = app.test_cli_runner().invoke(
        args=["onyx", "listen", "User", "Role", "--max-events", "2", "--timeout", "60"]
    )
    writer.join(WAIT)
    assert result.exit_code == 0, result.output
    actions = [line.split(" ", 2)[:2] for line in result.stdout.splitlines()]
    assert actions == [["CREATE", "User"], ["DELETE", "User"]]


def test_cli_listen_timeout(app_and_onyx: tuple[Flask, Onyx]):
    app, _ = app_and_onyx
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["onyx", "listen", "User", "--timeout", "0.5"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Stopped after 0 events." in result.stderr
    assert time.monotonic() - started < WAIT


def test_cli_listen_sigterm_stops_cleanly(app_and_onyx: tuple[Flask, Onyx], server: LocalServer):
    import os
    import signal

    app, _ = app_and_onyx
    before = server.stream_connections
    killer = threading.Thread(
        target=lambda: (_wait_connected(server, before), os.kill(os.getpid(), signal.SIGTERM)),
        daemon=True,
    )
    previous = signal.getsignal(signal.SIGTERM)
    killer.start()
    result = app.test_cli_runner().invoke(args=["onyx", "listen", "User", "--timeout", "60"])
    killer.join(WAIT)
    assert result.exit_code == 0, result.output
    assert "Stopped after 0 events." in result.stderr
    assert signal.getsignal(signal.SIGTERM) is previous


def test_cli_listen_unknown_table_fails(app_and_onyx: tuple[Flask, Onyx]):
    app, _ = app_and_onyx
    result = app.test_cli_runner().invoke(args=["onyx", "listen", "NoSuchTable", "--timeout", "60"])
    assert result.exit_code == 1
    assert "NoSuchTable" in result.output


def test_cli_listen_needs_a_table(app_and_onyx: tuple[Flask, Onyx]):
    app, _ = app_and_onyx
    result = app.test_cli_runner().invoke(args=["onyx", "listen"])
    assert result.exit_code == 2
