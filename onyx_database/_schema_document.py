"""The Onyx schema document as pydantic models: one reader, one validator.

Codegen, the schema diff and Onyx Local read schema documents through this module:

* :meth:`SchemaDocument.read` reads **any accepted shape** leniently (codegen and diff): the
  canonical ``{"entities": [...]}``, a ``{"schema": {...}}`` wrapper, a ``{"schemas": [...]}``
  history list (last entry), and the legacy ``tables`` shapes (TypeScript ``attributes``, Go
  ``fields``/``nullable``/``primaryKey``). Entities and items without a name are skipped,
  ``entityText`` is dropped, unknown keys are kept, unknown attribute types are kept as text.
* :meth:`SchemaDocument.check` applies the **wire contract** (what Onyx Local accepts):
  every problem is a :class:`SchemaProblem` whose ``path`` names the place, e.g.
  ``entities[2].attributes[0].type: unknown type 'Strng' (expected one of Boolean, ...)``.

>>> doc = {"entities": [{"name": "User", "identifier": {"name": "id", "generator": "UUID"},
...        "attributes": [{"name": "id", "type": "String"}, {"name": "age", "type": "Strng"}]}]}
>>> print(SchemaDocument.problems(doc)[0])  # doctest: +ELLIPSIS
entities[0].attributes[1].type: unknown type 'Strng' (expected one of Boolean, Byte, ...)
>>> SchemaDocument.read(doc).entities[0].attributes[1].type
'Strng'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self, TypeAlias, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ._built import built

#: The schema document's public models, re-exported as they are by ``onyx_database`` (its
#: constants and readers below are for the SDK's own modules).
__all__ = [
    "SchemaAttribute",
    "SchemaDocument",
    "SchemaDocumentError",
    "SchemaEntity",
    "SchemaEntityType",
    "SchemaIdentifier",
    "SchemaIndex",
    "SchemaProblem",
    "SchemaResolver",
    "SchemaSearchSupport",
    "SchemaTrigger",
]

SchemaEntityType: TypeAlias = Literal["DEFAULT", "SEARCHABLE"]
SchemaSearchSupport: TypeAlias = Literal["LEXICAL", "SEMANTIC", "BOTH"]

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
"""Onyx Local's own column: no attribute may take this name."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_NAME = 128
_CONTRACT = {"contract": True}
_SECTIONS = ("attributes", "indexes", "resolvers", "triggers")


# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class SchemaProblem:
    """One problem of a schema document: where (``entities[0].attributes[1].type``) and what.

    >>> print(SchemaProblem("entities[0].name", "the name is reserved"))
    entities[0].name: the name is reserved
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SchemaDocumentError(ValueError):
    """A schema document breaks the wire contract; ``problems`` names each place.

    >>> try:
    ...     SchemaDocument.check({"entities": "no"})
    ... except SchemaDocumentError as error:
    ...     print(error)
    entities: the schema needs an 'entities' list
    """

    def __init__(self, problems: list[SchemaProblem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems

    @property
    def errors(self) -> list[str]:
        """The problems as ``path: message`` lines."""
        return [str(p) for p in self.problems]


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("onyx_schema", "{message}", {"message": message})


def _contract(info: ValidationInfo | None) -> bool:
    return info is not None and info.context is _CONTRACT


def _valid_name(value: object) -> bool:
    return isinstance(value, str) and len(value) <= _MAX_NAME and _name_ok(value)


@functools.lru_cache(maxsize=4096)  # a schema repeats its column names across tables
def _name_ok(text: str) -> bool:
    """The name pattern (callers check the length first, so only short texts are cached)."""
    return bool(_NAME.fullmatch(text))


def _one_of(value: object, options: Collection[str]) -> bool:
    """Membership that is safe for any JSON value (lists and objects are unhashable)."""
    return isinstance(value, str) and value in options


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _checked_text(
    value: object, info: ValidationInfo, ok: Callable[[object], bool], message: str
) -> str | None:
    """Contract: ``value`` must pass ``ok`` (else ``message``). Reading: the text, or None."""
    if _contract(info) and not ok(value):
        raise _problem(message)
    return _text(value)


def _checked_name(value: object, info: ValidationInfo, message: str) -> object:
    """Contract: ``value`` must be a valid Onyx name (else ``message``)."""
    if _contract(info) and not _valid_name(value):
        raise _problem(message)
    return value


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_PYDANTIC_MESSAGES = {
    "missing": "is required",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "string_type": "must be a string",
    "bool_type": "must be a boolean",
    "bool_parsing": "must be a boolean",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
}


def _from_pydantic(error: ValidationError, prefix: str) -> list[SchemaProblem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        message = (
            item["msg"]
            if item["type"] == "onyx_schema"
            else _PYDANTIC_MESSAGES.get(item["type"], item["msg"])
        )
        if item["type"] != "onyx_schema" and item["type"] != "missing":
            message += f", got {item['input']!r}"
        problems.append(SchemaProblem(_path((prefix, *loc)) if prefix else _path(loc), message))
    return problems


# ---------------------------------------------------------------------------------------------
# Models


class _SchemaPart(BaseModel):
    """Shared behaviour: unknown keys are kept, fields take wire or Python names."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The wire form: camelCase keys, only the keys the document had (plus unknown ones)."""
        return self.model_dump(by_alias=True, exclude_unset=True)


