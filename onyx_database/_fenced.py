"""Fenced mutations (``POST /data/{db}/{table}/fenced``): a save, delete or update applied only
while a guard row still holds the expected values, checked and applied under one server lock.

The request bodies, checked before anything is sent (the official 2.5.2 SDK's contract)::

    {"guard": {"table", "id", "partition"?, "expected": {...}}, "operation": "SAVE",
     "entities": [...]}                                   # 1..500 entities
    {"guard": ..., "operation": "DELETE", "partition": p, "filters": <QueryCondition>}
    {"guard": ..., "operation": "UPDATE", "partition": p, "filters": ..., "updates": {...}}

The answer is ``{"applied": true, "affected": n}``; a stale or missing guard is HTTP 409
(:class:`~onyx_database.OnyxConflictError`) and nothing is changed. Never retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._conditions import Condition
from ._errors import OnyxUsageError
from ._request import Request
from ._serialize import to_wire

__all__ = [
    "MAX_FENCED_SAVE_ENTITIES",
    "fenced_delete_request",
    "fenced_save_request",
    "fenced_update_request",
]

MAX_FENCED_SAVE_ENTITIES = 500
_GUARD_KEYS = frozenset({"table", "id", "partition", "expected"})


def _guard(guard: Any) -> dict[str, Any]:
    if not isinstance(guard, Mapping):
        raise OnyxUsageError("guard must be a dict {table, id, partition?, expected}")
    unknown = sorted(set(guard) - _GUARD_KEYS)
    if unknown:
        raise OnyxUsageError(f"guard has unsupported keys: {', '.join(map(str, unknown))}")
    table = guard.get("table")
    if not isinstance(table, str) or not table.strip():
        raise OnyxUsageError("guard.table must be a non-empty table name")
    if guard.get("id") is None:
        raise OnyxUsageError("guard.id is required")
    expected = guard.get("expected")
    if not isinstance(expected, Mapping) or not expected:
        raise OnyxUsageError("guard.expected must be a non-empty dict of field -> value")
    wired: dict[str, Any] = to_wire(dict(guard), "guard")
    return wired


def _partition(partition: Any) -> str:
    if not isinstance(partition, str) or not partition.strip() or partition.strip() == "ALL":
        raise OnyxUsageError("partition must name one concrete partition (not blank, not ALL)")
    return partition


def _filters(filters: Any) -> dict[str, Any]:
    if isinstance(filters, Condition):
        return filters.to_wire()
    if isinstance(filters, Mapping) and filters.get("conditionType") in (
        "SingleCondition",
        "CompoundCondition",
    ):
        wired: dict[str, Any] = to_wire(dict(filters), "filters")
        return wired
    raise OnyxUsageError(
        "filters must be a condition (eq(...), a & b) or a serialized QueryCondition "
        "(conditionType SingleCondition or CompoundCondition)"
    )


def _request(database_id: str, table: str, body: dict[str, Any]) -> Request:
    return Request("POST", ("data", database_id, table, "fenced"), body=body)


def fenced_save_request(
    database_id: str, table: str, entity_or_entities: Any, guard: Any
) -> Request:
    """Save 1..500 entities (one partition) only while ``guard`` holds.

    >>> r = fenced_save_request("db", "Head", {"id": "h1"},
    ...                         {"table": "Lease", "id": "l1", "expected": {"owner": "a"}})
    >>> r.method, "/".join(r.path), r.body["operation"], len(r.body["entities"])
    ('POST', 'data/db/Head/fenced', 'SAVE', 1)
    """
    entities = (
        list(entity_or_entities)
        if isinstance(entity_or_entities, list | tuple)
        else [entity_or_entities]
    )
    if not 1 <= len(entities) <= MAX_FENCED_SAVE_ENTITIES:
        raise OnyxUsageError(
            f"fenced_save takes 1 to {MAX_FENCED_SAVE_ENTITIES} entities, got {len(entities)}"
        )
    body = {"guard": _guard(guard), "operation": "SAVE", "entities": to_wire(entities, "entities")}
    return _request(database_id, table, body)


def fenced_delete_request(
    database_id: str, table: str, partition: Any, filters: Any, guard: Any
) -> Request:
    """Delete at most 500 matching rows of one partition only while ``guard`` holds."""
    body = {
        "guard": _guard(guard),
        "operation": "DELETE",
        "partition": _partition(partition),
        "filters": _filters(filters),
    }
    return _request(database_id, table, body)


def fenced_update_request(
    database_id: str, table: str, partition: Any, filters: Any, updates: Any, guard: Any
) -> Request:
    """Update at most one row (the filter must pin its id) only while ``guard`` holds."""
    if not isinstance(updates, Mapping) or not updates:
        raise OnyxUsageError("updates must be a non-empty dict of field -> value")
    if any(not isinstance(key, str) or not key.strip() for key in updates):
        raise OnyxUsageError("updates keys must be non-empty field names")
    body = {
        "guard": _guard(guard),
        "operation": "UPDATE",
        "partition": _partition(partition),
        "filters": _filters(filters),
        "updates": to_wire(dict(updates), "updates"),
    }
    return _request(database_id, table, body)
