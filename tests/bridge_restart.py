"""Helpers shared by the change-bridge kill tests of tests/flask and tests/django: Onyx Local in a
child process that can be killed with SIGKILL and restarted on the same port and data, and a
writer that keeps saving through that restart.

Not a test module (pytest never collects it); each test file puts ``tests/`` on ``sys.path`` and
imports it. The two directories cannot share a conftest (theirs clash when collected together).
"""

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

from onyx_database import OnyxError

WAIT = 30.0
SCHEMA = Path(__file__).resolve().parents[1] / "example_projects" / "onyx.schema.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChildServer:
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
def child_server(tmp_path: Path) -> Iterator[ChildServer]:
    server = ChildServer(tmp_path / "onyx-local")
    server.start()
    yield server
    server.stop()


def write_through_restart(
    save: Callable[[int], str], server: ChildServer, writes_each_side: int = 20
) -> set[str]:
    """Call ``save(1)``, ``save(2)``, ... in a thread while ``server`` is killed and restarted;
    returns the ids of the acknowledged writes (``save`` returns the id; an ``OnyxError`` means not
    acknowledged, so no signal is owed). More than ``writes_each_side`` writes succeed before the
    kill, and as many after the restart, each waited on, never timed."""
    acknowledged: set[str] = set()
    stop_writing = threading.Event()
    progress = threading.Condition()

    def writer() -> None:
        number = 0
        while not stop_writing.is_set():
            number += 1
            try:
                written = save(number)
            except OnyxError:
                continue
            with progress:
                acknowledged.add(written)
                progress.notify_all()

    def written_more_than(count: int) -> bool:
        with progress:
            return progress.wait_for(lambda: len(acknowledged) > count, WAIT)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written_more_than(writes_each_side)
        server.kill()
        server.start()  # same port, same SQLite file
        with progress:
            during = len(acknowledged)
        assert written_more_than(during + writes_each_side), "no write succeeded after the restart"
    finally:
        stop_writing.set()
        thread.join(WAIT)
    with progress:
        return set(acknowledged)
