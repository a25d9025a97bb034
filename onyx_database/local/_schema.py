"""Schema documents: parsing into typed entities, validation with named errors, revision shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._schema_document import PARTITION_COLUMN, SchemaDocument
from ._script import ArrayLiteral, Call, Chain, parse_script

__all__ = [
    "PARTITION_COLUMN",
    "Attribute",
    "Entity",
    "Schema",
    "SchemaInvalid",
    "normalize_document",
    "parse_schema",
    "validate_document",
]


class SchemaInvalid(Exception):
    """A schema document failed validation; ``errors`` names each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    nullable: bool


@dataclass(frozen=True)
class Entity:
    """One table: its attributes in declaration order, identifier, partition and indexes."""

    name: str
    attributes: dict[str, Attribute]
    identifier: str
    generator: str
    partition: str
    indexes: tuple[str, ...]
    resolvers: tuple[str, ...]
    resolver_scripts: dict[str, str] = field(default_factory=dict)
    searchable: bool = False

    @property
    def id_attribute(self) -> Attribute:
        return self.attributes[self.identifier]


@dataclass(frozen=True)
class Schema:
    entities: dict[str, Entity]

    def entity(self, name: str) -> Entity | None:
        return self.entities.get(name)


def _script_tables(node: object) -> list[str]:
    if isinstance(node, Chain):
        found = [node.table]
        for step in node.steps:
            for arg in step.args:
                found += _script_tables(arg)
        return found
    if isinstance(node, Call):
        found = []
        for arg in (*node.args, *(other for _, other in node.chained)):
            found += _script_tables(arg)
        return found
    if isinstance(node, ArrayLiteral):
        return [t for item in node.items for t in _script_tables(item)]
    return []


def _check_script(script: str) -> list[str]:
    """The tables a resolver script reads; :class:`ScriptError` (a ``ValueError``) if it does
    not parse. Parsed, never evaluated."""
    return _script_tables(parse_script(script))


def validate_document(doc: object) -> list[str]:
    """Every problem in a schema document, each as ``path: message``.

    >>> validate_document({"entities": [{"name": "A", "identifier": {"name": "id"},
    ...     "attributes": [{"name": "id", "type": "Strng"}]}]})  # doctest: +ELLIPSIS
    ["entities[0].attributes[0].type: unknown type 'Strng' (expected one of Boolean, ...)"]
    """
    return [str(p) for p in SchemaDocument.problems(doc, check_script=_check_script)]


def _strip_entity_text(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_entity_text(v) for k, v in value.items() if k != "entityText"}
    if isinstance(value, list):
        return [_strip_entity_text(v) for v in value]
    return value


def normalize_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A validated document without ``entityText`` and with the optional lists filled in."""
    entities = []
    for raw in doc.get("entities", []):
        entity = dict(_strip_entity_text(raw))
        entity["partition"] = entity.get("partition") or ""
        identifier = dict(entity["identifier"])
        identifier.setdefault("generator", "None")
        attribute_types = {a["name"]: a["type"] for a in entity["attributes"]}
        identifier.setdefault("type", attribute_types[identifier["name"]])
        entity["identifier"] = identifier
        for key in ("indexes", "resolvers", "triggers"):
            entity[key] = list(entity.get(key) or [])
        entities.append(entity)
    return {"revisionDescription": doc.get("revisionDescription"), "entities": entities}


def parse_schema(doc: Mapping[str, Any]) -> Schema:
    """The typed model of a normalized, validated document (read by :class:`SchemaDocument`)."""
    entities: dict[str, Entity] = {}
    for entity in SchemaDocument.read(doc).entities:
        assert entity.identifier is not None and entity.identifier.name is not None
        identifier = entity.identifier.name
        entities[entity.name] = Entity(
            name=entity.name,
            attributes={
                a.name: Attribute(a.name, str(a.type), a.is_nullable) for a in entity.attributes
            },
            identifier=identifier,
            generator=entity.identifier.generator,
            partition=entity.partition,
            indexes=tuple(
                i.name
                for i in entity.indexes
                if i.type == "DEFAULT" and i.name is not None and i.name != identifier
            ),
            resolvers=tuple(r.name for r in entity.resolvers),
            resolver_scripts={r.name: r.resolver or "" for r in entity.resolvers},
            searchable=entity.searchable,
        )
    return Schema(entities)
