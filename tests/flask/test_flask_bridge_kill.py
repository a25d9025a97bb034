"""At-least-once change signals: Onyx Local is killed with SIGKILL during writes and restarted;
every write acknowledged during and after the outage still produces its signal."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from onyx_database import ReconnectPolicy
from onyx_flask import Onyx
from onyx_flask.signals import record_created, record_deleted, record_updated

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared helpers
import bridge_restart
from bridge_restart import ChildServer, write_through_restart

WAIT = bridge_restart.WAIT
child_server = bridge_restart.child_server  # the fixture: Onyx Local in a child process


def test_kill_9_during_writes_loses_no_signal(
    child_server: ChildServer, make_app: Callable[..., tuple[Flask, Onyx]], user: Callable[..., Any]
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

    def save(number: int) -> str:
        record = user(number)
        db.save("User", record)
        return str(record["id"])

    try:
        assert bridge.wait_connected(WAIT)
        expected = write_through_restart(save, child_server)
        assert wait_for(expected), f"{len(expected - signalled)} writes never signalled"
        assert bridge.connections >= 2 and bridge.error is None
        # Writes made while the bridge waited to reconnect came from its re-read.
        assert bridge.replayed > 0
    finally:
        record_created.disconnect(receiver, sender=app)
        bridge.cancel()
        bridge.join(WAIT)


def test_updates_and_deletes_while_away_are_delivered(
    child_server: ChildServer, make_app: Callable[..., tuple[Flask, Onyx]], user: Callable[..., Any]
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
