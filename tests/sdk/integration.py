"""Helpers of the integration tests: the schema they publish and how clients are configured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onyx_database import ResolvedConfig

ROOT = Path(__file__).resolve().parents[2]


def _entity(name: str, partition: str, attributes: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "name": name,
        "identifier": {"name": "id", "generator": "None", "type": "String"},
        "partition": partition,
        "attributes": [{"name": "id", "type": "String"}]
        + [{"name": n, "type": t, "isNullable": True} for n, t in attributes],
        "resolvers": [],
        "triggers": [],
        "indexes": [],
    }


def sdk_schema() -> dict[str, Any]:
    """The example project's schema plus two tables these tests own (``Item``, ``Tenanted``)."""
    schema: dict[str, Any] = json.loads((ROOT / "example_projects/onyx.schema.json").read_text())
    schema["entities"] += [
        _entity(
            "Item",
            "",
            [
                ("name", "String"),
                ("score", "Int"),
                ("price", "Double"),
                ("active", "Boolean"),
                ("createdAt", "Timestamp"),
                ("tags", "EmbeddedList"),
            ],
        ),
        _entity("Tenanted", "tenant", [("tenant", "String"), ("name", "String")]),
    ]
    return schema


def client_config(server: Any, **changes: Any) -> ResolvedConfig:
    """A config for ``server`` with fast retries (tests never wait for real backoff)."""
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
