"""The change stream → Django signals bridge (``listen``, ``onyx_listen``) on Onyx Local."""

from __future__ import annotations

import io
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from conftest import NOW
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.dispatch import Signal
from onyx_django_testapp import Profile

from onyx_database import eq
from onyx_django import connections, listen
from onyx_django.signals import record_created, record_deleted, record_updated

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

WAIT = 60.0  # an upper bound on waits for events; reached only when a test fails


class Received:
    """A receiver that keeps ``(sender, kwargs)`` and sets an event once ``count`` arrived."""

    def __init__(self, count: int = 1) -> None:
        self.calls: list[tuple[Any, dict[str, Any]]] = []
        self.count = count
        self.done = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        with self._lock:
            self.calls.append((sender, kwargs))
            if len(self.calls) >= self.count:
                self.done.set()

    def wait(self) -> list[tuple[Any, dict[str, Any]]]:
        assert self.done.wait(WAIT), f"only {len(self.calls)} of {self.count} signals arrived"
        return list(self.calls)


@pytest.fixture
def connect() -> Iterator[Callable[[Signal, Received], Received]]:
    connected: list[tuple[Signal, Received]] = []

    def _connect(sig: Signal, receiver: Received) -> Received:
        sig.connect(receiver, weak=False)
        connected.append((sig, receiver))
        return receiver

    yield _connect
    for sig, receiver in connected:
        sig.disconnect(receiver)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def subscribed(server: LocalServer, before: int, count: int = 1) -> None:
    """Wait until ``count`` more streams were accepted (they subscribe before answering)."""
    wait_for(lambda: server.stream_connections >= before + count, "the stream to open")


def user(uid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "username": uid,
        "email": f"{uid}@example.com",
        "isActive": True,
        "createdAt": NOW,
        "updatedAt": NOW,
        **extra,
    }


def profile(pid: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "firstName": "F", "lastName": "L", "createdAt": NOW, "userId": "u1", **extra}


def test_created_updated_deleted_send_signals(
    server: LocalServer, connect: Callable[[Signal, Received], Received]
) -> None:
    created = connect(record_created, Received())
    updated = connect(record_updated, Received())
    deleted = connect(record_deleted, Received())
    db = connections.pool()
    before = server.stream_connections
    with listen("User") as handle:
        subscribed(server, before)
        db.save("User", user("s1"))
        [(sender, kwargs)] = created.wait()
        assert sender == "User"
        assert kwargs["table"] == "User" and kwargs["alias"] == "default"
        assert kwargs["action"] == "CREATE"
        assert kwargs["record"]["id"] == "s1" and kwargs["record"]["email"] == "s1@example.com"

        db.save("User", user("s1", email="new@example.com"))
        [(_, kwargs)] = updated.wait()
        assert kwargs["action"] == "UPDATE" and kwargs["record"]["email"] == "new@example.com"

        db.delete("User", "s1")
        [(_, kwargs)] = deleted.wait()
        assert kwargs["action"] == "DELETE" and kwargs["record"]["id"] == "s1"
        assert handle.is_running and handle.error is None
    assert handle.join(WAIT)


def test_model_class_is_sender_and_records_are_validated(
    server: LocalServer, connect: Callable[[Signal, Received], Received]
) -> None:
    created = Received()
    record_created.connect(created, sender=Profile, weak=False)
    other = connect(record_created, Received())
    try:
        before = server.stream_connections
        with listen(Profile, alias="analytics"):
            subscribed(server, before)
            connections.pool().save("UserProfile", profile("p9", firstName="Kay", age=7))
            [(sender, kwargs)] = created.wait()
            assert other.wait()[0][0] is Profile
    finally:
        record_created.disconnect(created, sender=Profile)
    assert sender is Profile
    record = kwargs["record"]
    assert isinstance(record, Profile) and record.firstName == "Kay" and record.age == 7
    assert kwargs["table"] == "UserProfile" and kwargs["alias"] == "analytics"


@pytest.mark.parametrize(
    "where",
    [eq("isActive", True), Q(isActive=True), {"isActive": True}],
    ids=["condition", "q", "lookups"],
)
def test_where_filters_events(
    server: LocalServer, connect: Callable[[Signal, Received], Received], where: Any
) -> None:
    created = connect(record_created, Received())
    db = connections.pool()
    before = server.stream_connections
    with listen("User", where=where):
        subscribed(server, before)
        db.save("User", user("off", isActive=False))
        db.save("User", user("on"))
        calls = created.wait()
    assert [kwargs["record"]["id"] for _, kwargs in calls] == ["on"]


