"""``POST /data/{db}/{table}/fenced``: a save, delete or update applied only while a guard row
still holds the expected values (the official Python SDK 2.5.2's fenced mutations).

The guard check and the mutation run in one storage transaction, under the write lock, so no
other write can slip between them. A missing guard row or a field that differs answers 409
and changes nothing. SAVE takes 1..500 entities of one partition; DELETE removes at most 500
matching rows of one partition; UPDATE changes at most one row and its filter must pin the
identifier with EQUAL in an all-AND tree (no OR, no negated operator). The answer is
``{"applied": true, "affected": n}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import ApiError, bad_request
from ._executor import Executor, table_not_found
from ._handlers import Context, Reply
from ._records import coerce_updates, prepare
from ._schema import Entity
from ._storage import Conflict, Writer, partition_of
from ._values import CoercionError, coerce_for_save

__all__ = ["fenced"]

MAX_ENTITIES = 500
MAX_DELETE = 500
_GUARD_KEYS = frozenset({"table", "id", "partition", "expected"})


def _conflict(message: str) -> ApiError:
    return ApiError(409, "CONFLICT", message)


def _coerce(entity: Entity, name: str, value: object, what: str) -> Any:
    try:
        return coerce_for_save(entity.attributes[name].type, value)
    except CoercionError as error:
        raise bad_request(f"{what}: {error}") from None


def _check_guard(ctx: Context, writer: Writer, guard: object) -> None:
    if not isinstance(guard, Mapping) or set(guard) - _GUARD_KEYS:
        raise bad_request("guard must be an object with table, id, partition and expected")
    schema = ctx.services.storage.schema
    table = guard.get("table")
    entity = schema.entity(table) if isinstance(table, str) else None
    if entity is None:
        raise table_not_found(str(table))
    expected = guard.get("expected")
    if guard.get("id") is None or not isinstance(expected, Mapping) or not expected:
        raise bad_request("guard needs an id and a non-empty expected object")
    key = _coerce(entity, entity.identifier, guard["id"], "guard.id")
    partition = guard.get("partition") if entity.partition else ""
    row = writer.find(entity, str(partition or ""), key)
    if row is None:
        raise _conflict(f"fence guard {entity.name} {guard['id']!r} does not exist")
    for name, value in expected.items():
        if name not in entity.attributes:
            raise bad_request(f"guard.expected: {entity.name} has no attribute {name!r}")
        if row.get(name) != _coerce(entity, name, value, f"guard.expected.{name}"):
            raise _conflict(f"fence guard {entity.name} {guard['id']!r} changed ({name})")


def _partition(entity: Entity, value: object) -> str | None:
    if not isinstance(value, str) or not value.strip() or value.strip() == "ALL":
        raise bad_request("partition must name one concrete partition")
    return value if entity.partition else None


def _save(entity: Entity, writer: Writer, entities: object) -> int:
    if not isinstance(entities, list) or not 1 <= len(entities) <= MAX_ENTITIES:
        raise bad_request(f"a fenced SAVE takes 1 to {MAX_ENTITIES} entities")
    records = [prepare(entity, item) for item in entities]
    if len({partition_of(entity, record) for record in records}) > 1:
        raise bad_request("the entities of a fenced SAVE must share one partition")
    for record in records:
        writer.put(entity, record)
    return len(records)


def _pins_identifier(entity: Entity, condition: object) -> bool:
    """Whether an all-AND tree of plain criteria contains ``identifier EQUAL value``."""
    if not isinstance(condition, Mapping):
        raise bad_request("filters must be a QueryCondition object")
    if condition.get("conditionType") == "CompoundCondition":
        if condition.get("operator") != "AND":
            raise bad_request("a fenced UPDATE filter cannot use OR")
        parts = condition.get("conditions") or []
        pins = [_pins_identifier(entity, part) for part in parts]  # checks every part
        return any(pins)
    criteria = condition.get("criteria")
    if not isinstance(criteria, Mapping):
        raise bad_request("filters must be a QueryCondition object")
    operator = str(criteria.get("operator", "")).upper()
    if operator.startswith("NOT") or "CANDIDATES" in operator or operator == "SEARCH":
        raise bad_request(f"a fenced UPDATE filter cannot use {operator}")
    return criteria.get("field") == entity.identifier and operator == "EQUAL"


def fenced(ctx: Context) -> Reply:
    entity = ctx.entity()
    body = ctx.body
    if not isinstance(body, Mapping):
        raise bad_request("the fenced body must be an object with guard and operation")
    operation = body.get("operation")
    storage = ctx.services.storage
    with storage.writing() as writer:
        _check_guard(ctx, writer, body.get("guard"))
        if operation == "SAVE":
            try:
                affected = _save(entity, writer, body.get("entities"))
            except Conflict as conflict:
                raise _conflict(str(conflict)) from None
            return Reply({"applied": True, "affected": affected})
        if operation not in ("DELETE", "UPDATE"):
            raise bad_request("operation must be SAVE, DELETE or UPDATE")
        partition = _partition(entity, body.get("partition"))
        filters = body.get("filters")
        if operation == "UPDATE" and not _pins_identifier(entity, filters):
            raise bad_request(f"a fenced UPDATE filter must pin {entity.identifier} with EQUAL")
        updates = coerce_updates(entity, body.get("updates")) if operation == "UPDATE" else None
        executor = Executor(storage.schema, writer)
        parsed = executor.parse(entity, {"conditions": filters}, partition)
        rowids = executor.rowids(entity, parsed)[: 1 if updates is not None else MAX_DELETE]
        affected = 0
        for rowid in rowids:
            found = writer.at(entity, rowid)
            if found is None:
                continue
            row_partition, record = found
            if updates is not None:
                writer.put(entity, {**record, **updates}, moved_from=row_partition)
            else:
                writer.remove(entity, row_partition, record.get(entity.identifier))
            affected += 1
    return Reply({"applied": True, "affected": affected})
