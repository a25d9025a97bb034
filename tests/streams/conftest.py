"""Fixtures of the live-stream tests: Onyx Local with short keep-alives, clients, collectors."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import onyx_database
from onyx_database import AsyncOnyxDatabase, OnyxDatabase, ReconnectPolicy, ResolvedConfig
from onyx_database.local import LocalServer

KEEP_ALIVE = 0.2
FAST = ReconnectPolicy(initial_delay=0.05, max_delay=0.5, healthy_after=5.0)


def _entity(
    name: str, attributes: list[tuple[str, str]], *, partition: str = "", resolvers: Any = ()
) -> dict[str, Any]:
    return {
        "name": name,
        "identifier": {"name": "id", "generator": "None", "type": "String"},
        "partition": partition,
        "attributes": [{"name": "id", "type": "String"}]
        + [{"name": n, "type": t, "isNullable": True} for n, t in attributes],
        "resolvers": list(resolvers),
        "triggers": [],
        "indexes": [],
    }


CHILDREN = 'db.from("Child").where(eq("parentId", this.id)).list()'

SCHEMA: dict[str, Any] = {
    "revisionDescription": "stream tests",
    "entities": [
        _entity("Item", [("name", "String"), ("score", "Int"), ("blob", "String")]),
        _entity("Tenanted", [("tenant", "String"), ("name", "String")], partition="tenant"),
        _entity("Parent", [("name", "String")], resolvers=[{"name": "kids", "resolver": CHILDREN}]),
        _entity("Child", [("parentId", "String"), ("name", "String")]),
    ],
}


def client_config(server: LocalServer, **changes: Any) -> ResolvedConfig:
    values: dict[str, Any] = {
        "database_id": server.database_id,
        "api_key": server.api_key,
        "api_secret": server.api_secret,
        "base_url": server.url,
        "retry_backoff_seconds": 0.01,
        "request_timeout_seconds": 10.0,
    }
    values.update(changes)
    return ResolvedConfig(**values)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def stream_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data_dir: Path = tmp_path_factory.mktemp("stream-onyx-local")
    with LocalServer(
        data_dir, schema=SCHEMA, test_hooks=True, keep_alive_interval=KEEP_ALIVE
    ) as server:
        yield server


@pytest.fixture
def server(stream_server: LocalServer) -> Iterator[LocalServer]:
    stream_server.reset_data()
    stream_server.faults.clear()
    stream_server.reset_request_counts()
    stream_server.keep_alive_interval = KEEP_ALIVE
    stream_server.stream_buffer = 10_000
    yield stream_server
    wait_for(lambda: stream_server.open_streams == 0, "streams of the test to close")


@pytest.fixture
def db(server: LocalServer) -> Iterator[OnyxDatabase]:
    with onyx_database.init(config=client_config(server)) as database:
        yield database


@pytest.fixture
async def adb(server: LocalServer) -> AsyncIterator[AsyncOnyxDatabase]:
    async with onyx_database.init_async(config=client_config(server)) as database:
        yield database


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll ``predicate`` (cheap, local) until true; fail after a generous ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Collector:
    """Thread-safe record of callback calls, with waits on a condition variable."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.errors: list[BaseException] = []
        self._cond = threading.Condition()

    def add(self, kind: str, value: Any) -> None:
        with self._cond:
            self.calls.append((kind, value))
            self._cond.notify_all()

    def error(self, error: BaseException) -> None:
        with self._cond:
            self.errors.append(error)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[Collector], bool], timeout: float = 15.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(f"timed out; calls so far: {self.calls} {self.errors}")

    def wait_count(self, kind: str, n: int, timeout: float = 15.0) -> None:
        self.wait(lambda c: c.count(kind) >= n, timeout)

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.calls if k == kind)

    def of(self, kind: str) -> list[Any]:
        with self._cond:
            return [v for k, v in self.calls if k == kind]
