"""Table -> class maps (``onyx.init(schema=SCHEMA)``) and the records built from them.

The official SDK takes the map of its generated stubs and returns instances of those classes;
so does this one, for pydantic models (``model_validate``) and for plain classes whose
constructor takes the fields as keywords (``Model(**record)``), like the stubs ``onyx gen
--python`` writes. Under such a map, records of a table without a class (and projections) are
:class:`Record` dicts, which allow ``record.email`` as well as ``record["email"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ._errors import OnyxConfigError, OnyxDecodeError

__all__ = [
    "MODEL_MAP_OPTIONS",
    "Record",
    "as_mapped",
    "instantiate",
    "is_model_class",
    "model_map",
    "record_builder",
]

MODEL_MAP_OPTIONS = ("model_map", "schema", "models")
"""The ``init`` keywords that give the table -> class map (the official SDK's names)."""


class Record(dict[str, Any]):
    """A record that allows attribute access as well as item access.

    >>> user = Record({"id": "u1", "email": "a@example.com"})
    >>> user.email, user["email"], user.get("missing")
    ('a@example.com', 'a@example.com', None)

    A field named like a dict method (``items``, ``values``, ``get``...) is only reachable as
    ``record["items"]``; a missing field raises ``AttributeError``, so ``getattr(r, "x", None)``
    works.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def is_model_class(value: object) -> bool:
    """Whether ``value`` is a pydantic-style model class (has a ``model_validate`` classmethod).

    Duck-typed, so pydantic is never imported by the SDK itself.
    """
    return isinstance(value, type) and callable(getattr(value, "model_validate", None))


def instantiate(model: type[Any], data: dict[str, Any], where: str) -> Any:
    """``data`` as an instance of ``model``: ``model_validate`` for a pydantic model, else
    ``model(**data)``; a failure becomes :class:`OnyxDecodeError`.

    >>> class Plain:
    ...     def __init__(self, **fields): self.__dict__.update(fields)
    >>> instantiate(Plain, {"id": "u1"}, "a User record").id
    'u1'
    """
    if model is Record:
        return Record(data)
    try:
        if is_model_class(model):
            return model.model_validate(data)
        return model(**data)
    except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
        raise OnyxDecodeError(f"cannot build {model.__name__} from {where}: {exc}") from exc


def record_builder(model: type[Any], where: str) -> Callable[[dict[str, Any]], Any]:
    """:func:`instantiate` with the class resolved once, for decoding many records.

    >>> record_builder(Record, "a User record")({"id": "u1"}).id
    'u1'
    """
    if model is Record:
        return Record
    validate = getattr(model, "model_validate", None) if is_model_class(model) else None

    def build(data: dict[str, Any]) -> Any:
        try:
            return validate(data) if validate is not None else model(**data)
        except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
            raise OnyxDecodeError(f"cannot build {model.__name__} from {where}: {exc}") from exc

    return build


def model_map(options: Mapping[str, Any]) -> Mapping[str, type[Any]]:
    """The table -> class map of ``init`` options, in the official SDK's order of precedence:
    ``model_map``; ``schema`` (a dict, or a module with ``SCHEMA`` or ``MODEL_MAP``); ``models``
    (a module with ``MODEL_MAP``). Empty when none is given.

    >>> class User: ...
    >>> dict(model_map({"schema": {"User": User}}))  # doctest: +ELLIPSIS
    {'User': <class '...User'>}
    """
    for key in MODEL_MAP_OPTIONS:
        value = options.get(key)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            attributes = ("SCHEMA", "MODEL_MAP") if key == "schema" else ("MODEL_MAP",)
            found = [getattr(value, name, None) for name in attributes]
            value = next((item for item in found if isinstance(item, Mapping)), None)
            if value is None:
                raise OnyxConfigError(
                    f"{key}= expects a dict of table name -> class, or a module with "
                    f"{' or '.join(attributes)}"
                )
        for table, cls in value.items():
            if not isinstance(table, str) or not isinstance(cls, type):
                raise OnyxConfigError(f"{key}= maps table names to classes; got {table!r}: {cls!r}")
        return MappingProxyType(dict(value))
    return MappingProxyType({})


def as_mapped(table: str, answer: Any, models: Mapping[str, type[Any]]) -> Any:
    """A record (or a list of records) of ``table`` as ``models`` maps it: an instance of the
    table's class, else a :class:`Record`; unchanged when no map is configured.

    >>> as_mapped("Role", {"id": "r1"}, {"User": Record}).id
    'r1'
    """
    if not models:
        return answer
    model = models.get(table, Record)
    if isinstance(answer, dict):
        return instantiate(model, answer, f"the {table} record")
    if isinstance(answer, list):
        return [
            instantiate(model, item, f"the {table} record") if isinstance(item, dict) else item
            for item in answer
        ]
    return answer
