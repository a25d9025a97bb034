"""The pytest plugin behind :mod:`onyx_database.testing` (registered as ``pytest11``)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from onyx_database import AsyncOnyxDatabase, OnyxDatabase
    from onyx_database.local import LocalServer

__all__ = ["onyx_async_db", "onyx_db", "onyx_publish_schema", "onyx_server"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "onyx_schema",
        "Schema document that the onyx_server fixture publishes at start "
        "(default: ./onyx.schema.json when it exists).",
        default="",
    )


# A test carrying one of these is already run by its async plugin; the rest get anyio's marker.
_ASYNC_MARKERS = ("anyio", "asyncio", "trio")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``async def test_x(onyx_async_db)`` runs with no marker: such a test gets
    ``pytest.mark.anyio`` (anyio's pytest plugin ships with httpx's anyio and runs it on
    asyncio, or on the project's ``anyio_backend``). Tests that already carry an ``anyio``,
    ``asyncio`` (pytest-asyncio, including its auto mode) or ``trio`` marker are left alone."""
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and inspect.iscoroutinefunction(item.function)
            and "onyx_async_db" in item.fixturenames
            and not any(item.get_closest_marker(name) for name in _ASYNC_MARKERS)
        ):
            item.add_marker(pytest.mark.anyio)


def _schema_path(config: pytest.Config) -> Path | None:
    configured = str(config.getini("onyx_schema") or "")
    if configured:
        path = Path(configured)
        if not path.is_absolute():
            path = Path(str(config.rootpath)) / path
        if not path.exists():
            raise pytest.UsageError(f"onyx_schema {configured!r} does not exist ({path}).")
        return path
    default = Path(str(config.rootpath)) / "onyx.schema.json"
    return default if default.exists() else None


def _client_config(server: LocalServer, home: Path) -> Any:
    from onyx_database._config import resolve_config

    # Resolve against an empty environment so a developer's ONYX_* variables never leak in.
    return resolve_config(server.config(), environ={}, home=home, cwd=home)


@pytest.fixture(scope="session")
def onyx_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    """A running Onyx Local for the whole test session (real HTTP on 127.0.0.1)."""
    from onyx_database.local import LocalServer

    data_dir = tmp_path_factory.mktemp("onyx-local")
    schema = _schema_path(request.config)
    with LocalServer(data_dir, schema=schema, test_hooks=True) as server:
        yield server


@pytest.fixture
def onyx_publish_schema(onyx_server: LocalServer) -> Callable[[dict[str, Any] | Path], None]:
    """Publish a schema document (a dict or a JSON file path) to the session's Onyx Local."""

    def publish(schema: dict[str, Any] | Path) -> None:
        document = schema if isinstance(schema, dict) else json.loads(schema.read_text())
        onyx_server.publish_schema(document)

    return publish


@pytest.fixture
def onyx_db(onyx_server: LocalServer, tmp_path: Path) -> Iterator[OnyxDatabase]:
    """A sync client of the session's Onyx Local; every table is emptied before the test."""
    import onyx_database

    onyx_server.reset_data()
    if hasattr(onyx_server, "faults"):
        onyx_server.faults.clear()
    with onyx_database.init(config=_client_config(onyx_server, tmp_path)) as db:
        yield db


@pytest.fixture
async def onyx_async_db(
    onyx_server: LocalServer, tmp_path: Path
) -> AsyncIterator[AsyncOnyxDatabase]:
    """An async client of the session's Onyx Local; ``async def`` tests that use it need no
    marker (see :func:`pytest_collection_modifyitems`)."""
    import onyx_database

    onyx_server.reset_data()
    if hasattr(onyx_server, "faults"):
        onyx_server.faults.clear()
    async with onyx_database.init_async(config=_client_config(onyx_server, tmp_path)) as db:
        yield db