def test_a_failing_receiver_is_logged_and_the_stream_goes_on(
    server: LocalServer,
    connect: Callable[[Signal, Received], Received],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("receiver failed")

    record_created.connect(broken, weak=False)
    created = connect(record_created, Received(2))
    try:
        before = server.stream_connections
        with caplog.at_level(logging.ERROR, logger="onyx_django"), listen("User") as handle:
            subscribed(server, before)
            connections.pool().save("User", user("r1"))
            connections.pool().save("User", user("r2"))
            created.wait()
            assert handle.is_running
    finally:
        record_created.disconnect(broken)
    assert "receiver failed" in caplog.text or "broken" in caplog.text


def test_stream_errors_reach_on_error_and_the_log(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    failed = threading.Event()
    errors: list[BaseException] = []

    def on_error(exc: BaseException) -> None:
        errors.append(exc)
        failed.set()

    with caplog.at_level(logging.ERROR, logger="onyx_django"):
        handle = listen("NoSuchTable", on_error=on_error)
        assert failed.wait(WAIT)
        assert handle.join(WAIT)
    assert handle.error is errors[0]
    assert "NoSuchTable" in caplog.text
    assert any(r.name == "onyx_django" for r in caplog.records)


def test_cancel_is_prompt_and_sends_nothing_more(
    server: LocalServer, connect: Callable[[Signal, Received], Received]
) -> None:
    created = connect(record_created, Received())
    before = server.stream_connections
    handle = listen("User")
    subscribed(server, before)
    started = time.monotonic()
    handle.cancel()
    assert handle.join(WAIT)
    # a cancel that waited for the next keep-alive (15 s) would take longer; generous for load
    assert time.monotonic() - started < 10.0
    assert not handle.is_running and handle.error is None
    connections.pool().save("User", user("late"))
    assert created.calls == []


def test_on_event_runs_after_the_signal(
    server: LocalServer, connect: Callable[[Signal, Received], Received]
) -> None:
    created = connect(record_created, Received())
    seen: list[tuple[str, Any, int]] = []
    done = threading.Event()

    def on_event(action: str, record: Any) -> None:
        seen.append((action, record["id"], len(created.calls)))
        done.set()

    before = server.stream_connections
    with listen("User", on_event=on_event):
        subscribed(server, before)
        connections.pool().save("User", user("e1"))
        assert done.wait(WAIT)
    assert seen == [("CREATE", "e1", 1)]


def test_where_of_the_wrong_type_is_a_type_error(server: LocalServer) -> None:
    with pytest.raises(TypeError, match="where must be"):
        listen("User", where=["isActive"])  # type: ignore[arg-type]


# -- manage.py onyx_listen -------------------------------------------------------------------


def writer(server: LocalServer, before: int, *records: dict[str, Any]) -> threading.Thread:
    def write() -> None:
        subscribed(server, before)
        for record in records:
            connections.pool().save("User", record)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_onyx_listen_returns_after_max_events(
    server: LocalServer, connect: Callable[[Signal, Received], Received]
) -> None:
    created = connect(record_created, Received())
    out = io.StringIO()
    thread = writer(server, server.stream_connections, user("c1"))
    call_command("onyx_listen", "User", "--max-events", "1", stdout=out, stderr=io.StringIO())
    thread.join(WAIT)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CREATE User {")
    assert '"id": "c1"' in lines[0]
    [(sender, kwargs)] = created.wait()
    assert sender == "User" and kwargs["record"]["id"] == "c1"


def test_onyx_listen_several_tables_and_database(server: LocalServer) -> None:
    out = io.StringIO()
    before = server.stream_connections

    def write() -> None:
        subscribed(server, before, 2)
        connections.pool().save("UserProfile", profile("p8", firstName="Lin"))
        connections.pool().save("User", user("c2"))

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    call_command(
        "onyx_listen",
        "UserProfile",
        "User",
        "--database",
        "analytics",
        "--max-events",
        "2",
        stdout=out,
        stderr=io.StringIO(),
    )
    thread.join(WAIT)
    lines = sorted(out.getvalue().splitlines())
    assert [line.split()[:2] for line in lines] == [["CREATE", "User"], ["CREATE", "UserProfile"]]


def test_onyx_listen_timeout_and_stop_event(server: LocalServer) -> None:
    started = time.monotonic()
    call_command(
        "onyx_listen", "User", "--timeout", "0.3", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert time.monotonic() - started < 5.0

    from onyx_django.management.commands.onyx_listen import Command

    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    before = server.stream_connections

    def stop_later() -> None:
        subscribed(server, before)
        command.stop.set()

    thread = threading.Thread(target=stop_later, daemon=True)
    thread.start()
    call_command(command, "User")
    thread.join(WAIT)
    assert not thread.is_alive()


def test_onyx_listen_stream_error_is_a_command_error(server: LocalServer) -> None:
    with pytest.raises(CommandError, match="NoSuchTable"):
        call_command("onyx_listen", "NoSuchTable", stdout=io.StringIO(), stderr=io.StringIO())


def test_onyx_listen_rejects_bad_options(server: LocalServer) -> None:
    with pytest.raises(CommandError, match="max-events"):
        call_command("onyx_listen", "User", "--max-events", "0")


def test_onyx_listen_stops_cleanly_on_sigterm(server: LocalServer) -> None:
    before = server.stream_connections
    previous = signal.getsignal(signal.SIGTERM)

    def terminate() -> None:
        subscribed(server, before)  # the command installs its handler before it connects
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=terminate, daemon=True)
    thread.start()
    call_command("onyx_listen", "User", stdout=io.StringIO(), stderr=io.StringIO())
    thread.join(WAIT)
    assert signal.getsignal(signal.SIGTERM) is previous
    wait_for(lambda: server.open_streams == 0, "the stream to close")
