"""Entities on the wire: validation and coercion of a saved object, rendering of a stored one."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import orjson

from ._codec import check_document
from ._errors import bad_request, unprocessable
from ._schema import Entity
from ._values import CoercionError, coerce_for_save, to_wire

__all__ = ["coerce_updates", "prepare", "render"]

_AS_IS: dict[str, type] = {"String": str, "Char": str, "Boolean": bool}


def prepare(entity: Entity, item: object) -> dict[str, Any]:
    """The coerced record of a saved object (ids may still be empty for UUID/Sequence).

    Unknown keys are ignored; missing attributes are null; saves replace, they never merge.
    """
    if not isinstance(item, Mapping):
        raise bad_request(f"a saved {entity.name} must be a JSON object")
    record: dict[str, Any] = {}
    for name, attribute in entity.attributes.items():
        raw = item.get(name)
        if name == entity.identifier and entity.generator == "UUID" and raw == "":
            raw = None
        if raw is None or type(raw) is _AS_IS.get(attribute.type):
            record[name] = raw  # what coerce_for_save would return, without the checks
            continue
        try:
            record[name] = coerce_for_save(attribute.type, raw)
        except CoercionError as error:
            raise unprocessable(
                f"Attribute type mismatch, {error} for attribute {name} of {entity.name}"
            ) from None
    key = record[entity.identifier]
    if entity.generator == "None" and key in (None, ""):
        raise unprocessable(f"Identifier key is required : {entity.identifier}")
    for name, attribute in entity.attributes.items():
        if name == entity.identifier and entity.generator != "None":
            continue
        if record[name] is None and not attribute.nullable:
            raise unprocessable(f"Attribute must not be null : {name}")
    return record


_ORDERS: dict[int, tuple[Entity, tuple[tuple[str, str], ...]]] = {}


def _wire_order(entity: Entity) -> tuple[tuple[str, str], ...]:
    """``(name, type)`` of every attribute in wire order, computed once per entity."""
    cached = _ORDERS.get(id(entity))
    if cached is not None and cached[0] is entity:
        return cached[1]
    identifier = entity.identifier
    names = [identifier, *sorted(n for n in entity.attributes if n != identifier)]
    order = tuple((n, entity.attributes[n].type) for n in names)
    if len(_ORDERS) > 1000:  # schemas republished many times: start over
        _ORDERS.clear()
    _ORDERS[id(entity)] = (entity, order)
    return order


def render(entity: Entity, record: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared attribute (null when unset), the identifier first, the rest by name."""
    out = {}
    for name, attr_type in _wire_order(entity):
        value = record.get(name)
        out[name] = None if value is None else to_wire(attr_type, value)
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
