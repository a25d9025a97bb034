"""Entities on the wire: validation and coercion of a saved object, rendering of a stored one."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from ._codec import check_document
from ._dates import format_iso, parse_canonical, parse_timestamp
from ._errors import ApiError, bad_request, unprocessable
from ._schema import Entity
from ._values import CoercionError, coerce_for_save, to_wire

__all__ = ["coerce_updates", "prepare", "prepare_all", "render", "render_many"]

_AS_IS: dict[str, type] = {"String": str, "Char": str, "Boolean": bool}


_INT_BOUNDS: dict[str, tuple[int, int]] = {
    "Byte": (-(2**7), 2**7 - 1),
    "Short": (-(2**15), 2**15 - 1),
    "Int": (-(2**31), 2**31 - 1),
    "Long": (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True)
class _Plan:
    """What :func:`prepare` and :func:`render` need of an entity, worked out once per entity."""

    # (name, attribute type, the type kept as is, integer bounds, empty string means null,
    # timestamp)
    fields: tuple[tuple[str, str, type | None, tuple[int, int] | None, bool, bool], ...]
    required: tuple[str, ...]  # attributes that must not be null, in declaration order
    # (name, attribute type, timestamp) in wire order: the identifier first, the rest by name
    wire: tuple[tuple[str, str, bool], ...]
    # the wire order's names, and the attributes whose prepared value changes on the wire
    wire_names: tuple[str, ...]
    wire_changed: tuple[tuple[str, str], ...]


_PLANS: dict[int, tuple[Entity, _Plan]] = {}
# Prepared values of other types are their own wire form (see to_wire).
_CHANGED_ON_WIRE: Final = frozenset({"Timestamp", "Float", "Double"})


def _plan(entity: Entity) -> _Plan:
    cached = _PLANS.get(id(entity))
    if cached is not None and cached[0] is entity:
        return cached[1]
    identifier = entity.identifier
    fields = tuple(
        (
            name,
            attribute.type,
            _AS_IS.get(attribute.type),
            _INT_BOUNDS.get(attribute.type),
            name == identifier and entity.generator == "UUID",
            attribute.type == "Timestamp",
        )
        for name, attribute in entity.attributes.items()
    )
    required = tuple(
        name
        for name, attribute in entity.attributes.items()
        if not attribute.nullable and not (name == identifier and entity.generator != "None")
    )
    names = [identifier, *sorted(n for n in entity.attributes if n != identifier)]
    wire = tuple(
        (n, entity.attributes[n].type, entity.attributes[n].type == "Timestamp") for n in names
    )
    changed = tuple((n, t) for n, t, _ in wire if t in _CHANGED_ON_WIRE)
    plan = _Plan(fields, required, wire, tuple(names), changed)
    if len(_PLANS) > 1000:  # schemas republished many times: start over
        _PLANS.clear()
    _PLANS[id(entity)] = (entity, plan)
    return plan


def prepare(entity: Entity, item: object) -> dict[str, Any]:
    """The coerced record of a saved object (ids may still be empty for UUID/Sequence).

    Unknown keys are ignored; missing attributes are null; saves replace, they never merge.
    """
    return _prepare(entity, _plan(entity), item)


def prepare_all(
    entity: Entity, items: list[Any], *, numbered: bool
) -> tuple[list[dict[str, Any]], ApiError | None]:
    """:func:`prepare` for each item, stopping at the first invalid one: the records before it
    and its error (``numbered`` adds the item's position to the message)."""
    plan = _plan(entity)
    prepared: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        try:
            prepared.append(_prepare(entity, plan, item))
        except ApiError as error:
            if numbered:
                error.message = f"{error.message} (item {position})"
            return prepared, error
    return prepared, None


def _prepare(entity: Entity, plan: _Plan, item: object) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise bad_request(f"a saved {entity.name} must be a JSON object")
    record: dict[str, Any] = {}
    get = item.get
    for name, attr_type, as_is, bounds, empty_is_null, timestamp in plan.fields:
        raw = get(name)
        if empty_is_null and raw == "":
            raw = None
        if raw is None or type(raw) is as_is:
            record[name] = raw  # what coerce_for_save would return, without the checks
            continue
        if bounds is not None and type(raw) is int and bounds[0] <= raw <= bounds[1]:
            record[name] = raw  # likewise
            continue
        if timestamp and type(raw) is str:
            millis = parse_canonical(raw) or parse_timestamp(raw)
            if millis is not None:
                record[name] = millis  # likewise
                continue
        try:
            record[name] = coerce_for_save(attr_type, raw)
        except CoercionError as error:
            raise unprocessable(
                f"Attribute type mismatch, {error} for attribute {name} of {entity.name}"
            ) from None
    key = record[entity.identifier]
    if entity.generator == "None" and key in (None, ""):
        raise unprocessable(f"Identifier key is required : {entity.identifier}")
    for name in plan.required:
        if record[name] is None:
            raise unprocessable(f"Attribute must not be null : {name}")
    return record


_PLAIN: Final = (str, int, bool)


def render(entity: Entity, record: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared attribute (null when unset), the identifier first, the rest by name."""
    return _render(_plan(entity).wire, record)


def render_many(entity: Entity, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`render` of each record, for records just :func:`prepare`-d: their values are
    already of their attribute's type, so only timestamps and floats need converting."""
    plan = _plan(entity)
    names, changed = plan.wire_names, plan.wire_changed
    wires = []
    for record in records:
        wire = {name: record.get(name) for name in names}
        for name, attr_type in changed:
            value = wire[name]
            if value is None:
                continue
            # prepare() only gives representable timestamps
            wire[name] = (
                format_iso(value) if attr_type == "Timestamp" else to_wire(attr_type, value)
            )
        wires.append(wire)
    return wires


def _render(wire: tuple[tuple[str, str, bool], ...], record: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, attr_type, timestamp in wire:
        value = record.get(name)
        if value is None or (not timestamp and type(value) in _PLAIN):
            out[name] = value  # what to_wire would return
        else:
            out[name] = to_wire(attr_type, value)
    return out


def coerce_updates(entity: Entity, raw: object) -> dict[str, Any]:
    """The ``updates`` of an UpdateQuery, validated and coerced before any row is touched.

    Kotlin sends every value as a string (``"30"``, ``"true"``, ``Date.toString()``), so strings
    are parsed into the attribute's type; JSON text is accepted for embedded attributes.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise bad_request("updates must be an object of attribute: value")
    updates: dict[str, Any] = {}
    for name, value in raw.items():
        if name.lower() == entity.identifier.lower():
            raise bad_request(f"Cannot update the entity's identifier : {entity.identifier}")
        attribute = entity.attributes.get(name)
        if attribute is None:
            raise bad_request(
                f"Entity attribute does not exist: {name} not found on entity {entity.name}"
            )
        if value is None:
            if not attribute.nullable:
                raise unprocessable(f"Attribute must not be null : {name}")
            updates[name] = None
            continue
        if attribute.type in ("EmbeddedObject", "EmbeddedList") and isinstance(value, str):
            with contextlib.suppress(orjson.JSONDecodeError):
                value = orjson.loads(value)
            check_document(value)  # JSON text inside the body gets the body's limits
        try:
            updates[name] = coerce_for_save(attribute.type, value)
        except CoercionError as error:
            raise unprocessable(
                f"Attribute type mismatch, {error} for attribute {name} of {entity.name}"
            ) from None
    return updates