def _named_items(value: object, info: ValidationInfo | None) -> object:
    """Contract: the list as it is (each item validated). Reading: named objects only."""
    if value is None:
        return []
    if _contract(info):
        return value
    if not isinstance(value, list):
        return []
    return [
        item
        for item in value
        if (type(item) is dict or isinstance(item, Mapping)) and isinstance(item.get("name"), str)
    ]


class SchemaAttribute(_SchemaPart):
    """``{name, type, isNullable?}``; the contract's types are :data:`ATTRIBUTE_TYPES`.

    >>> SchemaAttribute(name="email", type="String", isNullable=True).is_nullable
    True
    """

    name: str
    type: str | None = Field(None, validate_default=True)
    is_nullable: bool = Field(False, alias="isNullable")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object, info: ValidationInfo) -> object:
        if _contract(info) and not _attribute_name_ok(value):
            raise _problem(f"attribute name {value!r} is not a valid identifier")
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object, info: ValidationInfo) -> object:
        if not _contract(info):
            return None if value is None else str(value)
        if not _one_of(value, ATTRIBUTE_TYPES):
            raise _problem(
                f"unknown type {value!r} (expected one of {', '.join(sorted(ATTRIBUTE_TYPES))})"
            )
        return value

    @field_validator("is_nullable", mode="before")
    @classmethod
    def _nullable(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            return False
        if _contract(info) and not isinstance(value, bool):
            raise _problem("isNullable must be a boolean")
        return bool(value)


def _attribute_name_ok(value: object) -> bool:
    return _valid_name(value) and value != PARTITION_COLUMN


def _checked_attribute(item: object) -> object:
    """Checking a schema validates every column of every table: an attribute that passes the
    field checks of :class:`SchemaAttribute` as it is (the usual case) is built here; any other
    is left to them, so its problems are reported with their paths."""
    if type(item) is not dict:
        return item
    name, kind, nullable = item.get("name"), item.get("type"), item.get("isNullable")
    if (
        type(name) is str
        and name != PARTITION_COLUMN
        and len(name) <= _MAX_NAME
        and _name_ok(name)
        and type(kind) is str
        and kind in ATTRIBUTE_TYPES
        and (nullable is None or type(nullable) is bool)
    ):
        if len(item) == 3 and "isNullable" in item:  # exactly name, type and isNullable
            values = {"name": name, "type": kind, "is_nullable": bool(nullable)}
            return built(SchemaAttribute, values, {"name", "type", "is_nullable"}, {})
        if item.keys() <= _ATTRIBUTE_WIRE_KEYS:
            return _built_attribute(item, kind, bool(nullable))
    return item


def _built_attribute(item: Mapping[str, Any], kind: str | None, nullable: bool) -> SchemaAttribute:
    """The attribute ``item`` (wire keys only) with its type and nullability already read."""
    if len(item) == 3:  # name, type and isNullable: the usual attribute
        fields_set = {"name", "type", "is_nullable"}
    else:
        fields_set = set(item)
        if "isNullable" in fields_set:
            fields_set.remove("isNullable")
            fields_set.add("is_nullable")
    values = {"name": item["name"], "type": kind, "is_nullable": nullable}
    return built(SchemaAttribute, values, fields_set, {})


class SchemaIdentifier(_SchemaPart):
    """The primary key: ``{name, generator: None|Sequence|UUID, type?}``."""

    name: str | None = Field(None, validate_default=True)
    generator: str = "None"
    type: str | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object, info: ValidationInfo) -> object:
        message = f"identifier {value!r} is not declared in attributes"
        return _checked_text(value, info, _is_text, message)

    @field_validator("generator", mode="before")
    @classmethod
    def _generator(cls, value: object, info: ValidationInfo) -> object:
        if _contract(info) and not _one_of(value, GENERATORS):
            raise _problem(f"generator {value!r} must be None, Sequence or UUID")
        return "None" if value is None else str(value)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object) -> object:
        return _text(value)


