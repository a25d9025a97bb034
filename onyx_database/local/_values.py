"""Attribute values: coercion to declared types, storage form, wire form and Java ``toString``."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

import orjson

from ._dates import format_iso, format_java, parse_timestamp, representable

__all__ = [
    "FAILED",
    "coerce_criterion",
    "coerce_for_save",
    "from_storage",
    "java_string",
    "to_storage",
    "to_wire",
]

_INT_RANGES: Final = {
    "Byte": (-(2**7), 2**7 - 1),
    "Short": (-(2**15), 2**15 - 1),
    "Int": (-(2**31), 2**31 - 1),
    "Long": (-(2**63), 2**63 - 1),
}
_FLOATS: Final = frozenset({"Float", "Double"})
_TEXTS: Final = frozenset({"String", "Char"})
_EMBEDDED: Final = frozenset({"EmbeddedObject", "EmbeddedList"})


class _Failed:
    def __repr__(self) -> str:
        return "FAILED"


FAILED: Final = _Failed()
"""Returned by :func:`coerce_criterion` when a value cannot take the declared type."""


class CoercionError(ValueError):
    """A value to be saved cannot take its attribute's declared type."""


def _number(text: str) -> int | float | None:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        number = float(stripped)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _as_int(value: object, attr_type: str) -> int | None:
    number: object = value
    if isinstance(value, str):
        number = _number(value)
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            return None
        number = int(number)
    low, high = _INT_RANGES[attr_type]
    return number if low <= number <= high else None


def _as_float(value: object) -> float | None:
    number: object = _number(value) if isinstance(value, str) else value
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    result = float(number)
    return result if math.isfinite(result) else None


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def coerce_for_save(attr_type: str, value: object) -> Any:
    """The stored Python value of ``value`` for an attribute of ``attr_type``.

    Raises :class:`CoercionError` when the value cannot take the type. ``None`` stays ``None``.
    """
    if value is None:
        return None
    result: object = None
    if attr_type in _TEXTS:
        if isinstance(value, str):
            result = value
        elif isinstance(value, bool | int | float):
            result = java_string(value)
    elif attr_type == "Boolean":
        result = _as_bool(value)
    elif attr_type in _INT_RANGES:
        result = _as_int(value, attr_type)
    elif attr_type in _FLOATS:
        result = _as_float(value)
    elif attr_type == "Timestamp":
        result = parse_timestamp(value)
    elif attr_type == "EmbeddedList":
        result = value if isinstance(value, list) else None
    else:
        result = value
    if result is None:
        shown = type(value).__name__
        raise CoercionError(f"expected {attr_type}, got {shown}")
    return result


def coerce_criterion(attr_type: str, value: object) -> Any:
    """A criterion value in the attribute's type, or :data:`FAILED` (the engine rule applies).

    Numbers keep their fraction so that ``age > 20.5`` compares numerically.
    """
    if value is None:
        return None
    if attr_type in _INT_RANGES or attr_type in _FLOATS:
        number: object = _number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int | float):
            return FAILED
        if attr_type in _FLOATS:
            return float(number)
        return number
    if attr_type in _EMBEDDED:
        return value
    try:
        return coerce_for_save(attr_type, value)
    except CoercionError:
        return FAILED


def to_storage(attr_type: str, value: Any) -> Any:
    """The SQLite parameter for a coerced value."""
    if value is None:
        return None
    if attr_type in _EMBEDDED:
        return orjson.dumps(value).decode()
    if attr_type == "Boolean":
        return 1 if value else 0
    return value


def from_storage(attr_type: str, value: Any) -> Any:
    """The Python value of a stored column; values left over from an older type are re-coerced."""
    if value is None:
        return None
    if attr_type in _EMBEDDED:
        if isinstance(value, str):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                return None
        return None
    if attr_type == "Boolean" and isinstance(value, int):
        return value != 0
    try:
        return coerce_for_save(attr_type, value)
    except CoercionError:
        return None


def to_wire(attr_type: str, value: Any) -> Any:
    """The JSON value of a stored value: ISO timestamps, never NaN or Infinity."""
    if value is None:
        return None
    if attr_type == "Timestamp" and isinstance(value, int):
        # An aggregate (sum) can leave the dates datetime knows: answer the number then.
        return format_iso(value) if representable(value) else value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _java_double(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "-0.0" if math.copysign(1.0, number) < 0 else "0.0"
    magnitude = abs(number)
    if 1e-3 <= magnitude < 1e7:
        text = repr(number)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) - 1 + exponent
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def java_string(value: Any, attr_type: str | None = None) -> str:
    """What Kotlin's ``toString()`` prints, which the string operators (CONTAINS, LIKE, …) see."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if attr_type == "Timestamp" and isinstance(value, int):
        return format_java(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(java_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    return str(value)
