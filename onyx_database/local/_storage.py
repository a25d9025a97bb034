# ruff: noqa: S608  (SQL text only ever holds quoted identifiers from the validated schema)
"""SQLite in WAL mode: one real table per Onyx table, typed columns, parameterized SQL only.

Identifiers in SQL come from the validated schema (``[A-Za-z_][A-Za-z0-9_]*``) and are quoted;
user values only ever travel as parameters.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from ._schema import PARTITION_COLUMN, Entity, Schema, parse_schema
from ._values import from_storage, java_string, to_storage

__all__ = ["Conflict", "Storage", "partition_of"]

_COLUMN_TYPES = {
    "String": "TEXT", "Char": "TEXT", "EmbeddedObject": "TEXT", "EmbeddedList": "TEXT",
    "Boolean": "INTEGER", "Byte": "INTEGER", "Short": "INTEGER", "Int": "INTEGER",
    "Long": "INTEGER", "Timestamp": "INTEGER", "Float": "REAL", "Double": "REAL",
}  # fmt: skip
_META_SQL = (
    "CREATE TABLE IF NOT EXISTS _onyx_revision ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, revision_id TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, published_at INTEGER, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS _onyx_sequence ("
    " tbl TEXT NOT NULL, part TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (tbl, part))",
)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Conflict(Exception):
    """An insert found the id already stored in that partition."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def partition_of(entity: Entity, record: Mapping[str, Any]) -> str:
    """The partition a record lives in: its partition attribute as text, ``""`` when unset."""
    if not entity.partition:
        return ""
    value = record.get(entity.partition)
    if value is None:
        return ""
    return java_string(value, entity.attributes[entity.partition].type)