class SchemaIndex(_SchemaPart):
    """``{name, type: DEFAULT|LUCENE|VECTOR, minimumScore?}``; a DEFAULT index names an
    attribute."""

    name: str | None = None
    type: str = "DEFAULT"
    minimum_score: float | None = Field(None, alias="minimumScore")

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object, info: ValidationInfo) -> object:
        if not value and not _contract(info):
            return "DEFAULT"
        if _contract(info) and not _one_of(value, INDEX_TYPES):
            raise _problem(f"unknown type {value!r} (expected DEFAULT, LUCENE or VECTOR)")
        return str(value)

    @field_validator("minimum_score", mode="before")
    @classmethod
    def _score(cls, value: object, info: ValidationInfo) -> object:
        if _contract(info) or value is None:
            return value
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class SchemaResolver(_SchemaPart):
    """``{name, resolver: "<script>"}``: the script is parsed by Onyx Local, never evaluated."""

    name: str
    resolver: str | None = Field(None, validate_default=True)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object, info: ValidationInfo) -> object:
        return _checked_name(value, info, f"resolver name {value!r} is not a valid identifier")

    @field_validator("resolver", mode="before")
    @classmethod
    def _script(cls, value: object, info: ValidationInfo) -> object:
        return _checked_text(value, info, _is_text, "needs resolver script text")


class SchemaTrigger(_SchemaPart):
    """``{name, event, trigger}``; ``event`` is one of :data:`TRIGGER_EVENTS`."""

    name: str | None = None
    event: str | None = Field(None, validate_default=True)
    trigger: str | None = None

    @field_validator("event", mode="before")
    @classmethod
    def _event(cls, value: object, info: ValidationInfo) -> object:
        known = _one_of(value, TRIGGER_EVENTS)
        return _checked_text(value, info, lambda _: known, f"unknown event {value!r}")

    @field_validator("name", "trigger", mode="before")
    @classmethod
    def _lenient_text(cls, value: object, info: ValidationInfo) -> object:
        return value if _contract(info) else _text(value)


