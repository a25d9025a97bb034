"""Shared fixtures of the SDK tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

import onyx_database
from onyx_database import AsyncOnyxDatabase, OnyxDatabase, ResolvedConfig

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

SECRET = "sk-live-TOPSECRET-9f8e7d"
KEY = "key_ABCDEFGH1234"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def config() -> ResolvedConfig:
    """A config for mock-transport tests (no server behind ``base_url``)."""
    return ResolvedConfig(
        database_id="db-1",
        api_key=KEY,
        api_secret=SECRET,
        base_url="http://onyx.test",
        max_retries=2,
        retry_backoff_seconds=0.0,
    )


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One Onyx Local for the SDK integration tests (real HTTP on 127.0.0.1, fault hooks on)."""
    from onyx_database.local import LocalServer

    from .integration import sdk_schema

    data_dir = tmp_path_factory.mktemp("sdk-onyx-local")
    with LocalServer(data_dir, schema=sdk_schema(), test_hooks=True) as server:
        yield server


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The session's server with empty tables, no armed faults and zeroed request counters."""
    local_server.reset_data()
    local_server.faults.clear()
    local_server.reset_request_counts()
    local_server.latency_ms = 0
    return local_server


@pytest.fixture
def db(server: LocalServer) -> Iterator[OnyxDatabase]:
    from .integration import client_config

    with onyx_database.init(config=client_config(server)) as database:
        yield database


@pytest.fixture
async def adb(server: LocalServer) -> AsyncIterator[AsyncOnyxDatabase]:
    from .integration import client_config

    async with onyx_database.init_async(config=client_config(server)) as database:
        yield database
