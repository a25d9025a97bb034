"""Per-table batch encoders: a decoded ``batch_save`` body straight to SQLite rows and wire records.

A batch of plain records (every key an attribute, every value already of its attribute's type:
strings, in-range integers, booleans, finite numbers, ``2025-09-04T18:08:18.345Z`` timestamps,
nulls where allowed) is validated, coerced, bound and rendered by one function compiled for its
table, in one pass over the body. Anything else (an unknown key, a value to convert, an embedded
value, a missing id, a body past the size limits) makes the encoder answer ``None``, and the
request takes the general path: :func:`~._codec.check_document`, then
:func:`~._records.prepare_all`. For a batch it accepts, the encoder's rows and records are the
ones the general path would store and answer, so the two give the same result.

>>> from ._schema import parse_schema
>>> schema = parse_schema({"entities": [{"name": "T", "identifier": {"name": "id"},
...     "attributes": [{"name": "id", "type": "String"}, {"name": "n", "type": "Int"}]}]})
>>> batch = encode_batch(schema.entities["T"], [{"id": "a", "n": 1}, {"id": "b", "n": None}])
>>> batch.rows, batch.wires
([('', 'a', 1), ('', 'b', None)], [{'id': 'a', 'n': 1}, {'id': 'b', 'n': None}])
>>> encode_batch(schema.entities["T"], [{"id": "a", "n": "1"}]) is None  # a string to convert
True
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ._codec import MAX_NODES
from ._dates import canonical_millis
from ._schema import Entity
from ._values import java_string

__all__ = ["Batch", "encode_batch"]

_BOUNDS: Final = {
    "Byte": (-(2**7), 2**7 - 1),
    "Short": (-(2**15), 2**15 - 1),
    "Int": (-(2**31), 2**31 - 1),
    "Long": (-(2**63), 2**63 - 1),
}
_I64: Final = _BOUNDS["Long"]


@dataclass(frozen=True)
class Batch:
    """The rows to bind (the partition, then every attribute in declaration order; booleans as 1
    and 0), the records in wire form, and each record's partition and stored identifier."""

    rows: list[tuple[Any, ...]]
    wires: list[dict[str, Any]]
    partitions: list[str]
    keys: list[Any]


Encoder = Callable[[list[Any], int], Batch | None]


def _value_lines(index: int, attr_type: str, *, required: bool) -> list[str] | None:
    """Statements checking ``v{index}`` (already read) and setting ``w{index}``, its wire form;
    ``None`` when the type has no fast form."""
    v, w = f"v{index}", f"w{index}"
    lines = [f"if {v} is None:", "    return None"] if required else []
    if attr_type in ("String", "Char"):
        test = f"type({v}) is not str"
    elif attr_type == "Boolean":  # bound as 1 and 0 (what SQLite stores, bound faster)
        return [
            *lines,
            f"{w} = {v}",
            f"if {v} is not None:",
            f"    if type({v}) is not bool:",
            "        return None",
            f"    {v} = 1 if {v} else 0",
        ]
    elif attr_type in _BOUNDS:
        low, high = _BOUNDS[attr_type]
        test = f"type({v}) is not int or not {low} <= {v} <= {high}"
    elif attr_type in ("Float", "Double"):
        # finite floats are kept; 64-bit integers become floats, as coercion makes them
        return [
            *lines,
            f"if {v} is None or type({v}) is float and isfinite({v}):",
            "    pass",
            f"elif type({v}) is int and {_I64[0]} <= {v} <= {_I64[1]}:",
            f"    {v} = float({v})",
            "else:",
            "    return None",
            f"{w} = {v}",
        ]
    elif attr_type == "Timestamp":
        # the canonical text is what format_iso prints for it (years before 1000 print unpadded)
        return [
            *lines,
            f"{w} = {v}",
            f"if {v} is not None:",
            f"    if type({v}) is not str or {v}[:1] == '0':",
            "        return None",
            f"    {v} = millis({v})",
            f"    if {v} is None:",
            "        return None",
        ]
    else:
        return None  # embedded values: the general path checks and serializes them
    return [*lines, f"if {v} is not None and ({test}):", "    return None", f"{w} = {v}"]