class SchemaEntity(_SchemaPart):
    """One table of a schema document.

    >>> entity = SchemaEntity(name="User", attributes=[{"name": "id", "type": "String"}],
    ...                       identifier={"name": "id"})
    >>> entity.identifier.generator, entity.partition, entity.attribute("id").type
    ('None', '', 'String')
    """

    name: str
    type: str | None = None
    search_support: str | None = Field(None, alias="searchSupport")
    identifier: SchemaIdentifier | None = Field(None, validate_default=True)
    partition: str = ""
    attributes: list[SchemaAttribute] = Field(None, validate_default=True)
    indexes: list[SchemaIndex] = Field(default_factory=list)
    resolvers: list[SchemaResolver] = Field(default_factory=list)
    triggers: list[SchemaTrigger] = Field(default_factory=list)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object, info: ValidationInfo) -> object:
        return _checked_name(value, info, f"name {value!r} must match [A-Za-z_][A-Za-z0-9_]*")

    @field_validator("type", "search_support", mode="before")
    @classmethod
    def _kind(cls, value: object, info: ValidationInfo) -> object:
        contract = _contract(info) and info.field_name == "type"
        if contract and value is not None and not _one_of(value, ENTITY_TYPES):
            raise _problem(f"type {value!r} must be DEFAULT or SEARCHABLE")
        return _text(value)

    @field_validator("identifier", mode="before")
    @classmethod
    def _identifier(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, Mapping):
            return value
        if _contract(info):
            raise _problem("identifier must be an object with name and generator")
        return None

    @field_validator("partition", mode="before")
    @classmethod
    def _partition(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            return ""
        if _contract(info):
            if not isinstance(value, str):
                raise _problem(f"partition attribute {value!r} is not declared in attributes")
            return value
        return value.strip() if isinstance(value, str) else ""

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: object, info: ValidationInfo) -> object:
        if not _contract(info):
            return _named_items(value, info)
        if value is None:
            raise _problem("attributes must be a list")
        return [_checked_attribute(item) for item in value] if type(value) is list else value

    @field_validator("indexes", "resolvers", "triggers", mode="before")
    @classmethod
    def _items(cls, value: object, info: ValidationInfo) -> object:
        return _named_items(value, info)

    def attribute(self, name: str) -> SchemaAttribute | None:
        """The attribute called ``name``, if declared."""
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def searchable(self) -> bool:
        """``type`` is SEARCHABLE or a LUCENE index exists (full-text search applies)."""
        return self.type == "SEARCHABLE" or any(i.type == "LUCENE" for i in self.indexes)

    def _rules(self, where: str) -> list[SchemaProblem]:
        """The contract's cross-field rules (names declared, identifier kinds, collisions)."""
        problems: list[SchemaProblem] = []

        def add(path: str, message: str) -> None:
            problems.append(SchemaProblem(f"{where}{path}", message))

        if self.name.lower().startswith("_onyx") or self.name == "ALL":
            add(".name", f"the name {self.name!r} is reserved")
        declared: dict[str, str] = {}
        lowered: set[str] = set()
        for position, attribute in enumerate(self.attributes):
            name, folded = attribute.name, attribute.name.lower()
            if folded in lowered:
                add(f".attributes[{position}].name", f"duplicate attribute '{name}'")
                continue
            lowered.add(folded)
            declared[name] = str(attribute.type)
        if self.identifier is not None:
            id_name, generator = self.identifier.name, self.identifier.generator
            if id_name not in declared:
                add(".identifier.name", f"identifier {id_name!r} is not declared in attributes")
            else:
                assert id_name is not None
                id_type = declared[id_name]
                if id_type in ("EmbeddedObject", "EmbeddedList"):
                    add(".identifier", f"identifier '{id_name}' cannot be of type {id_type}")
                if generator == "Sequence" and id_type not in INTEGER_TYPES:
                    add(
                        ".identifier.generator",
                        f"Sequence identifier '{id_name}' must be an integer type",
                    )
                if generator == "UUID" and id_type != "String":
                    add(".identifier.generator", f"UUID identifier '{id_name}' must be a String")
        if self.partition and self.partition not in declared:
            add(".partition", f"partition attribute {self.partition!r} is not declared")
        for position, index in enumerate(self.indexes):
            if index.type == "DEFAULT" and not _one_of(index.name, declared):
                add(
                    f".indexes[{position}].name",
                    f"index {index.name!r} does not name a declared attribute",
                )
        for position, resolver in enumerate(self.resolvers):
            if resolver.name in declared:
                add(
                    f".resolvers[{position}].name",
                    f"resolver '{resolver.name}' collides with an attribute",
                )
        return problems


#: Checks a resolver script; returns the tables it reads or raises ``ValueError`` with the
#: reason. Onyx Local installs its parser; without one scripts are not checked.
ScriptChecker = Callable[[str], list[str]]


class SchemaDocument(_SchemaPart):
    """A schema document (the body of ``PUT /schemas/{db}``, or a revision from ``GET``).

    ``read`` accepts every shape clients have used; ``check`` enforces the wire contract.

    >>> doc = SchemaDocument.read({"tables": [{"name": "T", "fields": [
    ...     {"name": "id", "type": "String", "primaryKey": True}]}]})
    >>> doc.entities[0].identifier.name, doc.entity("T").attributes[0].is_nullable
    ('id', False)
    """

    database_id: str | None = Field(None, alias="databaseId")
    revision_description: str | None = Field(None, alias="revisionDescription")
    entities: list[SchemaEntity] = Field(default_factory=list)
    meta: dict[str, Any] | None = None

    @field_validator("database_id", "revision_description", mode="before")
    @classmethod
    def _texts(cls, value: object) -> object:
        return _text(value)

    @field_validator("meta", mode="before")
    @classmethod
    def _meta(cls, value: object) -> object:
        return dict(value) if isinstance(value, Mapping) else None

    def entity(self, name: str) -> SchemaEntity | None:
        """The entity called ``name``, if present."""
        return next((e for e in self.entities if e.name == name), None)

    @classmethod
    def read(cls, doc: Mapping[str, Any]) -> Self:
        """Read a document of any accepted shape leniently (never raises for odd content).

        >>> SchemaDocument.read({"schema": {"entities": [{"name": "A"}, {"nameless": 1}]}})
        ... # doctest: +ELLIPSIS
        SchemaDocument(database_id=None, ..., entities=[SchemaEntity(name='A', ...)], meta=None)
        """
        inner = _unwrap(doc)
        raw = inner.get("entities")
        source = (
            [e for e in raw if isinstance(e, Mapping) and isinstance(e.get("name"), str)]
            if isinstance(raw, list)
            else read_entities(inner)
        )
        top: dict[str, Any] = {"entities": [_read_entity(e) for e in source]}
        for key in ("databaseId", "revisionDescription"):
            if isinstance(inner.get(key), str):
                top[key] = inner[key]
        if isinstance(inner.get("meta"), Mapping):
            top["meta"] = dict(inner["meta"])
        return _construct(cls, top, {})

    @classmethod
    def problems(
        cls, doc: object, *, check_script: ScriptChecker | None = None
    ) -> list[SchemaProblem]:
        """Every way ``doc`` breaks the wire contract (empty when it is valid)."""
        return _check(doc, check_script)[1]

    @classmethod
    def check(cls, doc: object, *, check_script: ScriptChecker | None = None) -> SchemaDocument:
        """The document, checked against the wire contract.

        Raises :class:`SchemaDocumentError` naming the path of every problem.
        """
        valid, problems = _check(doc, check_script)
        if problems or valid is None:
            raise SchemaDocumentError(problems)
        return valid


