"""Schema documents: reading every accepted shape, and diffing two of them.

Pure functions, no I/O. ``diff_schemas(api, local)`` follows the TypeScript SDK's
``computeSchemaDiff`` (the canonical algorithm; the official CLI ports it), with two additions
taken from the official Python SDK: the entity ``type`` (missing means ``DEFAULT``) and
``searchSupport`` (missing means ``BOTH``, compared only when either side is ``SEARCHABLE``).

Normalisation before comparing:

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
from dataclasses import dataclass, field
from typing import Any

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
# Reading documents


def strip_entity_text(value: Any) -> Any:
    """Return a copy of ``value`` with every ``entityText`` key removed, at any depth.

    >>> strip_entity_text({"entities": [{"name": "A", "entityText": "..."}]})
    {'entities': [{'name': 'A'}]}
    """
    if isinstance(value, Mapping):
        return {k: strip_entity_text(v) for k, v in value.items() if k != "entityText"}
    if isinstance(value, list | tuple):
        return [strip_entity_text(v) for v in value]
    return value


def _unwrap(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while seen < 8:
        seen += 1
        if isinstance(doc.get("entities"), list) or isinstance(doc.get("tables"), list):
            return doc
        inner = doc.get("schema")
        if isinstance(inner, Mapping):
            doc = inner
            continue
        history = doc.get("schemas")
        if isinstance(history, list) and history and isinstance(history[-1], Mapping):
            doc = history[-1]
            continue
        break
    return doc


def _from_go_field(item: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": item.get("name"), "type": item.get("type")}
    nullable = item.get("isNullable", item.get("nullable"))
    if nullable is not None:
        out["isNullable"] = bool(nullable)
    return out


def read_entities(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The entities of a schema document in any accepted shape, as canonical dicts.

    Prefers ``entities``; falls back to ``tables`` (legacy ``attributes`` or Go ``fields``).
    Entities without a string ``name`` are dropped. Unknown keys of canonical entities are kept;
    ``entityText`` is removed.

    >>> read_entities({"tables": [{"name": "T", "fields": [
    ...     {"name": "id", "type": "String", "primaryKey": True, "nullable": False}]}]})
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'name': 'T', 'attributes': [{'name': 'id', 'type': 'String', 'isNullable': False}],
      'identifier': {'name': 'id', 'generator': 'None', 'type': 'String'}}]
    """
    doc = _unwrap(doc)
    raw = doc.get("entities")
    out: list[dict[str, Any]] = []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                out.append(strip_entity_text(item))
        return out
    tables = doc.get("tables")
    if not isinstance(tables, list):
        return out
    for table in tables:
        if not isinstance(table, Mapping) or not isinstance(table.get("name"), str):
            continue
        if isinstance(table.get("attributes"), list):
            entity: dict[str, Any] = {"name": table["name"], "attributes": table["attributes"]}
        else:
            fields = [f for f in table.get("fields") or [] if isinstance(f, Mapping)]
            entity = {"name": table["name"], "attributes": [_from_go_field(f) for f in fields]}
            keys = [f for f in fields if f.get("primaryKey")]
            if keys:
                entity["identifier"] = {
                    "name": keys[0].get("name"),
                    "generator": "None",
                    "type": keys[0].get("type"),
                }
            for section in ("indexes", "resolvers", "triggers"):
                items = table.get(section)
                if isinstance(items, list):
                    entity[section] = [
                        dict(i) if isinstance(i, Mapping) else {"name": i} for i in items
                    ]
            if isinstance(table.get("partition"), str):
                entity["partition"] = table["partition"]
        out.append(strip_entity_text(entity))
    return out


# ---------------------------------------------------------------------------------------------
# Result types


@dataclass(frozen=True)
class ValueChange:
    """A scalar (or whole-object) section that differs: ``before`` is the API side."""

    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after}


