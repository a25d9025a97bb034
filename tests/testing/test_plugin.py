"""The pytest plugin's fixtures: a real Onyx Local, configured clients, data reset per test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from anyio import get_available_backends

from onyx_database import AsyncOnyxDatabase, OnyxDatabase, eq
from onyx_database.local import LocalServer

pytest_plugins = ["pytester"]

ITEM = {"id": "i1", "name": "widget", "qty": 3}


def test_server_is_real_http_on_loopback(onyx_server: LocalServer) -> None:
    assert onyx_server.url.startswith("http://127.0.0.1:")
    config = onyx_server.config()
    assert config["baseUrl"] == onyx_server.url
    assert json.loads(Path(onyx_server.config_path).read_text())["apiKey"] == config["apiKey"]


def test_first_test_writes(onyx_db: OnyxDatabase) -> None:
    onyx_db.save("Item", ITEM)
    assert onyx_db.from_table("Item").count() == 1


def test_second_test_starts_empty(onyx_db: OnyxDatabase) -> None:
    # Runs after test_first_test_writes: the fixture emptied every table in between.
    assert onyx_db.from_table("Item").count() == 0
    assert onyx_db.find_by_id("Item", "i1") is None


def test_client_ignores_developer_environment(
    monkeypatch: pytest.MonkeyPatch, onyx_db: OnyxDatabase
) -> None:
    monkeypatch.setenv("ONYX_PARTITION", "leaked")
    assert onyx_db.config.partition is None


@pytest.mark.anyio
async def test_async_client(onyx_async_db: AsyncOnyxDatabase) -> None:
    await onyx_async_db.save("Item", ITEM)
    found = await onyx_async_db.from_table("Item").where(eq("name", "widget")).list()
    assert [r["id"] for r in found] == ["i1"]


def test_publish_schema_adds_a_table(
    onyx_publish_schema: Callable[[dict[str, Any] | Path], None],
    onyx_db: OnyxDatabase,
) -> None:
    schema_file = Path(__file__).resolve().parents[1] / "onyx.test.schema.json"
    document = json.loads(schema_file.read_text())
    document["entities"].append(
        {
            "name": "PluginExtra",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [{"name": "id", "type": "String"}, {"name": "v", "type": "Int"}],
            "indexes": [],
            "resolvers": [],
            "triggers": [],
        }
    )
    onyx_publish_schema(document)
    onyx_db.save("PluginExtra", {"id": "x", "v": 1})
    assert onyx_db.find_by_id("PluginExtra", "x") == {"id": "x", "v": 1}


async def test_async_client_needs_no_marker(onyx_async_db: AsyncOnyxDatabase) -> None:
    await onyx_async_db.save("Item", ITEM)
    assert await onyx_async_db.from_table("Item").count() == 1


MARKERLESS = """
from onyx_database import AsyncOnyxDatabase

async def test_markerless(onyx_async_db: AsyncOnyxDatabase) -> None:
    await onyx_async_db.save("Item", {"id": "a", "name": "n", "qty": 1})
    assert [r["id"] for r in await onyx_async_db.from_table("Item").list()] == ["a"]

async def test_markerless_fails_for_real(onyx_async_db: AsyncOnyxDatabase) -> None:
    assert await onyx_async_db.from_table("Item").count() == 99

@pytest.mark.anyio
async def test_marked(onyx_async_db: AsyncOnyxDatabase) -> None:
    assert await onyx_async_db.from_table("Item").count() == 0
"""


def test_markerless_async_tests_run_in_a_fresh_project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project with no conftest and no ``anyio_backend``: unmarked async tests using
    ``onyx_async_db`` run (and fail when they should); anyio-marked ones still run."""
    schema = Path(__file__).resolve().parents[1] / "onyx.test.schema.json"
    pytester.makeini(f"[pytest]\nonyx_schema = {schema}\n")
    pytester.makepyfile(test_async_app="import pytest\n" + MARKERLESS)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)  # set by tests/django
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "-v")
    # anyio's default ``anyio_backend`` runs each test on every installed backend (trio too)
    backends = len(get_available_backends())
    result.assert_outcomes(passed=2 * backends, failed=backends)
    result.stdout.fnmatch_lines(["*test_markerless_fails_for_real*FAILED*"])