def _compile(entity: Entity) -> Encoder | None:
    """The encoder of one entity, or ``None`` when its saves always take the general path."""
    if entity.generator == "Sequence":
        return None
    names = list(entity.attributes)
    identifier = entity.identifier
    body = [
        "def encode(items, nodes):",
        "    rows = []",
        "    wires = []",
        "    partitions = []",
        "    for item in items:",
        "        if type(item) is not dict:",
        "            return None",
        # Every attribute given (the usual case): read by subscript; a missing one means an
        # unknown key is there instead.
        f"        if len(item) == {len(names)}:",
        "            try:",
        *(f"                v{i} = item[{name!r}]" for i, name in enumerate(names)),
        "            except KeyError:",
        "                return None",
        "        elif item.keys() <= NAMES:",
        "            get = item.get",
        *(f"            v{i} = get({name!r})" for i, name in enumerate(names)),
        "        else:",
        "            return None",
    ]
    per_item: list[str] = []
    for index, name in enumerate(names):
        attribute = entity.attributes[name]
        if name == identifier and entity.generator == "UUID":
            per_item += [
                f"if v{index} is None or v{index} == '':",
                f"    v{index} = str(uuid4())",
            ]
        # a generated id is filled in above
        required = entity.generator == "None" if name == identifier else not attribute.nullable
        lines = _value_lines(index, attribute.type, required=required)
        if lines is None:
            per_item += [f"if v{index} is not None:", "    return None", f"w{index} = None"]
            continue
        per_item += lines
        if name == identifier and entity.generator == "None" and attribute.type == "String":
            per_item += [f"if v{index} == '':", "    return None"]
    key = names.index(identifier)
    if entity.partition:
        part_type = entity.attributes[entity.partition].type
        # the record's value: booleans are bound as 1 and 0, their wire form is the value
        part = ("w" if part_type == "Boolean" else "v") + str(names.index(entity.partition))
        per_item += [
            f"partition = '' if {part} is None else {part} if type({part}) is str"
            f" else java_string({part}, {part_type!r})"
        ]
    else:
        per_item.append("partition = ''")
    values = ", ".join(f"v{i}" for i in range(len(names)))
    wire_order = [identifier, *sorted(n for n in names if n != identifier)]
    wire = ", ".join(f"{n!r}: w{names.index(n)}" for n in wire_order)
    per_item += [f"rows.append((partition, {values}))", f"wires.append({{{wire}}})"]
    if entity.partition:
        per_item.append("partitions.append(partition)")
    body += ["        " + line for line in per_item]
    body += ["    if nodes + sum(map(len, items)) > MAX_NODES:", "        return None"]
    if not entity.partition:
        body.append("    partitions = [''] * len(rows)")
    body.append(f"    keys = [row[{key + 1}] for row in rows]")
    body.append("    return Batch(rows, wires, partitions, keys)")
    namespace: dict[str, Any] = {
        "NAMES": frozenset(names),
        "MAX_NODES": MAX_NODES,
        "Batch": Batch,
        "millis": canonical_millis,
        "isfinite": math.isfinite,
        "java_string": java_string,
        "uuid4": uuid.uuid4,
    }
    # The source is built from the validated schema only (names are quoted with repr).
    exec(compile("\n".join(body), f"<onyx batch encoder {entity.name}>", "exec"), namespace)  # noqa: S102
    encoder: Encoder = namespace["encode"]
    return encoder


_ENCODERS: dict[int, tuple[Entity, Encoder | None]] = {}


def encode_batch(entity: Entity, body: object) -> Batch | None:
    """The rows and wire records of a list body of plain records, or ``None`` when any part of it
    needs the general path (see the module docstring). The body is not checked beforehand."""
    cached = _ENCODERS.get(id(entity))
    if cached is None or cached[0] is not entity:
        if len(_ENCODERS) > 1000:  # schemas republished many times: start over
            _ENCODERS.clear()
        cached = (entity, _compile(entity))
        _ENCODERS[id(entity)] = cached
    encoder = cached[1]
    if encoder is None or type(body) is not list:
        return None
    return encoder(body, 1 + len(body))
