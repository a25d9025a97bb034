"""Schema document → intermediate form (tables and fields with Python names and types)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from onyx_database._schema_document import SchemaDocument, SchemaEntity, read_entities

from ._names import DJANGO_MODEL_ATTRIBUTES, class_name, dedupe, field_name

__all__ = [
    "TARGETS",
    "TIMESTAMP_MODES",
    "FieldSpec",
    "ModelSpec",
    "PackageSpec",
    "Target",
    "TimestampMode",
    "build_package_spec",
    "normalize_schema",
    "python_type",
    "resolver_cascade",
    "resolver_target",
    "revision_id",
]

TimestampMode = Literal["datetime", "string", "number"]
FieldKind = Literal["attribute", "resolver"]
TIMESTAMP_MODES: tuple[TimestampMode, ...] = ("datetime", "string", "number")
Target = Literal["pydantic", "django"]
TARGETS: tuple[Target, ...] = ("pydantic", "django")

_TIMESTAMP_TYPES = {"datetime": "AwareDatetime", "string": "str", "number": "float"}

# Cloud type names and the lower-case aliases the official CLI accepts, case-insensitively.
_TYPES: dict[str, str] = {
    "string": "str",
    "text": "str",
    "uuid": "str",
    "char": "str",
    "boolean": "bool",
    "bool": "bool",
    "byte": "int",
    "short": "int",
    "int": "int",
    "integer": "int",
    "long": "int",
    "float": "float",
    "double": "float",
    "decimal": "float",
    "number": "float",
    "timestamp": "@timestamp",
    "date": "@timestamp",
    "datetime": "@timestamp",
    "timestamptz": "@timestamp",
    "embeddedobject": "dict[str, Any]",
    "json": "dict[str, Any]",
    "object": "dict[str, Any]",
    "record": "dict[str, Any]",
    "map": "dict[str, Any]",
    "embeddedlist": "list[Any]",
}

_GENERATED_IDS = {"uuid", "sequence"}


@dataclass(frozen=True)
class FieldSpec:
    """One model field: an attribute of the table or a resolver."""

    wire_name: str
    python_name: str
    annotation: str
    required: bool
    kind: FieldKind = "attribute"
    schema_type: str = ""
    #: for a resolver Onyx can write back by cascade: ``"Table(childKey, parentKey)"``
    cascade: str = ""

    @property
    def aliased(self) -> bool:
        return self.python_name != self.wire_name


@dataclass(frozen=True)
class ModelSpec:
    """One table: its wire name, class name, identifier, partition and fields (in output order)."""

    table: str
    class_name: str
    identifier: str | None
    partition: str | None
    fields: tuple[FieldSpec, ...]

    @property
    def references(self) -> tuple[str, ...]:
        """Class names of other models its resolver annotations mention."""
        return tuple(
            sorted({f.annotation for f in self.fields if f.kind == "resolver"} - {"Any | None"})
        )


@dataclass(frozen=True)
class PackageSpec:
    """Everything the renderer needs; built by :func:`build_package_spec`."""

    models: tuple[ModelSpec, ...]
    revision_id: str | None
    schema_hash: str
    timestamps: TimestampMode
    warnings: tuple[str, ...] = field(default=(), compare=False)
    target: Target = "pydantic"

    def model(self, table: str) -> ModelSpec:
        for spec in self.models:
            if spec.table == table:
                return spec
        raise KeyError(table)


def revision_id(doc: Mapping[str, Any]) -> str | None:
    """``meta.revisionId`` or a top-level ``revisionId`` of a schema document, if any."""
    meta = doc.get("meta")
    for source in (meta if isinstance(meta, Mapping) else {}, doc):
        value = source.get("revisionId")
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return None


def normalize_schema(
    doc: Mapping[str, Any], *, tables: Iterable[str] | None = None
) -> dict[str, Any]:
    """The canonical, stably ordered form of a schema document.

    Reads every accepted shape, drops ``entityText`` everywhere, keeps unknown keys, sorts
    entities by name (and indexes, resolvers and triggers by name; attributes: the identifier
    first, then by name). ``tables`` keeps only those entities. Top-level ``databaseId``,
    ``revisionDescription`` and ``meta`` are kept.

    >>> normalize_schema({"entities": [{"name": "B"}, {"name": "A", "entityText": "x"}]})
    {'entities': [{'name': 'A'}, {'name': 'B'}]}
    """
    wanted = None if tables is None else set(tables)
    entities = []
    for entity in read_entities(doc):
        if wanted is not None and entity["name"] not in wanted:
            continue
        out = dict(entity)
        ident = out.get("identifier")
        id_name = ident.get("name") if isinstance(ident, Mapping) else None
        if isinstance(out.get("attributes"), list):
            out["attributes"] = sorted(
                (a for a in out["attributes"] if type(a) is dict or isinstance(a, Mapping)),
                key=lambda a: (a.get("name") != id_name, str(a.get("name"))),
            )
        for section in ("indexes", "resolvers", "triggers"):
            if isinstance(out.get(section), list):
                out[section] = sorted(
                    (i for i in out[section] if isinstance(i, Mapping)),
                    key=lambda i: str(i.get("name")),
                )
        entities.append(out)
    entities.sort(key=lambda e: e["name"])
    result: dict[str, Any] = {}
    for key in ("databaseId", "revisionDescription"):
        if isinstance(doc.get(key), str):
            result[key] = doc[key]
    if isinstance(doc.get("meta"), Mapping):
        result["meta"] = dict(doc["meta"])
    result["entities"] = entities
    return result


def python_type(schema_type: Any, timestamps: TimestampMode = "datetime") -> str | None:
    """The annotation for a schema attribute type, or ``None`` for an unknown type.

    >>> python_type("Long"), python_type("Timestamp"), python_type("timestamp", "string")
    ('int', 'AwareDatetime', 'str')
    """
    return _python_type(str(schema_type), timestamps)


@functools.lru_cache(maxsize=256)  # called for every column of every table
def _python_type(schema_type: str, timestamps: TimestampMode) -> str | None:
    mapped = _TYPES.get(schema_type.strip().lower())
    if mapped == "@timestamp":
        return _TIMESTAMP_TYPES[timestamps]
    return mapped


_RESOLVER = re.compile(
    r"""^\s*(?:return\s+)?db\s*\.\s*from\s*\(\s*(?P<q>["'])(?P<table>[^"'\\]+)(?P=q)\s*\)"""
    r"""(?P<body>.*)\.\s*(?P<end>list|firstOrNull)\s*\(\s*\)\s*;?\s*$""",
    re.DOTALL,
)


def _balanced(text: str) -> bool:
    depth, quote, escaped = 0, "", False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
        elif ch == ";":
            return False
    return depth == 0 and not quote


def resolver_target(script: Any) -> tuple[str, bool] | None:
    """``(table, many)`` when a resolver script is a plain ``db.from("T")…list()`` or
    ``…firstOrNull()`` chain, else ``None``.

    >>> resolver_target('db.from("Role").where(eq("id", this.roleId)).firstOrNull()')
    ('Role', False)
    >>> resolver_target('db.from("Role").list().values("id")') is None
    True
    """
    if not isinstance(script, str):
        return None
    match = _RESOLVER.match(script)
    if match is None or not _balanced(match.group("body")):
        return None
    return match.group("table"), match.group("end") == "list"


_CASCADE_BODY = re.compile(
    r"""^\s*\.\s*where\s*\(\s*eq\s*\(\s*(?P<q>["'])(?P<child>[A-Za-z_]\w*)(?P=q)\s*,"""
    r"""\s*this\s*\.\s*(?P<parent>[A-Za-z_]\w*)\s*\)\s*\)\s*$"""
)


def resolver_cascade(script: Any) -> str | None:
    """``"Table(childKey, parentKey)"`` when a resolver script is a plain
    ``db.from("T").where(eq("childKey", this.parentKey))`` list or record: the cascade that
    writes its records back (``attribute:Table(childKey, parentKey)``); else ``None``.

    >>> resolver_cascade('db.from("UserRole").where(eq("userId", this.id)).list()')
    'UserRole(userId, id)'
    >>> resolver_cascade('db.from("Role").where(inOp("id", db.from("UserRole").list())).list()')
    """
    target = resolver_target(script)
    if target is None:
        return None
    match = _RESOLVER.match(script)
    body = _CASCADE_BODY.match(match.group("body")) if match else None
    if body is None:
        return None
    return f"{target[0]}({body.group('child')}, {body.group('parent')})"


def _schema_hash(entities: list[dict[str, Any]]) -> str:
    text = json.dumps(entities, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def build_package_spec(
    doc: Mapping[str, Any],
    *,
    tables: Iterable[str] | None = None,
    timestamps: TimestampMode = "datetime",
    target: Target = "pydantic",
) -> PackageSpec:
    """Build the intermediate form of a schema document (any accepted shape).

    ``tables`` limits the output to those tables (unknown names raise ``ValueError``).
    ``target="django"`` also renames fields that would shadow a Django model attribute.
    Pure and deterministic: the same document and options give an equal spec.
    """
    if timestamps not in TIMESTAMP_MODES:
        raise ValueError(f"timestamps must be one of {', '.join(TIMESTAMP_MODES)}: {timestamps!r}")
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}: {target!r}")
    reserved = DJANGO_MODEL_ATTRIBUTES if target == "django" else frozenset()
    wanted = None if tables is None else list(dict.fromkeys(tables))
    normalized = normalize_schema(doc, tables=wanted)
    entities = normalized["entities"]
    document = SchemaDocument.read(normalized)
    if wanted is not None:
        missing = sorted(set(wanted) - {e["name"] for e in entities})
        if missing:
            raise ValueError(f"unknown table(s): {', '.join(missing)}")
    warnings: list[str] = []
    used_classes: set[str] = set()
    class_names = {e["name"]: dedupe(class_name(e["name"]), used_classes) for e in entities}
    classes = frozenset(used_classes)
    models = [
        _model_spec(
            entity, class_names[entity.name], class_names, classes, timestamps, warnings, reserved
        )
        for entity in document.entities
    ]
    return PackageSpec(
        models=tuple(models),
        revision_id=revision_id(doc),
        schema_hash=_schema_hash(entities),
        timestamps=timestamps,
        warnings=tuple(warnings),
        target=target,
    )


def _field_spec(
    wire: str,
    python: str,
    annotation: str,
    required: bool,
    kind: FieldKind,
    schema_type: str,
    cascade: str,
) -> FieldSpec:
    """``FieldSpec(...)`` without the frozen ``__init__``'s ``object.__setattr__`` per field: a
    spec build makes one per column of every table."""
    spec = object.__new__(FieldSpec)
    vars(spec).update(
        wire_name=wire,
        python_name=python,
        annotation=annotation,
        required=required,
        kind=kind,
        schema_type=schema_type,
        cascade=cascade,
    )
    return spec


def _model_spec(
    entity: SchemaEntity,
    name: str,
    class_names: Mapping[str, str],
    classes: frozenset[str],
    timestamps: TimestampMode,
    warnings: list[str],
    reserved: frozenset[str] = frozenset(),
) -> ModelSpec:
    table = entity.name
    id_name = entity.identifier.name if entity.identifier else None
    id_name = id_name or None
    generator = entity.identifier.generator if entity.identifier else ""
    partition = entity.partition or None

    # wire, annotation, required, kind, type, cascade
    raw: list[tuple[str, str, bool, FieldKind, str, str]] = []
    seen: set[str] = set()
    for attr in entity.attributes:
        wire = attr.name
        if not wire or wire in seen:
            continue
        seen.add(wire)
        schema_type = attr.type or ""
        base = python_type(schema_type, timestamps)
        if base is None:
            warnings.append(f"{table}.{wire}: unknown type {schema_type!r}, typed as Any")
            base = "Any"
        generated = wire == id_name and generator.strip().lower() in _GENERATED_IDS
        required = not attr.is_nullable and not generated
        annotation = base if required else f"{base} | None"
        raw.append((wire, annotation, required, "attribute", schema_type, ""))
    for resolver in entity.resolvers:
        wire = resolver.name
        if not wire or wire in seen:
            continue
        seen.add(wire)
        target = resolver_target(resolver.resolver)
        cascade = ""
        if target is not None and target[0] in class_names:
            model = class_names[target[0]]
            annotation = f"list[{model}] | None" if target[1] else f"{model} | None"
            cascade = resolver_cascade(resolver.resolver) or ""
        else:
            annotation = "Any | None"
        raw.append((wire, annotation, False, "resolver", "", cascade))

    # Safe wire names are kept; the others get a name no kept one uses. A field named like a
    # model class would hide that class from the annotations of its own class body.
    kept = {
        wire
        for wire, *_ in raw
        if field_name(wire) == wire and wire not in classes and wire not in reserved
    }
    used: set[str] | None = None  # built only when a name must change (rare)
    fields = []
    for wire, annotation, required, kind, schema_type, cascade in raw:
        if wire in kept:
            python = wire
        else:
            if used is None:
                used = kept | classes
            candidate = field_name(wire)
            python = dedupe(candidate if candidate not in (wire, *reserved) else wire + "_", used)
        fields.append(_field_spec(wire, python, annotation, required, kind, schema_type, cascade))
    return ModelSpec(
        table=table,
        class_name=name,
        identifier=id_name,
        partition=partition,
        fields=tuple(fields),
    )
