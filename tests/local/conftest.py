"""Fixtures: one Onyx Local per session on a free port, raw httpx clients, data reset per test."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from onyx_database.local import LocalServer


def _attr(name: str, kind: str, nullable: bool = True) -> dict[str, Any]:
    return {"name": name, "type": kind, "isNullable": nullable}


def _entity(
    name: str,
    attributes: list[dict[str, Any]],
    *,
    generator: str = "None",
    partition: str = "",
    indexes: tuple[str, ...] = (),
) -> dict[str, Any]:
    id_type = next(a["type"] for a in attributes if a["name"] == "id")
    return {
        "name": name,
        "identifier": {"name": "id", "generator": generator, "type": id_type},
        "partition": partition,
        "attributes": attributes,
        "indexes": [{"name": i, "type": "DEFAULT"} for i in indexes],
        "resolvers": [],
        "triggers": [],
        "entityText": "generated source that the server strips",
    }


SCHEMA: dict[str, Any] = {
    "databaseId": "not-the-real-id",
    "revisionDescription": "local server tests",
    "entities": [
        _entity(
            "Item",
            [
                _attr("id", "String", False),
                _attr("name", "String"),
                _attr("qty", "Int"),
                _attr("price", "Double"),
                _attr("active", "Boolean"),
                _attr("createdAt", "Timestamp"),
                _attr("code", "Char"),
                _attr("big", "Long"),
                _attr("small", "Short"),
                _attr("tiny", "Byte"),
                _attr("ratio", "Float"),
                _attr("tags", "EmbeddedList"),
                _attr("meta", "EmbeddedObject"),
            ],
            indexes=("name", "qty"),
        ),
        _entity(
            "Note",
            [_attr("id", "String", False), _attr("tenant", "String"), _attr("rank", "Int")],
            partition="tenant",
        ),
        _entity(
            "Ticket", [_attr("id", "Long", False), _attr("title", "String")], generator="Sequence"
        ),
        _entity("Event", [_attr("id", "String", False), _attr("kind", "String")], generator="UUID"),
        _entity(
            "Person",
            [
                _attr("id", "String", False),
                _attr("email", "String", False),
                _attr("nick", "String"),
            ],
        ),
    ],
}


def schema() -> dict[str, Any]:
    """A fresh copy of the test schema."""
    return copy.deepcopy(SCHEMA)


class Api:
    """A raw HTTP view of the server: paths relative to the database."""

    def __init__(self, server: LocalServer, client: httpx.Client) -> None:
        self.server = server
        self.client = client
        self.db = server.database_id

    def data(self, suffix: str) -> str:
        return f"/data/{self.db}/{suffix}"

    def save(self, table: str, body: Any) -> httpx.Response:
        return self.client.put(self.data(table), json=body)

    def query(self, table: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.client.put(self.data(f"query/{table}"), json=body or {}, params=params)

    def records(self, table: str, body: Any = None, **params: Any) -> list[dict[str, Any]]:
        response = self.query(table, body, **params)
        assert response.status_code == 200, response.text
        records: list[dict[str, Any]] = response.json()["records"]
        return records

    def ids(self, table: str, body: Any = None, **params: Any) -> list[Any]:
        return [r["id"] for r in self.records(table, body, **params)]

    def count(self, table: str, body: Any = None, **params: Any) -> int:
        response = self.client.put(
            self.data(f"query/count/{table}"), json=body or {}, params=params
        )
        assert response.status_code == 200, response.text
        value = response.json()
        assert isinstance(value, int)
        return value


def where(field: str, operator: str, *value: Any) -> dict[str, Any]:
    """A query body with one criterion (no ``value`` key when none is given)."""
    criteria: dict[str, Any] = {"field": field, "operator": operator}
    if value:
        criteria["value"] = value[0]
    return {"conditions": {"conditionType": "SingleCondition", "criteria": criteria}}


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Onyx Local on a free port with the test schema and fault hooks."""
    data_dir: Path = tmp_path_factory.mktemp("onyx-local")
    with LocalServer(data_dir, schema=schema(), test_hooks=True) as server:
        yield server


@pytest.fixture
def api(local_server: LocalServer) -> Iterator[Api]:
    """A raw client with credentials; data, faults and latency are reset first."""
    local_server.reset_data()
    local_server.faults.clear()
    local_server.latency_ms = 0
    headers = {"x-onyx-key": local_server.api_key, "x-onyx-secret": local_server.api_secret}
    with httpx.Client(base_url=local_server.url, headers=headers, timeout=10) as client:
        yield Api(local_server, client)


EXAMPLE_SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"


@pytest.fixture(scope="session")
def example_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Onyx Local with the example projects' schema (resolvers, SEARCHABLE tables)."""
    data_dir: Path = tmp_path_factory.mktemp("onyx-example")
    with LocalServer(data_dir, schema=EXAMPLE_SCHEMA, test_hooks=True) as server:
        yield server


@pytest.fixture
def ex(example_server: LocalServer) -> Iterator[Api]:
    """A raw client on the example-schema server, data reset first."""
    example_server.reset_data()
    headers = {"x-onyx-key": example_server.api_key, "x-onyx-secret": example_server.api_secret}
    with httpx.Client(base_url=example_server.url, headers=headers, timeout=10) as client:
        yield Api(example_server, client)