@dataclass(frozen=True)
class AttributeChange:
    """One differing ``field`` (``"type"`` or ``"isNullable"``) of attribute ``name``."""

    name: str
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ItemChange:
    """A named index, resolver or trigger that differs; ``before``/``after`` are full objects."""

    name: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "from": dict(self.before), "to": dict(self.after)}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


def _by_name(items: Any) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                out.setdefault(item["name"], item)
    return out


def _partition(entity: Mapping[str, Any]) -> str:
    value = entity.get("partition")
    return value.strip() if isinstance(value, str) else ""


def _identifier_changed(a: Any, b: Any) -> bool:
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return isinstance(a, Mapping) != isinstance(b, Mapping)
    return any(a.get(k) != b.get(k) for k in ("name", "generator", "type"))


def _section(api_items: Any, local_items: Any, differs: Any) -> SectionDiff | None:
    api, local = _by_name(api_items), _by_name(local_items)
    added = [local[n] for n in sorted(local.keys() - api.keys())]
    removed = sorted(api.keys() - local.keys())
    changed = [
        ItemChange(n, api[n], local[n])
        for n in sorted(api.keys() & local.keys())
        if differs(api[n], local[n])
    ]
    section = SectionDiff(added, removed, changed)
    return section if section else None


def _index_differs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return (a.get("type") or "DEFAULT") != (b.get("type") or "DEFAULT") or a.get(
        "minimumScore"
    ) != b.get("minimumScore")


def _resolver_differs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("resolver") != b.get("resolver")


def _trigger_differs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("event") != b.get("event") or a.get("trigger") != b.get("trigger")


def _attribute_view(attr: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": attr.get("type"), "isNullable": bool(attr.get("isNullable"))}


def _table_diff(name: str, api: Mapping[str, Any], local: Mapping[str, Any]) -> TableDiff:
    partition = None
    if _partition(api) != _partition(local):
        partition = ValueChange(_partition(api) or None, _partition(local) or None)
    identifier = None
    api_id, local_id = api.get("identifier"), local.get("identifier")
    if _identifier_changed(api_id, local_id):
        identifier = ValueChange(
            dict(api_id) if isinstance(api_id, Mapping) else None,
            dict(local_id) if isinstance(local_id, Mapping) else None,
        )
    entity_type = None
    api_type, local_type = api.get("type") or "DEFAULT", local.get("type") or "DEFAULT"
    if api_type != local_type:
        entity_type = ValueChange(api_type, local_type)
    search = None
    if "SEARCHABLE" in (api_type, local_type):
        api_ss = api.get("searchSupport") or "BOTH"
        local_ss = local.get("searchSupport") or "BOTH"
        if api_ss != local_ss:
            search = ValueChange(api_ss, local_ss)

    api_attrs, local_attrs = _by_name(api.get("attributes")), _by_name(local.get("attributes"))
    added = [local_attrs[n] for n in sorted(local_attrs.keys() - api_attrs.keys())]
    removed = sorted(api_attrs.keys() - local_attrs.keys())
    changed: list[AttributeChange] = []
    states: list[ItemChange] = []
    for attr_name in sorted(api_attrs.keys() & local_attrs.keys()):
        before, after = (
            _attribute_view(api_attrs[attr_name]),
            _attribute_view(local_attrs[attr_name]),
        )
        if before == after:
            continue
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
        indexes=_section(api.get("indexes"), local.get("indexes"), _index_differs),
        resolvers=_section(api.get("resolvers"), local.get("resolvers"), _resolver_differs),
        triggers=_section(api.get("triggers"), local.get("triggers"), _trigger_differs),
    )


def diff_schemas(api_schema: Mapping[str, Any], local_schema: Mapping[str, Any]) -> SchemaDiff:
    """Compare the API (server) schema with a local document; see the module docstring."""
    api = {e["name"]: e for e in read_entities(api_schema)}
    local = {e["name"]: e for e in read_entities(local_schema)}
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
