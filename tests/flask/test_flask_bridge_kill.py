"""At-least-once change signals: Onyx Local is killed with SIGKILL during writes and restarted;
every write acknowledged during and after the outage still produces its signal."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from onyx_database import OnyxError, ReconnectPolicy
from onyx_flask import Onyx
from onyx_flask.signals import record_created, record_deleted, record_updated

WAIT = 30.0
SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server:
    """Onyx Local in a child process, on a fixed port and data directory (so it can restart)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = _free_port()
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "onyx_database.local", "--port", str(self.port)]
        command += ["--data", str(self.data), "--schema", str(SCHEMA)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("Onyx Local listening on"), line

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no shutdown, no flush beyond what SQLite committed
        self._reap()

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self._reap()

    def _reap(self) -> None:
        assert self.process is not None
        self.process.wait(WAIT)
        if self.process.stdout is not None:
            self.process.stdout.close()

    @property
    def options(self) -> dict[str, Any]:
        config = json.loads((self.data / "onyx-database.json").read_text())
        return {
            "database_id": config["databaseId"],
            "base_url": config["baseUrl"],
            "api_key": config["apiKey"],
            "api_secret": config["apiSecret"],
            "max_retries": 0,
            "request_timeout_seconds": 5,
        }


@pytest.fixture
def child_server(tmp_path: Path) -> Iterator[_Server]:
    server = _Server(tmp_path / "onyx-local")
    server.start()
    yield server
    server.stop()


def test_kill_9_during_writes_loses_no_signal(
    child_server: _Server, make_app: Callable[..., tuple[Flask, Onyx]], user: Callable[..., Any]
):
    app, onyx = make_app(ONYX=child_server.options)
    signalled: set[str] = set()
    changed = threading.Condition()

    def receiver(sender: Flask, record: Any, **kwargs: Any) -> None:
        with changed:
            signalled.add(record["id"])
            changed.notify_all()

    def wait_for(ids: set[str]) -> bool:
        with changed:
            return changed.wait_for(lambda: ids <= signalled, WAIT)

    record_created.connect(receiver, sender=app)
    # A reconnect wait longer than the restart and the writes after it: those writes happen
    # while the bridge is disconnected, so only its re-read can deliver them.
    slow = ReconnectPolicy(initial_delay=1.0, max_delay=1.0, jitter=0.0)
    bridge = onyx.listen("User", app=app, reconnect=slow)
    db = onyx.get_client(app)
    acknowledged: set[str] = set()
    stop_writing = threading.Event()
    progress = threading.Condition()

    def writer() -> None:
        number = 0
        while not stop_writing.is_set():
            number += 1
            try:
                db.save("User", user(number))
            except OnyxError:
                continue  # not acknowledged: no signal is owed
            with progress:
                acknowledged.add(user(number)["id"])
                progress.notify_all()

    def written_more_than(count: int) -> bool:
        with progress:
            return progress.wait_for(lambda: len(acknowledged) > count, WAIT)

    try:
        assert bridge.wait_connected(WAIT)
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            assert written_more_than(20)
            child_server.kill()
            child_server.start()  # same port, same SQLite file
            with progress:
                during = len(acknowledged)
            assert written_more_than(during + 20), "no write succeeded after the restart"
        finally:
            stop_writing.set()
            thread.join(WAIT)
        with progress:
            expected = set(acknowledged)
        assert wait_for(expected), f"{len(expected - signalled)} writes never signalled"
        assert bridge.connections >= 2 and bridge.error is None
        # Writes made while the bridge waited to reconnect came from its re-read.
        assert bridge.replayed > 0
    finally:
        record_created.disconnect(receiver, sender=app)
        bridge.cancel()
        bridge.join(WAIT)


def test_updates_and_deletes_while_away_are_delivered(
    child_server: _Server, make_app: Callable[..., tuple[Flask, Onyx]], user: Callable[..., Any]
):
    app, onyx = make_app(ONYX=child_server.options)
    seen: list[tuple[str, str, str | None]] = []
    changed = threading.Condition()

    def receiver(sender: Flask, record: Any, action: str, **kwargs: Any) -> None:
        with changed:
            seen.append((action, record["id"], record.get("username")))
            changed.notify_all()

    def wait_for(item: tuple[str, str, str | None]) -> bool:
        def found() -> bool:  # a DELETE replayed after a reconnect carries only the key
            return any(s[:2] == item[:2] and item[2] in (None, s[2]) for s in seen)

        with changed:
            return changed.wait_for(found, WAIT)

    for signal_ in (record_created, record_updated, record_deleted):
        signal_.connect(receiver, sender=app)
    slow = ReconnectPolicy(initial_delay=1.0, max_delay=1.0, jitter=0.0)
    bridge = onyx.listen("User", app=app, reconnect=slow)
    db = onyx.get_client(app)
    try:
        assert bridge.wait_connected(WAIT)
        db.save("User", [user(1), user(2)])
        assert wait_for(("CREATE", "u002", "user2"))
        child_server.kill()
        child_server.start()
        db.save("User", user(1, username="renamed"))
        db.delete("User", "u002")
        assert wait_for(("UPDATE", "u001", "renamed"))
        assert wait_for(("DELETE", "u002", None))
    finally:
        for signal_ in (record_created, record_updated, record_deleted):
            signal_.disconnect(receiver, sender=app)
        bridge.cancel()
        bridge.join(WAIT)