# Reading is on the hot path of codegen, the diff and Onyx Local's schema loads: the lenient
# rules of the field validators are applied here in plain Python and the models are built with
# ``model_construct`` (no second validation pass), as fast as the dict readers they replaced.

_Convert = Callable[[Any], Any]
_P = TypeVar("_P", bound=_SchemaPart)


def _construct(cls: type[_P], raw: Mapping[str, Any], convert: Mapping[str, _Convert]) -> _P:
    """What ``cls.model_construct`` builds (wire keys, extras kept, unset fields remembered,
    ``entityText`` dropped), without its per-call introspection, which dominated reading."""
    keys, defaults, fresh = _plan(cls)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        name = keys.get(key)
        if name is not None:
            read = convert.get(key)
            values[name] = value if read is None else read(value)
        elif key != "entityText":
            extra[key] = value if type(value) in _SCALARS else strip_entity_text(value)
    ordered = {name: values.get(name, default) for name, default in defaults}
    for name in fresh:
        if name not in values:
            ordered[name] = []
    return built(cls, ordered, set(values), extra)


@functools.cache
def _plan(
    cls: type[_SchemaPart],
) -> tuple[dict[str, str], tuple[tuple[str, Any], ...], tuple[str, ...]]:
    """Wire key (alias or field name) → field name; the field defaults in field order; the
    fields whose default is a fresh empty list."""
    keys = {name: name for name in cls.model_fields}
    keys.update({info.alias: name for name, info in cls.model_fields.items() if info.alias})
    defaults: list[tuple[str, Any]] = []
    fresh: list[str] = []
    for name, info in cls.model_fields.items():
        if info.default_factory is not None or name in _SECTIONS:
            fresh.append(name)
            defaults.append((name, None))
        else:  # required fields are always present in what the reader passes
            defaults.append((name, None if info.is_required() else info.default))
    return keys, tuple(defaults), tuple(fresh)


def _flag(value: Any) -> bool:
    return False if value is None else bool(value)


def _text_or_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _named(cls: type[_P], convert: Mapping[str, _Convert]) -> _Convert:
    def read(items: Any) -> list[_P]:
        return [_construct(cls, item, convert) for item in _named_list(items)]

    return read


def _score(value: Any) -> float | None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return value if number else None


_ATTRIBUTE_WIRE_KEYS = frozenset({"name", "type", "isNullable"})


def _read_attributes(items: Any) -> list[SchemaAttribute]:
    """:func:`_construct` over the commonest part (every column of every table), in one loop,
    with the usual wire keys read directly."""
    if not isinstance(items, list):
        return []
    out: list[SchemaAttribute] = []
    for raw in items:
        if not (type(raw) is dict or isinstance(raw, Mapping)) or not isinstance(
            raw.get("name"), str
        ):
            continue
        if not raw.keys() <= _ATTRIBUTE_WIRE_KEYS:
            out.append(_construct(SchemaAttribute, raw, _LENIENT_ATTRIBUTE))
            continue
        kind = raw.get("type")
        nullable = raw.get("isNullable")
        out.append(
            _built_attribute(
                raw,
                None if kind is None else str(kind),
                False if nullable is None else bool(nullable),
            )
        )
    return out


