"""Schema documents: reading every accepted shape, and diffing two of them.

Pure functions, no I/O. ``diff_schemas(api, local)`` follows the TypeScript SDK's
``computeSchemaDiff`` (the canonical algorithm; the official CLI ports it), with two additions
taken from the official Python SDK: the entity ``type`` (missing means ``DEFAULT``) and
``searchSupport`` (missing means ``BOTH``, compared only when either side is ``SEARCHABLE``).

Both documents are read by :meth:`SchemaDocument.read` (``_schema_document``), which means:

* entities come from ``entities``; a document without it falls back to ``tables`` (the legacy
  TypeScript introspection shape and the Go contract shape with ``fields``/``nullable``/
  ``primaryKey``); a ``{"schema": {...}}`` wrapper and a ``{"schemas": [...]}`` history list
  (last entry) are unwrapped;
* entities without a name are skipped;
* ``partition`` is trimmed, null or missing means ``""``;
* attribute ``isNullable`` missing means ``False``; index ``type`` missing means ``DEFAULT``;
* missing ``indexes``/``resolvers``/``triggers`` mean ``[]``; ``entityText`` is ignored.

>>> api = {"entities": [{"name": "User", "attributes": [{"name": "id", "type": "String"}]}]}
>>> local = {"entities": [{"name": "User", "attributes": [
...     {"name": "id", "type": "String"}, {"name": "email", "type": "String"}]}]}
>>> diff = diff_schemas(api, local)
>>> bool(diff), diff.changed_tables[0].added_attributes[0]["name"]
(True, 'email')
>>> bool(diff_schemas(api, api))
False
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import Any

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from ._schema_document import (
    SchemaDocument,
    SchemaEntity,
    SchemaIdentifier,
    _SchemaPart,
    read_entities,
    strip_entity_text,
)

__all__ = [
    "AttributeChange",
    "ItemChange",
    "SchemaDiff",
    "SectionDiff",
    "TableDiff",
    "ValueChange",
    "diff_schemas",
    "format_diff",
    "read_entities",
    "strip_entity_text",
]


# ---------------------------------------------------------------------------------------------
# Result types (pydantic dataclasses: positional construction, validation, JSON schema)

_RESULT = ConfigDict(arbitrary_types_allowed=True)


@dataclass(frozen=True, config=_RESULT)
class ValueChange:
    """A scalar (or whole-object) section that differs: ``before`` is the API side."""

    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after}


@dataclass(frozen=True, config=_RESULT)
class AttributeChange:
    """One differing ``field`` (``"type"`` or ``"isNullable"``) of attribute ``name``."""

    name: str
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, config=_RESULT)
class ItemChange:
    """A named index, resolver or trigger that differs; ``before``/``after`` are full objects."""

    name: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "from": dict(self.before), "to": dict(self.after)}


@dataclass(frozen=True, config=_RESULT)
class SectionDiff:
    """Added objects (full, from the local side), removed names and changed items of a section."""

    added: list[Mapping[str, Any]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [dict(a) for a in self.added],
            "removed": list(self.removed),
            "changed": [c.to_dict() for c in self.changed],
        }


@dataclass(frozen=True, config=_RESULT)
class TableDiff:
    """What differs in one table present on both sides (only changed sections are set)."""

    name: str
    added_attributes: list[Mapping[str, Any]] = field(default_factory=list)
    removed_attributes: list[str] = field(default_factory=list)
    changed_attributes: list[AttributeChange] = field(default_factory=list)
    #: one entry per changed attribute: ``{type, isNullable}`` before and after
    changed_attribute_states: list[ItemChange] = field(default_factory=list)
    partition: ValueChange | None = None
    identifier: ValueChange | None = None
    type: ValueChange | None = None
    search_support: ValueChange | None = None
    indexes: SectionDiff | None = None
    resolvers: SectionDiff | None = None
    triggers: SectionDiff | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.added_attributes
            or self.removed_attributes
            or self.changed_attributes
            or self.partition
            or self.identifier
            or self.type
            or self.search_support
            or self.indexes
            or self.resolvers
            or self.triggers
        )

    def __bool__(self) -> bool:
        return not self.is_empty

    def changed_attribute_names(self) -> list[str]:
        """Names of changed attributes, sorted, each once."""
        return sorted({c.name for c in self.changed_attributes})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.partition is not None:
            out["partition"] = self.partition.to_dict()
        if self.identifier is not None:
            out["identifier"] = self.identifier.to_dict()
        if self.type is not None:
            out["type"] = self.type.to_dict()
        if self.search_support is not None:
            out["searchSupport"] = self.search_support.to_dict()
        if self.added_attributes or self.removed_attributes or self.changed_attributes:
            out["attributes"] = {
                "added": [dict(a) for a in self.added_attributes],
                "removed": list(self.removed_attributes),
                "changed": [c.to_dict() for c in self.changed_attribute_states],
            }
        for key, section in (
            ("indexes", self.indexes),
            ("resolvers", self.resolvers),
            ("triggers", self.triggers),
        ):
            if section:
                out[key] = section.to_dict()
        return out


@dataclass(frozen=True, config=_RESULT)
class SchemaDiff:
    """Differences from the API schema (before) to the local schema (after).

    ``added_tables`` are only in the local document, ``removed_tables`` only in the API one.
    Falsy when there is no difference. ``to_dict()`` gives the TypeScript SDK's JSON shape
    (``newTables``, ``removedTables``, ``changedTables``).
    """

    added_tables: list[str] = field(default_factory=list)
    removed_tables: list[str] = field(default_factory=list)
    changed_tables: list[TableDiff] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added_tables or self.removed_tables or self.changed_tables)

    def __bool__(self) -> bool:
        return not self.is_empty

    def to_dict(self) -> dict[str, Any]:
        return {
            "newTables": list(self.added_tables),
            "removedTables": list(self.removed_tables),
            "changedTables": [t.to_dict() for t in self.changed_tables],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False)

    def format(self, file_label: str | None = None) -> str:
        return format_diff(self, file_label)

    def __str__(self) -> str:
        return format_diff(self)


# ---------------------------------------------------------------------------------------------
# The algorithm


def _by_name(items: Sequence[_SchemaPart]) -> dict[str, _SchemaPart]:
    out: dict[str, _SchemaPart] = {}
    for item in items:
        name = getattr(item, "name", None)
        if isinstance(name, str):
            out.setdefault(name, item)
    return out


def _identifier_changed(a: SchemaIdentifier | None, b: SchemaIdentifier | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return (a.name, a.generator, a.type) != (b.name, b.generator, b.type)


def _section(
    api_items: Sequence[_SchemaPart], local_items: Sequence[_SchemaPart], keys: tuple[str, ...]
) -> SectionDiff | None:
    if not api_items and not local_items:
        return None
    api, local = _by_name(api_items), _by_name(local_items)
    added: list[Mapping[str, Any]] = [local[n].to_wire() for n in sorted(local.keys() - api.keys())]
    removed = sorted(api.keys() - local.keys())
    changed = [
        ItemChange(n, api[n].to_wire(), local[n].to_wire())
        for n in sorted(api.keys() & local.keys())
        if any(getattr(api[n], key) != getattr(local[n], key) for key in keys)
    ]
    if not (added or removed or changed):
        return None
    return SectionDiff(added, removed, changed)


def _table_diff(name: str, api: SchemaEntity, local: SchemaEntity) -> TableDiff:
    partition = None
    if api.partition != local.partition:
        partition = ValueChange(api.partition or None, local.partition or None)
    identifier = None
    if _identifier_changed(api.identifier, local.identifier):
        identifier = ValueChange(
            api.identifier.to_wire() if api.identifier else None,
            local.identifier.to_wire() if local.identifier else None,
        )
    entity_type = None
    api_type, local_type = api.type or "DEFAULT", local.type or "DEFAULT"
    if api_type != local_type:
        entity_type = ValueChange(api_type, local_type)
    search = None
    if "SEARCHABLE" in (api_type, local_type):
        api_ss, local_ss = api.search_support or "BOTH", local.search_support or "BOTH"
        if api_ss != local_ss:
            search = ValueChange(api_ss, local_ss)

    api_attrs = {a.name: a for a in reversed(api.attributes)}
    local_attrs = {a.name: a for a in reversed(local.attributes)}
    added: list[Mapping[str, Any]] = [
        local_attrs[n].to_wire() for n in sorted(local_attrs.keys() - api_attrs.keys())
    ]
    removed = sorted(api_attrs.keys() - local_attrs.keys())
    changed: list[AttributeChange] = []
    states: list[ItemChange] = []
    for attr_name in sorted(api_attrs.keys() & local_attrs.keys()):
        api_attr, local_attr = api_attrs[attr_name], local_attrs[attr_name]
        if api_attr.type == local_attr.type and api_attr.is_nullable == local_attr.is_nullable:
            continue
        before = {"type": api_attr.type, "isNullable": api_attr.is_nullable}
        after = {"type": local_attr.type, "isNullable": local_attr.is_nullable}
        for key in ("type", "isNullable"):
            if before[key] != after[key]:
                changed.append(AttributeChange(attr_name, key, before[key], after[key]))
        states.append(ItemChange(attr_name, before, after))
    return TableDiff(
        name=name,
        added_attributes=added,
        removed_attributes=removed,
        changed_attributes=changed,
        changed_attribute_states=states,
        partition=partition,
        identifier=identifier,
        type=entity_type,
        search_support=search,
        indexes=_section(api.indexes, local.indexes, ("type", "minimum_score")),
        resolvers=_section(api.resolvers, local.resolvers, ("resolver",)),
        triggers=_section(api.triggers, local.triggers, ("event", "trigger")),
    )


def diff_schemas(api_schema: Mapping[str, Any], local_schema: Mapping[str, Any]) -> SchemaDiff:
    """Compare the API (server) schema with a local document; see the module docstring.

    Both are read by :meth:`SchemaDocument.read`, so every accepted shape compares.
    """
    api = {e.name: e for e in SchemaDocument.read(api_schema).entities}
    local = {e.name: e for e in SchemaDocument.read(local_schema).entities}
    changed = []
    for name in sorted(api.keys() & local.keys()):
        table = _table_diff(name, api[name], local[name])
        if table:
            changed.append(table)
    return SchemaDiff(
        added_tables=sorted(local.keys() - api.keys()),
        removed_tables=sorted(api.keys() - local.keys()),
        changed_tables=changed,
    )


# ---------------------------------------------------------------------------------------------
# Text rendering (the TypeScript SDK's hand-written YAML)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _yaml(value: Any, indent: int) -> Iterable[str]:
    pad = "  " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, Mapping) and item:
                yield f"{pad}{key}:"
                yield from _yaml(item, indent + 1)
            elif isinstance(item, Sequence) and not isinstance(item, str):
                if item:
                    yield f"{pad}{key}:"
                    yield from _yaml(item, indent + 1)
                else:
                    yield f"{pad}{key}: []"
            elif isinstance(item, Mapping):
                yield f"{pad}{key}: {{}}"
            else:
                yield f"{pad}{key}: {_yaml_scalar(item)}"
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            if isinstance(item, Mapping) and item:
                lines = list(_yaml(item, indent + 1))
                first = lines[0][len(pad) + 2 :]
                yield f"{pad}- {first}"
                yield from lines[1:]
            else:
                yield f"{pad}- {_yaml_scalar(item)}"
    else:
        yield f"{pad}{_yaml_scalar(value)}"


def format_diff(diff: SchemaDiff, file_label: str | None = None) -> str:
    """Render a diff the way the TypeScript ``onyx-schema diff`` does (YAML-like, newline-ended).

    >>> print(format_diff(SchemaDiff(), "./onyx.schema.json"), end="")
    No differences found between API schema and ./onyx.schema.json.
    """
    if not diff:
        return f"No differences found between API schema and {file_label or 'local schema'}.\n"
    head = [f"# Diff between API schema and {file_label}", ""] if file_label else ["# Schema diff"]
    return "\n".join([*head, *_yaml(diff.to_dict(), 0)]) + "\n"