class Storage:
    """The database file of one Onyx Local data directory.

    Writes go through one connection under a lock; reads use a pool of connections, so readers
    run concurrently with each other and with the writer (WAL).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._write_lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._writer = self._connect(readonly=False)
        self._writer.execute("PRAGMA journal_mode=WAL")
        for statement in _META_SQL:
            self._writer.execute(statement)
        self._schema = Schema({})
        published = self._published_doc()
        if published is not None:
            self._schema = parse_schema(published)
            self._apply(self._schema)

    # -- connections -----------------------------------------------------------------------
    def _connect(self, *, readonly: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        conn.execute("PRAGMA busy_timeout=30000")
        # NORMAL in WAL mode keeps every committed transaction across a process kill.
        conn.execute("PRAGMA synchronous=NORMAL")
        if readonly:
            conn.execute("PRAGMA query_only=1")
        self._all.append(conn)
        return conn

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        with self._pool_lock:
            conn = self._idle.pop() if self._idle else self._connect(readonly=True)
        try:
            yield conn
        finally:
            with self._pool_lock:
                self._idle.append(conn)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    def close(self) -> None:
        """Close every connection (the WAL is checkpointed by the last one)."""
        with self._write_lock, self._pool_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._idle.clear()

    # -- schema ------------------------------------------------------------------------------
    @property
    def schema(self) -> Schema:
        return self._schema

    def _published_doc(self) -> dict[str, Any] | None:
        row = self._writer.execute(
            "SELECT doc FROM _onyx_revision WHERE published_at IS NOT NULL"
            " ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else dict(orjson.loads(row[0]))

    def save_revision(self, doc: Mapping[str, Any], *, publish: bool) -> dict[str, Any]:
        """Store a normalized document as a new revision; publishing applies it to the tables."""
        now = int(time.time() * 1000)
        revision_id = str(uuid.uuid4())
        schema = parse_schema(doc)
        with self._write_lock:
            if publish:
                self._apply(schema)
            self._writer.execute(
                "INSERT INTO _onyx_revision (revision_id, created_at, published_at, doc)"
                " VALUES (?, ?, ?, ?)",
                (revision_id, now, now if publish else None, orjson.dumps(doc).decode()),
            )
            if publish:
                self._schema = schema
        return self._revision_row(revision_id, now, now if publish else None, doc)

    @staticmethod
    def _revision_row(
        revision_id: str, created: int, published: int | None, doc: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "revisionId": revision_id,
            "createdAt": created,
            "publishedAt": published,
            "doc": dict(doc),
        }

    def revisions(self) -> list[dict[str, Any]]:
        """Every revision, newest first."""
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT revision_id, created_at, published_at, doc FROM _onyx_revision"
                " ORDER BY seq DESC"
            ).fetchall()
        return [self._revision_row(r[0], r[1], r[2], orjson.loads(r[3])) for r in rows]

    def current_revision(self) -> dict[str, Any] | None:
        """The published revision, else the newest saved one."""
        revisions = self.revisions()
        for revision in revisions:
            if revision["publishedAt"] is not None:
                return revision
        return revisions[0] if revisions else None

    def _apply(self, schema: Schema) -> None:
        """Create or alter the tables of a schema without losing rows (writer lock held)."""
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            for entity in schema.entities.values():
                self._apply_entity(conn, entity)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _create_sql(self, table: str, entity: Entity) -> str:
        columns = [f"{_q(PARTITION_COLUMN)} TEXT NOT NULL DEFAULT ''"]
        columns += [f"{_q(a.name)} {_COLUMN_TYPES[a.type]}" for a in entity.attributes.values()]
        columns.append(f"PRIMARY KEY ({_q(PARTITION_COLUMN)}, {_q(entity.identifier)})")
        return f"CREATE TABLE {_q(table)} ({', '.join(columns)})"

    def _apply_entity(self, conn: sqlite3.Connection, entity: Entity) -> None:
        table = entity.name
        info = conn.execute(f"PRAGMA table_info({_q(table)})").fetchall()
        if not info:
            conn.execute(self._create_sql(table, entity))
        else:
            existing = {row[1].lower(): row for row in info}
            key = sorted((row[5], row[1].lower()) for row in info if row[5])
            wanted = [(1, PARTITION_COLUMN.lower()), (2, entity.identifier.lower())]
            if key != wanted:
                self._rebuild(conn, entity, [row[1] for row in info])
            else:
                for attribute in entity.attributes.values():
                    if attribute.name.lower() not in existing:
                        conn.execute(
                            f"ALTER TABLE {_q(table)} ADD COLUMN {_q(attribute.name)} "
                            f"{_COLUMN_TYPES[attribute.type]}"
                        )
        prefix = f"ix_{table}_"
        wanted_indexes = {prefix + name for name in entity.indexes}
        for (index_name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
        ).fetchall():
            if index_name.startswith(prefix) and index_name not in wanted_indexes:
                conn.execute(f"DROP INDEX {_q(index_name)}")
        for name in entity.indexes:
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS {_q(prefix + name)} ON {_q(table)} "
                f"({_q(PARTITION_COLUMN)}, {_q(name)})"
            )

    def _rebuild(self, conn: sqlite3.Connection, entity: Entity, old_columns: list[str]) -> None:
        """A new identifier means a new primary key: copy the rows into a fresh table."""
        table = entity.name
        scratch = f"_onyx_rebuild_{table}"
        conn.execute(f"DROP TABLE IF EXISTS {_q(scratch)}")
        conn.execute(self._create_sql(scratch, entity))
        old = {c.lower() for c in old_columns}
        shared = [PARTITION_COLUMN] + [a for a in entity.attributes if a.lower() in old]
        if entity.identifier.lower() in old:
            cols = ", ".join(_q(c) for c in shared)
            conn.execute(
                f"INSERT OR IGNORE INTO {_q(scratch)} ({cols}) SELECT {cols} FROM {_q(table)}"
                f" WHERE {_q(entity.identifier)} IS NOT NULL"
            )
        conn.execute(f"DROP TABLE {_q(table)}")
        conn.execute(f"ALTER TABLE {_q(scratch)} RENAME TO {_q(table)}")

    # -- rows ----------------------------------------------------------------------------------
    @staticmethod
    def _select(entity: Entity) -> str:
        cols = ", ".join([_q(PARTITION_COLUMN), *(_q(a) for a in entity.attributes)])
        return f"SELECT {cols} FROM {_q(entity.name)}"

    @staticmethod
    def _decode(entity: Entity, row: Sequence[Any]) -> tuple[str, dict[str, Any]]:
        record = {
            a.name: from_storage(a.type, value)
            for a, value in zip(entity.attributes.values(), row[1:], strict=True)
        }
        return str(row[0]), record

    def fetch(
        self, entity: Entity, partition: str | None, equals: Sequence[tuple[str, Any]] = ()
    ) -> list[tuple[str, dict[str, Any]]]:
        """Rows of a table as ``(partition, record)``, prefiltered by partition and equalities."""
        clauses: list[str] = []
        params: list[Any] = []
        if partition is not None:
            clauses.append(f"{_q(PARTITION_COLUMN)} = ?")
            params.append(partition)
        for name, value in equals:
            clauses.append(f"{_q(name)} = ?")
            params.append(to_storage(entity.attributes[name].type, value))
        sql = self._select(entity)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self._reader() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [self._decode(entity, row) for row in rows]

    def find(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        """One record by partition and identifier."""
        rows = self.fetch(entity, partition, [(entity.identifier, key)])
        return rows[0][1] if rows else None

    def _next_sequence(
        self, conn: sqlite3.Connection, entity: Entity, partition: str, explicit: int | None
    ) -> int:
        row = conn.execute(
            "SELECT last FROM _onyx_sequence WHERE tbl = ? AND part = ?", (entity.name, partition)
        ).fetchone()
        if row is None:
            top = conn.execute(
                f"SELECT MAX({_q(entity.identifier)}) FROM {_q(entity.name)}"
                f" WHERE {_q(PARTITION_COLUMN)} = ?",
                (partition,),
            ).fetchone()[0]
            last = top if isinstance(top, int) else 0
        else:
            last = int(row[0])
        value = last + 1 if explicit is None else explicit
        conn.execute(
            "INSERT INTO _onyx_sequence (tbl, part, last) VALUES (?, ?, ?)"
            " ON CONFLICT (tbl, part) DO UPDATE SET last = excluded.last",
            (entity.name, partition, max(last, value)),
        )
        return value

    def write(
        self, entity: Entity, records: Sequence[dict[str, Any]], *, insert: bool
    ) -> list[dict[str, Any]]:
        """Save records in order, filling generated ids; returns them as stored.

        With ``insert`` an existing id raises :class:`Conflict` after the earlier records were
        committed (inserts run sequentially, like the cloud's).
        """
        saved: list[dict[str, Any]] = []
        verb = "INSERT" if insert else "INSERT OR REPLACE"
        names = list(entity.attributes)
        sql = (
            f"{verb} INTO {_q(entity.name)} ({_q(PARTITION_COLUMN)}, "
            f"{', '.join(_q(n) for n in names)}) VALUES ({', '.join('?' * (len(names) + 1))})"
        )
        conflict: Conflict | None = None
        with self._transaction() as conn:
            for index, original in enumerate(records):
                record = dict(original)
                partition = partition_of(entity, record)
                key = record.get(entity.identifier)
                if entity.generator == "Sequence":
                    explicit = None if key in (None, 0) else int(key)
                    record[entity.identifier] = self._next_sequence(
                        conn, entity, partition, explicit
                    )
                elif entity.generator == "UUID" and key in (None, ""):
                    record[entity.identifier] = str(uuid.uuid4())
                params = [partition] + [
                    to_storage(entity.attributes[n].type, record.get(n)) for n in names
                ]
                try:
                    conn.execute(sql, params)
                except sqlite3.IntegrityError:
                    conflict = Conflict(
                        index,
                        f"{entity.name} with {entity.identifier} "
                        f"{record[entity.identifier]!r} already exists"
                        + (f" in partition {partition!r}" if partition else ""),
                    )
                    break
                saved.append(record)
        if conflict is not None:
            raise conflict
        return saved

    def delete(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        """Remove one record; returns it, or ``None`` when it did not exist."""
        with self._transaction() as conn:
            row = conn.execute(
                self._select(entity)
                + f" WHERE {_q(PARTITION_COLUMN)} = ? AND {_q(entity.identifier)} = ?",
                (partition, to_storage(entity.id_attribute.type, key)),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                f"DELETE FROM {_q(entity.name)} WHERE {_q(PARTITION_COLUMN)} = ?"
                f" AND {_q(entity.identifier)} = ?",
                (partition, to_storage(entity.id_attribute.type, key)),
            )
        return self._decode(entity, row)[1]

    def reset(self) -> None:
        """Empty every table of the published schema in every partition; keep the schema."""
        with self._transaction() as conn:
            for entity in self._schema.entities.values():
                conn.execute(f"DELETE FROM {_q(entity.name)}")
            conn.execute("DELETE FROM _onyx_sequence")
