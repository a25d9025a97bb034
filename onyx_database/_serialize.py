"""Turn the values users hold into JSON-able wire values.

The rules (the same for JSON and MessagePack):

- ``None``, ``bool``, ``int``, ``float`` and ``str`` pass through.
- An aware ``datetime`` is converted to UTC and written as ISO 8601 with milliseconds and ``Z``
  (``2025-09-04T18:08:18.345Z``). A **naive** ``datetime`` is assumed to already be UTC, as the
  official SDKs do.
- ``date`` becomes ``YYYY-MM-DD``; ``time`` its ``isoformat()``.
- ``UUID`` becomes its canonical string.
- ``Decimal`` becomes an ``int`` when it is integral and a ``float`` otherwise (Onyx has no decimal
  column type; keep the value as a string yourself if you need every digit).
- An ``Enum`` member becomes its ``.value`` (serialized again by these rules).
- A pydantic model becomes ``model_dump(mode="json", by_alias=True)``.
- A dataclass instance (``slots=True`` too) becomes a dict of its fields.
- Any other object with a ``__dict__`` (a plain class, like the official SDK's generated stubs)
  becomes a dict of its public attributes (``vars(obj)`` without ``_``-prefixed names).
- Mappings, lists, tuples, sets and frozensets are walked recursively (sets are sorted when their
  items are comparable, so the wire is deterministic).

Anything else raises :class:`~onyx_database.OnyxSerializationError` naming the type and where it
sits (``entity.address.geo``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ._errors import OnyxSerializationError

__all__ = ["format_datetime", "to_wire", "to_wire_list"]

_PASS_THROUGH = (str, int, float, bool, type(None))
_PLAIN = frozenset(_PASS_THROUGH)


def format_datetime(value: dt.datetime) -> str:
    """Format a datetime the way Onyx stores it: UTC, milliseconds, ``Z``.

    >>> format_datetime(dt.datetime(2025, 9, 4, 18, 8, 18, 345678, tzinfo=dt.UTC))
    '2025-09-04T18:08:18.345Z'
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
        if value.year >= 1000:
            # isoformat truncates to milliseconds like ``// 1000``; drop its "+00:00"
            return value.isoformat(timespec="milliseconds")[:-6] + "Z"
    elif value.year >= 1000:
        return value.isoformat(timespec="milliseconds") + "Z"
    # strftime writes years before 1000 without padding; isoformat would pad them
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def to_wire(value: Any, path: str = "entity") -> Any:
    """Return ``value`` as plain JSON-able data (dict, list, str, int, float, bool, None).

    ``path`` names the value in error messages.

    >>> import uuid, decimal
    >>> to_wire({"id": uuid.UUID(int=1), "price": decimal.Decimal("2.50"), "tags": ("a",)})
    {'id': '00000000-0000-0000-0000-000000000001', 'price': 2.5, 'tags': ['a']}
    """
    if type(value) is dict:
        flat = _flat_record(value)
        return flat if flat is not None else _container(value, path, set())
    return _convert(value, path, set())


def to_wire_list(values: Iterable[Any], path: str = "entities", start: int = 0) -> list[Any]:
    """``[to_wire(v, f"{path}[{i}]") for i, v in enumerate(values, start)]``, without building
    the paths of values that convert without error.

    >>> to_wire_list([{"id": 1}, {"at": dt.date(2025, 1, 2)}])
    [{'id': 1}, {'at': '2025-01-02'}]
    """
    out = []
    for index, value in enumerate(values, start):
        if type(value) is dict:
            flat = _flat_record(value)
            if flat is not None:
                out.append(flat)
                continue
        out.append(_convert(value, f"{path}[{index}]", set()))
    return out


def _flat_record(value: dict[Any, Any]) -> dict[str, Any] | None:
    """The wire form of a plain dict with ``str`` keys whose values are all plain scalars or
    exact datetimes (the shape of most records), else ``None`` for the general path.

    The same output as the general path, in a fraction of its time (no cycle bookkeeping, no
    per-value dispatch).
    """
    for key, item in value.items():
        if type(key) is not str or type(item) not in _PLAIN:
            break
    else:
        return value.copy()
    if type(item) is not dt.datetime or type(key) is not str:
        return None  # not flat: the general path, without a second look
    out = {}
    for key, item in value.items():
        if type(key) is not str:
            return None
        kind = type(item)
        if kind in _PLAIN:
            out[key] = item
        elif kind is dt.datetime:
            out[key] = format_datetime(item)
        else:
            return None
    return out


def _convert(value: Any, path: str, active: set[int]) -> Any:
    kind = type(value)
    if kind in _PASS_THROUGH:
        return value
    if kind is dict or kind is list or kind is tuple:
        return _container(value, path, active)
    # The everyday exact types before the isinstance chain (which their subclasses take).
    if kind is dt.datetime:
        return format_datetime(value)
    if kind is dt.date or kind is dt.time:
        return value.isoformat()
    if kind is uuid.UUID:
        return str(value)
    if kind is Decimal:
        return _decimal(value, path)
    if isinstance(value, enum.Enum):
        return _convert(value.value, path, active)
    if isinstance(value, _PASS_THROUGH):  # subclasses of str/int/float that are not enums
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return _decimal(value, path)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return _container(value, path, active)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return _container(fields, path, active, owner=value)
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump) and not isinstance(value, type):
        try:
            dumped = model_dump(mode="json", by_alias=True)
        except Exception as exc:
            raise OnyxSerializationError(
                f"cannot serialize {type(value).__name__} at {path}: model_dump failed: {exc}"
            ) from exc
        return _convert(dumped, path, active)
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and not callable(value) and not isinstance(value, type):
        fields = {k: v for k, v in attributes.items() if not k.startswith("_")}
        return _container(fields, path, active, owner=value)
    raise OnyxSerializationError(
        f"cannot serialize a value of type {type(value).__module__}.{type(value).__qualname__} "
        f"at {path}; convert it to str, int, float, bool, a dict or a list first"
    )


def _decimal(value: Decimal, path: str) -> int | float:
    if not value.is_finite():
        raise OnyxSerializationError(f"cannot serialize the non-finite Decimal {value} at {path}")
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _container(value: Any, path: str, active: set[int], owner: Any = None) -> Any:
    marker = id(owner if owner is not None else value)
    if marker in active:
        raise OnyxSerializationError(f"reference cycle at {path}")
    active.add(marker)
    try:
        # Plain keys and values (most of them) skip the call and the path that names them.
        if type(value) is dict or isinstance(value, Mapping):
            return {
                (key if type(key) is str else _key(key, path)): (
                    item if type(item) in _PASS_THROUGH else _convert(item, f"{path}.{key}", active)
                )
                for key, item in value.items()
            }
        items = value
        if isinstance(value, set | frozenset):
            try:
                items = sorted(value)
            except TypeError:
                items = list(value)
        return [
            item if type(item) in _PASS_THROUGH else _convert(item, f"{path}[{index}]", active)
            for index, item in enumerate(items)
        ]
    finally:
        active.discard(marker)


def _key(key: Any, path: str) -> str:
    if isinstance(key, enum.Enum):
        key = key.value
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise OnyxSerializationError(
        f"cannot serialize a mapping key of type {type(key).__name__} at {path}; keys must be str"
    )
