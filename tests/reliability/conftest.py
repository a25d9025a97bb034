"""Fixtures of the reliability suite: Onyx Local, clients, and ``figure``, which records a
measured figure of the running test for ``docs/reliability.md``.

``python3 scripts/reliability.py`` runs the suite with ``ONYX_RELIABILITY_FIGURES`` naming a file;
each ``figure(what, value)`` call appends one JSON line to it (and nothing when it is unset).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import onyx_database
from onyx_database import OnyxDatabase, ResolvedConfig
from onyx_database.local import LocalServer

FIGURES_ENV = "ONYX_RELIABILITY_FIGURES"

SCHEMA: dict[str, Any] = {
    "revisionDescription": "reliability suite",
    "entities": [
        {
            "name": "Item",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [
                {"name": "id", "type": "String", "isNullable": False},
                {"name": "n", "type": "Int", "isNullable": True},
                {"name": "name", "type": "String", "isNullable": True},
                {"name": "writer", "type": "String", "isNullable": True},
            ],
            "indexes": [{"name": "n", "type": "DEFAULT"}],
            "resolvers": [
                {
                    "name": "same",
                    "resolver": 'db.from("Item").where(eq("name", this.name)).list()',
                }
            ],
            "triggers": [],
        }
    ],
}

Figure = Callable[[str, str], None]


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Figure:
    """``figure("what was measured", "the figure")`` for the report of the running test."""

    def record(what: str, value: str) -> None:
        request.node.user_properties.append((what, value))
        path = os.environ.get(FIGURES_ENV)
        if path:
            line = {"test": request.node.nodeid, "what": what, "figure": value}
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")

    return record


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA))
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(
        tmp_path_factory.mktemp("reliability"), schema=SCHEMA, test_hooks=True
    ) as local:
        yield local


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
def db(server: LocalServer) -> Iterator[OnyxDatabase]:
    server.reset_data()
    server.faults.clear()
    with onyx_database.init(config=client_config(server)) as database:
        yield database