_LENIENT_ATTRIBUTE: dict[str, _Convert] = {"type": _text_or_str, "isNullable": _flag}
_LENIENT_INDEX: dict[str, _Convert] = {
    "type": lambda v: str(v) if v else "DEFAULT",
    "minimumScore": _score,
}
_LENIENT_RESOLVER: dict[str, _Convert] = {"resolver": _text}
_LENIENT_TRIGGER: dict[str, _Convert] = {"name": _text, "event": _text, "trigger": _text}
_LENIENT_IDENTIFIER: dict[str, _Convert] = {
    "name": _text,
    "generator": lambda v: "None" if v is None else str(v),
    "type": _text,
}
_LENIENT_ENTITY: dict[str, _Convert] = {
    "type": _text,
    "searchSupport": _text,
    "identifier": lambda v: (
        _construct(SchemaIdentifier, v, _LENIENT_IDENTIFIER) if isinstance(v, Mapping) else None
    ),
    "partition": lambda v: v.strip() if isinstance(v, str) else "",
    "attributes": _read_attributes,
    "indexes": _named(SchemaIndex, _LENIENT_INDEX),
    "resolvers": _named(SchemaResolver, _LENIENT_RESOLVER),
    "triggers": _named(SchemaTrigger, _LENIENT_TRIGGER),
}


def _named_list(items: Any) -> list[Any]:
    named = _named_items(items, None)
    assert isinstance(named, list)
    return named


def _read_entity(raw: Mapping[str, Any]) -> SchemaEntity:
    return _construct(SchemaEntity, raw, _LENIENT_ENTITY)


def _check(
    doc: object, check_script: ScriptChecker | None
) -> tuple[SchemaDocument | None, list[SchemaProblem]]:
    if not isinstance(doc, Mapping):
        return None, [SchemaProblem("", "the schema must be a JSON object with an 'entities' list")]
    raw_entities = doc.get("entities")
    if not isinstance(raw_entities, list):
        return None, [SchemaProblem("entities", "the schema needs an 'entities' list")]
    problems: list[SchemaProblem] = []
    entities: list[tuple[int, SchemaEntity]] = []
    for position, raw in enumerate(raw_entities):
        where = f"entities[{position}]"
        if not isinstance(raw, Mapping):
            problems.append(SchemaProblem(where, "must be an object"))
            continue
        try:
            if type(raw) is not dict or "entityText" in raw:
                raw = {k: v for k, v in raw.items() if k != "entityText"}
            entity = SchemaEntity.model_validate(raw, context=_CONTRACT)
        except ValidationError as error:
            problems += _from_pydantic(error, where)
            continue
        problems += entity._rules(where)
        entities.append((position, entity))
    seen: set[str] = set()
    for position, entity in entities:
        if entity.name.lower() in seen:
            problems.append(
                SchemaProblem(f"entities[{position}].name", f"duplicate entity '{entity.name}'")
            )
        seen.add(entity.name.lower())
    if check_script is not None:
        tables = {entity.name for _, entity in entities}
        for position, entity in entities:
            for number, resolver in enumerate(entity.resolvers):
                where = f"entities[{position}].resolvers[{number}].resolver"
                named = f"resolver '{resolver.name}' of '{entity.name}'"
                try:
                    read = check_script(resolver.resolver or "")
                except ValueError as error:
                    problems.append(SchemaProblem(where, f"{named}: {error}"))
                    continue
                problems += [
                    SchemaProblem(
                        where, f"{named} reads table {table!r}, which the schema does not define"
                    )
                    for table in read
                    if table not in tables
                ]
    if problems:
        return None, problems
    top = {k: v for k, v in doc.items() if k != "entityText"}
    document = SchemaDocument.model_validate({**top, "entities": []})
    document.entities = [entity for _, entity in entities]
    return document, []


# ---------------------------------------------------------------------------------------------
# Reading every accepted shape


def strip_entity_text(value: Any) -> Any:
    """Return a copy of ``value`` with every ``entityText`` key removed, at any depth.

    >>> strip_entity_text({"entities": [{"name": "A", "entityText": "..."}]})
    {'entities': [{'name': 'A'}]}
    """
    if isinstance(value, Mapping):
        return {
            k: v if type(v) in _SCALARS else strip_entity_text(v)
            for k, v in value.items()
            if k != "entityText"
        }
    if isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS else strip_entity_text(v) for v in value]
    return value


#: Values ``strip_entity_text`` returns as they are (checked by exact type: no ABC lookups on
#: the tens of thousands of leaves of a large schema).
_SCALARS = frozenset({str, int, float, bool, type(None)})


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
    ``entityText`` is removed. :meth:`SchemaDocument.read` types the result.

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
