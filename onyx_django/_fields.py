"""What a queryset needs to know about a model class: field names and types, identifier,
partition, and the conversions between Python values and lookup / ``values()`` values.

Works with any pydantic v2 model (``model_fields``); a plain class with ``__onyx_table__`` has no
known fields, so names are not checked and values pass through unchanged.

>>> from pydantic import BaseModel
>>> class Item(BaseModel):
...     id: str
...     qty: int | None = None
>>> lookup_value(Item, "qty", "7", "gt")
7
>>> python_value(Item, "qty", None) is None
True
"""

from __future__ import annotations

import contextlib
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

__all__ = [
    "field_names",
    "identifier",
    "is_text_field",
    "lookup_value",
    "partition",
    "python_value",
]

_NONE_TYPE = type(None)


def identifier(model: type[Any]) -> str:
    """The primary-key field: ``__onyx_identifier__``, else ``id``."""
    explicit = getattr(model, "__onyx_identifier__", None)
    return explicit if isinstance(explicit, str) and explicit else "id"


def partition(model: type[Any]) -> str | None:
    """The model's partition (``__onyx_partition__``), or None for the client default."""
    explicit = getattr(model, "__onyx_partition__", None)
    return explicit if isinstance(explicit, str) and explicit else None


_ANNOTATIONS: dict[type[Any], Mapping[str, Any] | None] = {}
_ADAPTERS: dict[tuple[type[Any], str], Any] = {}


def _annotations(model: type[Any]) -> Mapping[str, Any] | None:
    if model in _ANNOTATIONS:
        return _ANNOTATIONS[model]
    fields = getattr(model, "model_fields", None)
    found = (
        {str(name): getattr(info, "annotation", Any) for name, info in fields.items()}
        if isinstance(fields, Mapping)
        else None
    )
    _ANNOTATIONS[model] = found
    return found


def field_names(model: type[Any]) -> tuple[str, ...] | None:
    """The model's field names in declaration order (None when the model does not say)."""
    annotations = _annotations(model)
    return None if annotations is None else tuple(annotations)


def _base_type(annotation: Any) -> Any:
    """``int`` for ``int | None`` / ``Optional[int]``; the annotation itself otherwise."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [arg for arg in typing.get_args(annotation) if arg is not _NONE_TYPE]
        return args[0] if len(args) == 1 else annotation
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    return annotation


def _annotation(model: type[Any], name: str) -> Any:
    annotations = _annotations(model)
    return Any if annotations is None else annotations.get(name, Any)


def _adapter(model: type[Any], name: str) -> Any:
    key = (model, name)
    if key in _ADAPTERS:
        return _ADAPTERS[key]
    annotation = _annotation(model, name)
    adapter: Any = None
    if annotation is not Any:
        from pydantic import TypeAdapter

        # an annotation pydantic cannot adapt on its own: values pass through unchecked
        with contextlib.suppress(Exception):
            adapter = TypeAdapter(annotation)
    _ADAPTERS[key] = adapter
    return adapter


def is_text_field(model: type[Any], name: str) -> bool:
    """Whether the field holds text (or its type is unknown, so text lookups are allowed)."""
    base = _base_type(_annotation(model, name))
    if base is Any:
        return True
    if typing.get_origin(base) is typing.Literal:
        return all(isinstance(arg, str) for arg in typing.get_args(base))
    return isinstance(base, type) and issubclass(base, str)


_STRINGABLE = (int, float, Decimal, UUID)
_TYPE_NAMES = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    Decimal: "a decimal number",
    datetime: "a datetime",
    date: "a date",
    time: "a time",
    timedelta: "a duration",
    UUID: "a UUID",
}


def lookup_value(model: type[Any], name: str, value: Any, lookup: str) -> Any:
    """``value`` converted to the field's Python type for a lookup, as Django's
    ``get_prep_value`` does (``"7"`` → ``7`` for an int field); :class:`ValueError` naming the
    field when it cannot be (``age__gt="abc"``)."""
    if value is None:
        return None
    adapter = _adapter(model, name)
    if adapter is None:
        return value
    base = _base_type(_annotation(model, name))
    if base is str and isinstance(value, _STRINGABLE) and not isinstance(value, bool):
        return str(value)
    if isinstance(base, type) and issubclass(base, Enum) and isinstance(value, base):
        return value
    try:
        return adapter.validate_python(value)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        expected = _TYPE_NAMES.get(base, f"a {getattr(base, '__name__', base)}")
        raise ValueError(
            f"Field {name!r} expected {expected} but got {value!r} (lookup {lookup!r})."
        ) from exc


def python_value(model: type[Any], name: str, value: Any) -> Any:
    """A wire value as the model declares it (ISO text → ``datetime``, number → ``Decimal``...);
    unchanged when the field is unknown or the value does not fit."""
    if value is None:
        return None
    adapter = _adapter(model, name)
    if adapter is None:
        return value
    try:
        return adapter.validate_python(value)
    except ValueError:
        return value
