"""At-least-once Django change signals: Onyx Local is killed with SIGKILL during writes and
restarted; every write acknowledged before, during and after the outage still produces its
``record_created``. The child server and the writer are ``tests/bridge_restart.py``'s, shared with
``tests/flask/test_flask_bridge_kill.py``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_django_signals import user

from onyx_database import ReconnectPolicy
from onyx_django import connections, listen
from onyx_django.signals import record_created, record_deleted, record_updated

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared helpers
import bridge_restart
from bridge_restart import write_through_restart

WAIT = bridge_restart.WAIT
ALIAS = "killable"
child_server = bridge_restart.child_server  # the fixture: Onyx Local in a child process


@pytest.fixture
def killable(child_server: Any, django_onyx: Any, settings: Any) -> Iterator[Any]:
    """``settings.ONYX[ALIAS]`` points at the child server (reset after the test)."""
    settings.ONYX = {**settings.ONYX, ALIAS: child_server.options}
    yield child_server
    connections.close_all()


def test_kill_9_during_writes_loses_no_signal(killable: Any) -> None:
    signalled: set[str] = set()
    changed = threading.Condition()

    def receiver(sender: Any, record: Any, alias: str, **kwargs: Any) -> None:
        if alias == ALIAS:
            with changed:
                signalled.add(record["id"])
                changed.notify_all()

    record_created.connect(receiver, weak=False)
    # A reconnect wait longer than the restart and the writes after it: those writes happen
    # while the bridge is disconnected, so only its re-read can deliver them.
    slow = ReconnectPolicy(initial_delay=1.0, max_delay=1.0, jitter=0.0)
    bridge = listen("User", alias=ALIAS, reconnect=slow)
    db = connections.pool(ALIAS)

    def save(number: int) -> str:
        db.save("User", user(f"k{number}"))
        return f"k{number}"

    try:
        assert bridge.wait_connected(WAIT)
        expected = write_through_restart(save, killable)
        with changed:
            done = changed.wait_for(lambda: expected <= signalled, WAIT)
        assert done, f"{len(expected - signalled)} writes never signalled"
        assert bridge.connections >= 2 and bridge.error is None
        assert bridge.replayed > 0  # writes made while it waited to reconnect: from its re-read
    finally:
        record_created.disconnect(receiver)
        bridge.cancel()
        bridge.join(WAIT)


def test_updates_and_deletes_while_away_are_sent(killable: Any) -> None:
    seen: list[tuple[str, str, str | None]] = []
    changed = threading.Condition()

    def receiver(sender: Any, record: Any, action: str, alias: str, **kwargs: Any) -> None:
        if alias == ALIAS:
            with changed:
                seen.append((action, record["id"], record.get("username")))
                changed.notify_all()

    def wait_for(item: tuple[str, str, str | None]) -> bool:
        def found() -> bool:  # a DELETE replayed after a reconnect carries only the key
            return any(s[:2] == item[:2] and item[2] in (None, s[2]) for s in seen)

        with changed:
            return changed.wait_for(found, WAIT)

    signals = (record_created, record_updated, record_deleted)
    for signal_ in signals:
        signal_.connect(receiver, weak=False)
    slow = ReconnectPolicy(initial_delay=1.0, max_delay=1.0, jitter=0.0)
    bridge = listen("User", alias=ALIAS, reconnect=slow)
    db = connections.pool(ALIAS)
    try:
        assert bridge.wait_connected(WAIT)
        db.save("User", [user("k1"), user("k2")])
        assert wait_for(("CREATE", "k2", "k2"))
        killable.kill()
        killable.start()
        db.save("User", user("k1", username="renamed"))
        db.delete("User", "k2")
        assert wait_for(("UPDATE", "k1", "renamed"))
        assert wait_for(("DELETE", "k2", None))
    finally:
        for signal_ in signals:
            signal_.disconnect(receiver)
        bridge.cancel()
        bridge.join(WAIT)
