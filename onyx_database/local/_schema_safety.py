# ruff: noqa: S608  (SQL text only ever holds quoted identifiers from the validated schema)
"""What publishing a schema would do to stored data, and the refusal when it would lose some.

A publish changes how stored rows are read: a new identifier rebuilds the table keyed on it
(rows missing it or sharing it are dropped), a type change re-reads every stored value in the new
type (values that do not convert read as null), and a removed attribute or table hides its
values. :func:`assess` measures each of these on the stored rows before anything is applied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import ApiError
from ._schema import PARTITION_COLUMN, Entity, Schema, parse_schema
from ._values import from_storage

if TYPE_CHECKING:
    from ._storage import Storage

__all__ = [
    "ALLOW_PARAM",
    "DataLoss",
    "DataLossRefused",
    "assess",
    "describe",
    "dry_run",
    "refuse_data_loss",
]

ALLOW_PARAM = "allowDataLoss"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@dataclass(frozen=True)
class DataLoss:
    """One change that would drop, merge or null out stored values."""

    table: str
    attribute: str | None
    change: str  # "identifier" | "type" | "removedAttribute" | "removedTable"
    records: int
    total: int
    detail: str

    @property
    def message(self) -> str:
        where = self.table if self.attribute is None else f"{self.table}.{self.attribute}"
        return f"{where}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "attribute": self.attribute,
            "change": self.change,
            "records": self.records,
            "totalRecords": self.total,
            "message": self.message,
        }


class DataLossRefused(ApiError):
    """409 naming every table, attribute and record count a publish would lose."""

    def __init__(self, losses: list[DataLoss]) -> None:
        super().__init__(
            409,
            "SCHEMA_DATA_LOSS",
            describe(
                losses,
                f"publish with {ALLOW_PARAM}=true (onyx-py schema publish"
                " --allow-data-loss) to accept the loss",
            ),
        )
        self.losses = losses

    def body(self) -> dict[str, object]:
        return {**super().body(), "dataLoss": [loss.to_json() for loss in self.losses]}


def describe(losses: list[DataLoss], remedy: str) -> str:
    """One message naming every loss, then what to do to publish anyway."""
    found = "; ".join(loss.message for loss in losses)
    return f"Publishing this schema would lose stored data: {found}. Nothing was changed; {remedy}."


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]).lower() for row in conn.execute(f"PRAGMA table_info({_q(table)})")}


def _scalar(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _identifier_loss(
    conn: sqlite3.Connection, old: Entity, new: Entity, columns: set[str], total: int
) -> DataLoss | None:
    if new.identifier.lower() == old.identifier.lower() or total == 0:
        return None
    name = new.identifier
    if name.lower() in columns:
        kept = _scalar(
            conn,
            f"SELECT COUNT(*) FROM (SELECT DISTINCT {_q(PARTITION_COLUMN)}, {_q(name)}"
            f" FROM {_q(old.name)} WHERE {_q(name)} IS NOT NULL)",
        )
    else:
        kept = 0
    lost = total - kept
    if lost == 0:
        return None
    return DataLoss(
        new.name,
        name,
        "identifier",
        lost,
        total,
        f"the new identifier {name!r} is missing or duplicated in stored records; publishing"
        f" would drop {_plural(lost, 'record')} of {total}",
    )


def _type_loss(
    conn: sqlite3.Connection, table: str, name: str, old_type: str, new_type: str, total: int
) -> DataLoss | None:
    lost = 0
    cursor = conn.execute(f"SELECT {_q(name)} FROM {_q(table)} WHERE {_q(name)} IS NOT NULL")
    for (value,) in cursor:
        if from_storage(new_type, value) is None:
            lost += 1
    if lost == 0:
        return None
    return DataLoss(
        table,
        name,
        "type",
        lost,
        total,
        f"{_plural(lost, 'stored value')} cannot convert from {old_type} to {new_type} and would"
        " read as null",
    )


def _entity_losses(conn: sqlite3.Connection, old: Entity, new: Entity) -> list[DataLoss]:
    columns = _columns(conn, old.name)
    if not columns:
        return []
    total = _scalar(conn, f"SELECT COUNT(*) FROM {_q(old.name)}")
    if total == 0:
        return []
    losses: list[DataLoss] = []
    identifier = _identifier_loss(conn, old, new, columns, total)
    if identifier is not None:
        losses.append(identifier)
    proposed = {name.lower(): attribute for name, attribute in new.attributes.items()}
    for name, attribute in old.attributes.items():
        if name.lower() not in columns:
            continue
        replacement = proposed.get(name.lower())
        if replacement is None:
            stored = _scalar(
                conn, f"SELECT COUNT(*) FROM {_q(old.name)} WHERE {_q(name)} IS NOT NULL"
            )
            if stored:
                losses.append(
                    DataLoss(
                        old.name,
                        name,
                        "removedAttribute",
                        stored,
                        total,
                        f"the attribute is removed but {_plural(stored, 'record')} hold a value",
                    )
                )
        elif replacement.type != attribute.type:
            loss = _type_loss(conn, old.name, name, attribute.type, replacement.type, total)
            if loss is not None:
                losses.append(loss)
    return losses


def assess(conn: sqlite3.Connection, current: Schema, proposed: Schema) -> list[DataLoss]:
    """Every loss publishing ``proposed`` over ``current`` would cause to the stored rows."""
    losses: list[DataLoss] = []
    for name, old in current.entities.items():
        new = proposed.entities.get(name)
        if new is not None:
            losses += _entity_losses(conn, old, new)
            continue
        if not _columns(conn, name):
            continue
        total = _scalar(conn, f"SELECT COUNT(*) FROM {_q(name)}")
        if total:
            losses.append(
                DataLoss(
                    name,
                    None,
                    "removedTable",
                    total,
                    total,
                    f"the table is removed but holds {_plural(total, 'record')}",
                )
            )
    return losses


def refuse_data_loss(conn: sqlite3.Connection, current: Schema, proposed: Schema) -> None:
    """A publish guard: raises :class:`DataLossRefused` when :func:`assess` finds any loss."""
    losses = assess(conn, current, proposed)
    if losses:
        raise DataLossRefused(losses)


def dry_run(storage: Storage, doc: Mapping[str, Any]) -> list[DataLoss]:
    """What publishing the normalized ``doc`` would lose now (nothing is changed)."""
    proposed = parse_schema(doc)
    with storage.writing() as writer:
        return assess(writer.conn, storage.schema, proposed)
