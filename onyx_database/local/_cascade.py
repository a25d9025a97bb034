"""Cascades: ``relationships=attr:Type(targetField, sourceField)`` saves, resolver-driven deletes.

A cascade spec arrives raw (PY), form-encoded once (GO, KT) or with each entry encoded twice
(TS). The query string was form-decoded once already; entries are split on commas outside
parentheses and each is percent-decoded once more (a no-op for clean text), then trimmed.
Each cascade runs in one transaction: a bad child rolls the parent back too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote

from ._errors import ApiError, bad_request
from ._executor import Executor, wire_key
from ._records import prepare, render
from ._schema import Entity
from ._storage import Conflict, Storage, partition_of

__all__ = ["CascadeSpec", "delete_cascade", "parse_cascade", "save_cascade", "split_top_level"]

_SPEC: Final = re.compile(
    r"([A-Za-z_]\w*)\s*:\s*([A-Za-z_]\w*)\s*\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)"
)


@dataclass(frozen=True)
class CascadeSpec:
    """``attribute:table(target_field, source_field)``."""

    attribute: str
    table: str
    target_field: str
    source_field: str


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def parse_cascade(raw: str) -> list[CascadeSpec]:
    """The specs of a ``relationships`` value; 400 "Invalid cascade mapping format" otherwise.

    >>> parse_cascade("userRoles%3AUserRole(userId%2C%20id)")[0].target_field
    'userId'
    """
    specs = []
    for entry in split_top_level(raw):
        text = unquote(entry).strip()
        if not text:
            continue
        match = _SPEC.fullmatch(text)
        if match is None:
            raise bad_request(
                f"Invalid cascade mapping format: {text!r} "
                "(expected attribute:Table(targetField, sourceField))"
            )
        specs.append(CascadeSpec(*match.groups()))
    return specs


def _children(item: object, spec: CascadeSpec) -> list[object]:
    value = item.get(spec.attribute) if isinstance(item, Mapping) else None
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return value
    raise bad_request(f"cascade attribute {spec.attribute!r} must hold an object or a list")


def save_cascade(
    storage: Storage,
    entity: Entity,
    items: Sequence[object],
    specs: Sequence[CascadeSpec],
    *,
    insert: bool,
) -> list[dict[str, Any]]:
    """Save parents and their children in one transaction; returns the parents as stored."""
    schema = storage.schema
    targets: list[Entity] = []
    for spec in specs:
        target = schema.entity(spec.table)
        if target is None:
            raise bad_request(f"Invalid cascade mapping format: unknown table {spec.table!r}")
        if spec.target_field not in target.attributes:
            raise bad_request(
                f"Invalid cascade mapping format: {spec.table} has no attribute "
                f"{spec.target_field!r}"
            )
        if spec.source_field not in entity.attributes:
            raise bad_request(
                f"Invalid cascade mapping format: {entity.name} has no attribute "
                f"{spec.source_field!r}"
            )
        targets.append(target)
    for item in items:
        for spec in specs:
            _children(item, spec)
    saved: list[dict[str, Any]] = []
    try:
        with storage.writing() as writer:
            for position, item in enumerate(items):
                parent = writer.put(entity, prepare(entity, item), insert=insert)
                saved.append(parent)
                for spec, target in zip(specs, targets, strict=True):
                    for child in _children(item, spec):
                        if not isinstance(child, Mapping):
                            raise bad_request(f"{spec.attribute} items must be objects")
                        linked = {**child, spec.target_field: parent[spec.source_field]}
                        try:
                            writer.put(target, prepare(target, linked))
                        except ApiError as error:
                            error.message = f"{error.message} ({spec.attribute} of item {position})"
                            raise
    except Conflict as conflict:
        raise ApiError(409, "CONFLICT", str(conflict)) from None
    return saved


def delete_cascade(
    storage: Storage, entity: Entity, partition: str, key: Any, names: Sequence[str]
) -> dict[str, Any] | None:
    """Delete what the named resolvers return for the record, then the record, in one
    transaction. Returns the deleted graph (the record with the deleted related records under
    the resolver names), or ``None`` when the record does not exist."""
    with storage.writing() as writer:
        record = writer.find(entity, partition, key)
        if record is None:
            return None
        graph = render(entity, record)
        executor = Executor(storage.schema, writer)
        related: list[tuple[Entity, dict[str, Any]]] = []
        for name in names:
            value, target = executor.resolve_target(entity, record, name)
            graph[name] = value
            if target is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    related.append((target, item))
        for target, item in related:
            stored = {n: wire_key(target, item, n) for n in target.attributes}
            writer.remove(target, partition_of(target, stored), stored.get(target.identifier))
        writer.remove(entity, partition, key)
    return graph
