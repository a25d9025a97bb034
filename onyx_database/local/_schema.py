"""Schema documents: parsing into typed entities, validation with named errors, revision shape."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._script import ArrayLiteral, Call, Chain, ScriptError, parse_script

__all__ = [
    "ATTRIBUTE_TYPES",
    "Attribute",
    "Entity",
    "Schema",
    "SchemaInvalid",
    "normalize_document",
    "parse_schema",
    "validate_document",
]

ATTRIBUTE_TYPES = frozenset(
    {
        "String", "Boolean", "Char", "Byte", "Short", "Int", "Float", "Double", "Long",
        "Timestamp", "EmbeddedObject", "EmbeddedList",
    }
)  # fmt: skip
INTEGER_TYPES = frozenset({"Byte", "Short", "Int", "Long"})
GENERATORS = ("None", "Sequence", "UUID")
INDEX_TYPES = frozenset({"DEFAULT", "LUCENE", "VECTOR"})
ENTITY_TYPES = frozenset({"DEFAULT", "SEARCHABLE"})
TRIGGER_EVENTS = frozenset(
    {
        "PreInsert", "PostInsert", "PrePersist", "PostPersist", "PreUpdate", "PostUpdate",
        "PreDelete", "PostDelete",
    }
)  # fmt: skip
PARTITION_COLUMN = "_partition"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_NAME = 128


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


def _valid_name(value: object) -> bool:
    return isinstance(value, str) and len(value) <= _MAX_NAME and bool(_NAME.fullmatch(value))


def _one_of(value: object, options: Collection[str]) -> bool:
    """Membership that is safe for any JSON value (lists and objects are unhashable)."""
    return isinstance(value, str) and value in options


def _check_entity(raw: object, index: int, errors: list[str]) -> None:
    if not isinstance(raw, Mapping):
        errors.append(f"entities[{index}] must be an object")
        return
    name = raw.get("name")
    if not _valid_name(name):
        errors.append(f"entities[{index}]: name {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
        return
    assert isinstance(name, str)
    if name.lower().startswith("_onyx") or name in ("ALL",):
        errors.append(f"Entity '{name}': the name is reserved")
    where = f"Entity '{name}'"
    entity_type = raw.get("type")
    if entity_type is not None and not _one_of(entity_type, ENTITY_TYPES):
        errors.append(f"{where}: type {entity_type!r} must be DEFAULT or SEARCHABLE")
    attributes = raw.get("attributes")
    declared: dict[str, str] = {}
    if not isinstance(attributes, list):
        errors.append(f"{where}: attributes must be a list")
        attributes = []
    folded: set[str] = set()
    for position, attribute in enumerate(attributes):
        if not isinstance(attribute, Mapping):
            errors.append(f"{where}: attributes[{position}] must be an object")
            continue
        attr_name = attribute.get("name")
        if not _valid_name(attr_name) or attr_name == PARTITION_COLUMN:
            errors.append(f"{where}: attribute name {attr_name!r} is not a valid identifier")
            continue
        assert isinstance(attr_name, str)
        if attr_name.lower() in folded:
            errors.append(f"{where}: duplicate attribute '{attr_name}'")
            continue
        folded.add(attr_name.lower())
        attr_type = attribute.get("type")
        if not _one_of(attr_type, ATTRIBUTE_TYPES):
            errors.append(
                f"{where}: attribute '{attr_name}' has unknown type {attr_type!r} "
                f"(expected one of {', '.join(sorted(ATTRIBUTE_TYPES))})"
            )
            continue
        nullable = attribute.get("isNullable")
        if nullable is not None and not isinstance(nullable, bool):
            errors.append(f"{where}: attribute '{attr_name}' isNullable must be a boolean")
        declared[attr_name] = str(attr_type)
    identifier = raw.get("identifier")
    if not isinstance(identifier, Mapping):
        errors.append(f"{where}: identifier must be an object with name and generator")
    else:
        id_name = identifier.get("name")
        generator = identifier.get("generator", "None")
        if not _one_of(id_name, declared):
            errors.append(f"{where}: identifier '{id_name}' is not declared in attributes")
        if generator not in GENERATORS:
            errors.append(
                f"{where}: identifier generator {generator!r} must be None, Sequence or UUID"
            )
        elif isinstance(id_name, str) and id_name in declared:
            id_type = declared[id_name]
            if id_type in ("EmbeddedObject", "EmbeddedList"):
                errors.append(f"{where}: identifier '{id_name}' cannot be of type {id_type}")
            if generator == "Sequence" and id_type not in INTEGER_TYPES:
                errors.append(f"{where}: Sequence identifier '{id_name}' must be an integer type")
            if generator == "UUID" and id_type != "String":
                errors.append(f"{where}: UUID identifier '{id_name}' must be of type String")
    partition = raw.get("partition")
    if partition not in (None, "") and not _one_of(partition, declared):
        errors.append(f"{where}: partition attribute {partition!r} is not declared in attributes")
    for key, checker in (("indexes", _check_index), ("resolvers", _check_resolver)):
        items = raw.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            errors.append(f"{where}: {key} must be a list")
            continue
        for item in items:
            checker(where, item, declared, errors)
    triggers = raw.get("triggers")
    if triggers is not None and not isinstance(triggers, list):
        errors.append(f"{where}: triggers must be a list")
    for trigger in triggers if isinstance(triggers, list) else []:
        if not isinstance(trigger, Mapping) or not _one_of(trigger.get("event"), TRIGGER_EVENTS):
            errors.append(f"{where}: trigger {trigger!r} has an unknown event")


def _check_index(where: str, index: object, declared: dict[str, str], errors: list[str]) -> None:
    if not isinstance(index, Mapping):
        errors.append(f"{where}: index {index!r} must be an object")
        return
    index_type = index.get("type", "DEFAULT")
    name = index.get("name")
    if not _one_of(index_type, INDEX_TYPES):
        errors.append(f"{where}: index {name!r} has unknown type {index_type!r}")
    if index_type == "DEFAULT" and not _one_of(name, declared):
        errors.append(f"{where}: index {name!r} does not name a declared attribute")


def _check_resolver(where: str, item: object, declared: dict[str, str], errors: list[str]) -> None:
    if not isinstance(item, Mapping) or not _valid_name(item.get("name")):
        errors.append(f"{where}: resolver {item!r} needs a valid name")
        return
    script = item.get("resolver")
    if not isinstance(script, str):
        errors.append(f"{where}: resolver '{item.get('name')}' needs resolver script text")
    else:
        try:
            parse_script(script)
        except ScriptError as error:
            errors.append(f"{where}: resolver '{item.get('name')}': {error}")
    if item.get("name") in declared:
        errors.append(f"{where}: resolver '{item.get('name')}' collides with an attribute")


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


def _check_resolver_tables(raw: Mapping[str, Any], names: set[str], errors: list[str]) -> None:
    for item in raw.get("resolvers") or []:
        if not isinstance(item, Mapping) or not isinstance(item.get("resolver"), str):
            continue
        try:
            tree = parse_script(item["resolver"])
        except ScriptError:
            continue
        for table in _script_tables(tree):
            if table not in names:
                errors.append(
                    f"Entity '{raw.get('name')}': resolver '{item.get('name')}' reads table "
                    f"{table!r}, which the schema does not define"
                )


def validate_document(doc: object) -> list[str]:
    """Every problem in a schema document, each naming its entity and attribute."""
    if not isinstance(doc, Mapping):
        return ["the schema must be a JSON object with an 'entities' list"]
    entities = doc.get("entities")
    if not isinstance(entities, list):
        return ["the schema needs an 'entities' list"]
    errors: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(entities):
        _check_entity(raw, position, errors)
        name = raw.get("name") if isinstance(raw, Mapping) else None
        if isinstance(name, str):
            if name.lower() in seen:
                errors.append(f"Entity '{name}': duplicate entity name")
            seen.add(name.lower())
    tables = {
        r["name"] for r in entities if isinstance(r, Mapping) and isinstance(r.get("name"), str)
    }
    for raw in entities:
        if isinstance(raw, Mapping) and isinstance(raw.get("resolvers"), list):
            _check_resolver_tables(raw, tables, errors)
    return errors


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
    """The typed model of a normalized, validated document."""
    entities: dict[str, Entity] = {}
    for raw in doc.get("entities", []):
        attributes = {
            a["name"]: Attribute(a["name"], a["type"], a.get("isNullable") is True)
            for a in raw["attributes"]
        }
        identifier = raw["identifier"]["name"]
        indexes = tuple(
            i["name"]
            for i in raw.get("indexes", [])
            if i.get("type", "DEFAULT") == "DEFAULT" and i["name"] != identifier
        )
        entities[raw["name"]] = Entity(
            name=raw["name"],
            attributes=attributes,
            identifier=identifier,
            generator=raw["identifier"].get("generator", "None"),
            partition=raw.get("partition") or "",
            indexes=indexes,
            resolvers=tuple(r["name"] for r in raw.get("resolvers", [])),
            resolver_scripts={r["name"]: r["resolver"] for r in raw.get("resolvers", [])},
            searchable=raw.get("type") == "SEARCHABLE"
            or any(i.get("type") == "LUCENE" for i in raw.get("indexes", [])),
        )
    return Schema(entities)
