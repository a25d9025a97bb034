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
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

import orjson

from ._budget import install as install_budget
from ._changes import ChangeBus, ChangeEvent
from ._dates import MAX_MILLIS, MIN_MILLIS, format_iso, representable
from ._encoder import Batch
from ._records import render, render_many
from ._schema import PARTITION_COLUMN, Entity, Schema, parse_schema
from ._sql import register
from ._values import from_storage, java_string, to_storage, to_wire

__all__ = [
    "Conflict",
    "Storage",
    "Writer",
    "decode",
    "decode_value",
    "fts_column",
    "fts_rebuild",
    "fts_table",
    "partition_of",
    "select_columns",
    "wire_row",
]

_COLUMN_TYPES = {
    "String": "TEXT", "Char": "TEXT", "EmbeddedObject": "TEXT", "EmbeddedList": "TEXT",
    "Boolean": "INTEGER", "Byte": "INTEGER", "Short": "INTEGER", "Int": "INTEGER",
    "Long": "INTEGER", "Timestamp": "INTEGER", "Float": "REAL", "Double": "REAL",
}  # fmt: skip
_ANALYZE_FIRST = 1000
_META_SQL = (
    "CREATE TABLE IF NOT EXISTS _onyx_revision ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, revision_id TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, published_at INTEGER, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS _onyx_sequence ("
    " tbl TEXT NOT NULL, part TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (tbl, part))",
    "CREATE TABLE IF NOT EXISTS _onyx_document ("
    " document_id TEXT PRIMARY KEY, path TEXT, mime_type TEXT, content BLOB NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS _onyx_secret ("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL, purpose TEXT, updated_at INTEGER NOT NULL)",
)

PublishGuard = Callable[[sqlite3.Connection, Schema, Schema], None]


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

    def __init__(self, path: Path, bus: ChangeBus | None = None) -> None:
        self._path = path
        self.bus = bus if bus is not None else ChangeBus()
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
        self._written = 0
        self._next_analyze = _ANALYZE_FIRST
        self._analyze()

    def _analyze(self) -> None:
        """Refresh the planner's statistics (sampled, so milliseconds at any size): without them
        SQLite may walk the primary key to avoid a sort instead of seeking an index. Runs again
        each time the rows written since double (write lock held)."""
        self._writer.execute("PRAGMA analysis_limit=400")
        self._writer.execute("ANALYZE")
        self._next_analyze = max(_ANALYZE_FIRST, 2 * self._written)

    # -- connections -----------------------------------------------------------------------
    def _connect(self, *, readonly: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        conn.execute("PRAGMA busy_timeout=30000")
        register(conn)
        # NORMAL in WAL mode keeps every committed transaction across a process kill.
        conn.execute("PRAGMA synchronous=NORMAL")
        install_budget(conn)  # a query past its time budget is interrupted mid-statement
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

    def save_revision(
        self, doc: Mapping[str, Any], *, publish: bool, guard: PublishGuard | None = None
    ) -> dict[str, Any]:
        """Store a normalized document as a new revision; publishing applies it to the tables.

        ``guard(conn, current, proposed)`` runs under the write lock before a publish changes
        anything, so no write slips in between its check and the publish; it raises to refuse.
        """
        now = int(time.time() * 1000)
        revision_id = str(uuid.uuid4())
        schema = parse_schema(doc)
        with self._write_lock:
            if publish and guard is not None:
                guard(self._writer, self._schema, schema)
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
            retyped = self._retyped(entity, existing)
            if key != wanted or retyped:
                self._rebuild(conn, entity, [row[1] for row in info])
                self._normalize(conn, entity, retyped)
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
            # The identifier last: equality on the column then comes out in the default order,
            # and keyset pages over the column seek straight to their position.
            columns = [PARTITION_COLUMN, name]
            if name != entity.identifier:
                columns.append(entity.identifier)
            present = [r[2] for r in conn.execute(f"PRAGMA index_info({_q(prefix + name)})")]
            if present and [c.lower() for c in present] != [c.lower() for c in columns]:
                conn.execute(f"DROP INDEX {_q(prefix + name)}")
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS {_q(prefix + name)} ON {_q(table)} "
                f"({', '.join(_q(c) for c in columns)})"
            )
        if entity.searchable:
            fts_rebuild(conn, entity)
        else:
            conn.execute(f"DROP TABLE IF EXISTS {_q(fts_table(entity))}")

    def _retyped(self, entity: Entity, existing: Mapping[str, Sequence[Any]]) -> list[str]:
        """Attributes whose type changed since the published schema, or whose column was
        declared for another type: their stored values must be rewritten."""
        before = self._schema.entity(entity.name)
        changed = []
        for name, attribute in entity.attributes.items():
            if name == entity.identifier or name.lower() not in existing:
                continue
            old = before.attributes.get(name) if before is not None else None
            declared = str(existing[name.lower()][2]).upper()
            if declared != _COLUMN_TYPES[attribute.type] or (
                old is not None and old.type != attribute.type
            ):
                changed.append(name)
        return changed

    def _normalize(self, conn: sqlite3.Connection, entity: Entity, names: Sequence[str]) -> None:
        """Rewrite values stored under an older type in the new type's form (what reading them
        would give), so SQL compares them like the engine does."""
        for name in names:
            attr_type = entity.attributes[name].type
            column = _q(name)
            rows = conn.execute(
                f"SELECT rowid, {column} FROM {_q(entity.name)} WHERE {column} IS NOT NULL"
            ).fetchall()
            conn.executemany(
                f"UPDATE {_q(entity.name)} SET {column} = ? WHERE rowid = ?",
                [(to_storage(attr_type, from_storage(attr_type, v)), rowid) for rowid, v in rows],
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
    def fetch(
        self, entity: Entity, partition: str | None, equals: Sequence[tuple[str, Any]] = ()
    ) -> list[tuple[str, dict[str, Any]]]:
        """Rows of a table as ``(partition, record)``, prefiltered by partition and equalities."""
        with self._reader() as conn:
            return _fetch(conn, entity, partition, equals)

    def find(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        """One record by partition and identifier."""
        with self._reader() as conn:
            return _find(conn, entity, partition, key)

    def find_wire(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        """One record by partition and identifier, straight to wire form."""
        # _reader() inlined: this runs on the event loop for every find by id.
        with self._pool_lock:
            conn = self._idle.pop() if self._idle else self._connect(readonly=True)
        try:
            row = _find_row(conn, entity, partition, key)
        finally:
            with self._pool_lock:
                self._idle.append(conn)
        return None if row is None else wire_row(entity, row)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Generator[tuple[Any, ...]]:
        """Stream the rows of one SELECT from a pooled reader (one snapshot); close the
        iterator to give the connection back early."""
        with self._reader() as conn:
            yield from conn.execute(sql, params)

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One transaction: everything done through the writer commits together or not at all.

        Its change events are published after ``COMMIT`` (still under the write lock, so in
        commit order); a transaction that raises publishes nothing.
        """
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            writer = Writer(self, self._writer)
            try:
                yield writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")
            if writer.changed:
                if self.bus.has_subscribers:
                    self.bus.publish(writer.events())
                self._written += writer.changed
                if self._written >= self._next_analyze:
                    self._analyze()

    def save_batch(self, entity: Entity, batch: Batch, *, insert: bool) -> list[dict[str, Any]]:
        """:meth:`save` of the rows of a batch encoder (see ``_encoder``): the same records
        stored, answered and published."""
        with self.writing() as writer:
            wires, conflict = writer.put_batch(entity, batch, insert=insert)
        if conflict is not None:
            raise conflict
        return wires

    def save(
        self, entity: Entity, records: Sequence[dict[str, Any]], *, insert: bool
    ) -> list[dict[str, Any]]:
        """Save records in order, filling generated ids; returns them in wire form (rendered
        once, for the change events and the answer alike).

        With ``insert`` an existing id raises :class:`Conflict` after the earlier records were
        committed (inserts run sequentially, like the cloud's). Many records with given ids (or
        UUIDs) go in with one ``executemany``.
        """
        wires: list[dict[str, Any]] = []
        conflict: Conflict | None = None
        if entity.generator != "Sequence" and len(records) > 1:
            with self.writing() as writer:
                wires, conflict = writer.put_many(entity, records, insert=insert)
            if conflict is not None:
                raise conflict
            return wires
        with self.writing() as writer:
            for index, record in enumerate(records):
                try:
                    writer.put(entity, record, insert=insert)
                except Conflict as error:
                    error.index = index
                    conflict = error
                    break
            wires = [event.entity for event in writer.events()]
        if conflict is not None:
            raise conflict
        return wires

    def delete(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        """Remove one record; returns it, or ``None`` when it did not exist."""
        with self.writing() as writer:
            return writer.remove(entity, partition, key)

    def reset(self) -> None:
        """Empty every table of the published schema in every partition; keep the schema.

        Documents and secrets are kept too; no change events are published."""
        with self.writing() as writer:
            for entity in self._schema.entities.values():
                writer.truncate(entity, None)
            writer.conn.execute("DELETE FROM _onyx_sequence")

    def search(self, entity: Entity, expression: str) -> list[tuple[str, str, float]]:
        """Full-text hits ``(partition, id text, score)``; raises ``sqlite3.OperationalError``
        when FTS5 rejects the expression."""
        with self._reader() as conn:
            return _search(conn, entity, expression)

    # -- documents and secrets ---------------------------------------------------------------
    def write_meta(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement on the ``_onyx_document`` / ``_onyx_secret`` tables; the row count."""
        with self._write_lock:
            return int(self._writer.execute(sql, params).rowcount)

    def read_meta(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on the ``_onyx_document`` / ``_onyx_secret`` tables."""
        with self._reader() as conn:
            return [tuple(row) for row in conn.execute(sql, params).fetchall()]


_T = TypeVar("_T")


def _per_entity(cache: dict[int, tuple[Entity, _T]], entity: Entity, build: Callable[[], _T]) -> _T:
    """``build()`` once per entity object (a republished schema brings new ones)."""
    cached = cache.get(id(entity))
    if cached is not None and cached[0] is entity:
        return cached[1]
    value = build()
    if len(cache) > 1000:
        cache.clear()
    cache[id(entity)] = (entity, value)
    return value


_SELECTS: dict[int, tuple[Entity, str]] = {}


def _select(entity: Entity) -> str:
    return _per_entity(
        _SELECTS, entity, lambda: f"SELECT {select_columns(entity)} FROM {_q(entity.name)}"
    )


_EMBEDDED_TYPES: Final = frozenset({"EmbeddedObject", "EmbeddedList"})
_NATIVE: dict[str, type] = {
    "String": str, "Char": str, "Long": int, "Timestamp": int, "Float": float, "Double": float,
}  # fmt: skip
_SMALL_INTS = {"Byte": 2**7, "Short": 2**15, "Int": 2**31}


def decode_value(attr_type: str, value: Any) -> Any:
    """:func:`from_storage`, with a fast path for values already in their column's form."""
    if value is None:
        return None
    native = _NATIVE.get(attr_type)
    if native is not None and type(value) is native:
        return value
    bound = _SMALL_INTS.get(attr_type)
    if bound is not None and type(value) is int and -bound <= value < bound:
        return value
    return from_storage(attr_type, value)


def _decode(entity: Entity, row: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    record = {
        a.name: decode_value(a.type, value)
        for a, value in zip(entity.attributes.values(), row[1:], strict=True)
    }
    return str(row[0]), record


_PASS_THROUGH: dict[str, type] = {"String": str, "Char": str, "Long": int}


def _wire_value(attr_type: str, value: Any) -> Any:
    """The wire form of one stored column value."""
    if value is None:
        return None
    native = _PASS_THROUGH.get(attr_type)
    if native is not None and type(value) is native:
        return value
    if attr_type == "Timestamp" and type(value) is int and representable(value):
        return format_iso(value)
    if attr_type == "Boolean" and type(value) is int:
        return value != 0
    return to_wire(attr_type, decode_value(attr_type, value))


# The expression of a column value ``v`` of each type that is its wire form in the usual case,
# the rest going through _wire_value (so the result is _wire_value's in every case).
_WIRE_FAST: Final = {
    "String": "{v} if {v} is None or type({v}) is str else slow({t}, {v})",
    "Char": "{v} if {v} is None or type({v}) is str else slow({t}, {v})",
    "Long": "{v} if {v} is None or type({v}) is int else slow({t}, {v})",
    "Boolean": "{v} != 0 if type({v}) is int else slow({t}, {v})",
    "Timestamp": "iso({v}) if type({v}) is int and {low} <= {v} <= {high} else slow({t}, {v})",
    "Int": "{v} if type({v}) is int and -2147483648 <= {v} < 2147483648 else slow({t}, {v})",
    "Short": "{v} if type({v}) is int and -32768 <= {v} < 32768 else slow({t}, {v})",
    "Byte": "{v} if type({v}) is int and -128 <= {v} < 128 else slow({t}, {v})",
}
_WIRE_ROWS: dict[int, tuple[Entity, Callable[[Sequence[Any]], dict[str, Any]]]] = {}


def _compile_wire_row(entity: Entity) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """``wire_row`` for one entity: one dict display over the row's columns."""
    index = {name: i + 1 for i, name in enumerate(entity.attributes)}
    identifier = entity.identifier
    names = [identifier, *sorted(n for n in entity.attributes if n != identifier)]
    items = []
    for name in names:
        attr_type = entity.attributes[name].type
        template = _WIRE_FAST.get(attr_type, "slow({t}, {v})")
        value = f"row[{index[name]}]"
        expression = template.format(t=repr(attr_type), v=value, low=MIN_MILLIS, high=MAX_MILLIS)
        items.append(f"{name!r}: ({expression})")
    source = f"def wire_row(row):\n    return {{{', '.join(items)}}}\n"
    namespace: dict[str, Any] = {"slow": _wire_value, "iso": format_iso}
    # The source is built from the validated schema only (names are quoted with repr).
    exec(compile(source, f"<onyx wire row {entity.name}>", "exec"), namespace)  # noqa: S102
    compiled: Callable[[Sequence[Any]], dict[str, Any]] = namespace["wire_row"]
    return compiled


def wire_row(entity: Entity, row: Sequence[Any]) -> dict[str, Any]:
    """``render(entity, decode(entity, row)[1])`` in one pass over a selected row."""
    return _per_entity(_WIRE_ROWS, entity, lambda: _compile_wire_row(entity))(row)


def decode(entity: Entity, row: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(partition, record)`` of a row selected as ``_partition, *attributes``."""
    return _decode(entity, row)


def select_columns(entity: Entity) -> str:
    """The columns :func:`decode` reads, in order."""
    return ", ".join([_q(PARTITION_COLUMN), *(_q(a) for a in entity.attributes)])


_ROW_NAMES: dict[int, tuple[Entity, tuple[list[str], list[str]]]] = {}


def row_record(entity: Entity, row: Sequence[Any]) -> dict[str, Any]:
    """The record of a row bound by a batch encoder (``_encoder``: no embedded values, booleans
    as 1 and 0)."""
    names, booleans = _per_entity(
        _ROW_NAMES,
        entity,
        lambda: (
            list(entity.attributes),
            [a.name for a in entity.attributes.values() if a.type == "Boolean"],
        ),
    )
    record = dict(zip(names, row[1:], strict=True))
    for name in booleans:
        if record[name] is not None:
            record[name] = record[name] != 0
    return record


_MAX_SQL: dict[int, tuple[Entity, str]] = {}


def _max_sql(entity: Entity) -> str:
    sql = f"SELECT MAX({_q(entity.identifier)}) FROM {_q(entity.name)}"
    return _per_entity(_MAX_SQL, entity, lambda: sql + f" WHERE {_q(PARTITION_COLUMN)} = ?")


_FIND_SQL: dict[int, tuple[Entity, str]] = {}


def _find_sql(entity: Entity) -> str:
    where = f" WHERE {_q(PARTITION_COLUMN)} = ? AND {_q(entity.identifier)} = ?"
    return _per_entity(_FIND_SQL, entity, lambda: _select(entity) + where)


def _find_row(
    conn: sqlite3.Connection, entity: Entity, partition: str, key: Any
) -> tuple[Any, ...] | None:
    try:
        stored = to_storage(entity.id_attribute.type, key)
        row: tuple[Any, ...] | None = conn.execute(
            _find_sql(entity), (partition, stored)
        ).fetchone()
    except OverflowError:
        return None
    return row


def _find(
    conn: sqlite3.Connection, entity: Entity, partition: str, key: Any
) -> dict[str, Any] | None:
    row = _find_row(conn, entity, partition, key)
    return None if row is None else _decode(entity, row)[1]


def _fetch(
    conn: sqlite3.Connection,
    entity: Entity,
    partition: str | None,
    equals: Sequence[tuple[str, Any]] = (),
) -> list[tuple[str, dict[str, Any]]]:
    clauses: list[str] = []
    params: list[Any] = []
    if partition is not None:
        clauses.append(f"{_q(PARTITION_COLUMN)} = ?")
        params.append(partition)
    for name, value in equals:
        clauses.append(f"{_q(name)} = ?")
        params.append(to_storage(entity.attributes[name].type, value))
    sql = _select(entity)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return [_decode(entity, row) for row in conn.execute(sql, params).fetchall()]


def _search(
    conn: sqlite3.Connection, entity: Entity, expression: str
) -> list[tuple[str, str, float]]:
    table = _q(fts_table(entity))
    rows = conn.execute(
        f"SELECT part, key, -bm25({table}) FROM {table} WHERE {table} MATCH ?", (expression,)
    ).fetchall()
    return [(str(r[0]), str(r[1]), float(r[2])) for r in rows]


def fts_table(entity: Entity) -> str:
    """The FTS5 table that indexes a SEARCHABLE entity."""
    return f"_onyx_fts_{entity.name}"


def fts_column(attribute: str) -> str:
    """The FTS5 column holding one attribute's text (for ``field:term`` queries)."""
    return f"a_{attribute}"


def _text_pieces(value: Any, attr_type: str | None = None) -> list[str]:
    """An attribute value as indexable text: maps give ``key value`` pairs, lists their items."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        pieces = []
        for key, item in value.items():
            pieces.append(str(key))
            pieces += _text_pieces(item)
        return pieces
    if isinstance(value, list):
        return [piece for item in value for piece in _text_pieces(item)]
    return [java_string(value, attr_type)]


def _fts_create_sql(entity: Entity) -> str:
    columns = ["part UNINDEXED", "key UNINDEXED", "content"]
    columns += [_q(fts_column(name)) for name in entity.attributes]
    return (
        f"CREATE VIRTUAL TABLE {_q(fts_table(entity))} USING fts5({', '.join(columns)},"
        " tokenize = 'unicode61 remove_diacritics 0')"
    )


def _upsert_sql(table: str, names: Sequence[str]) -> str:
    """The INSERT OR REPLACE of one row: the partition column, then ``names`` in order."""
    columns = ", ".join(_q(n) for n in names)
    marks = ", ".join("?" * (len(names) + 1))
    return (
        f"INSERT OR REPLACE INTO {_q(table)} ({_q(PARTITION_COLUMN)}, {columns}) VALUES ({marks})"
    )


def _save_event(
    entity: Entity, partition: str, record: dict[str, Any], previous: dict[str, Any] | None
) -> ChangeEvent:
    """The change event of a saved record: CREATE, or UPDATE with the record it replaced."""
    return ChangeEvent(
        entity.name,
        "CREATE" if previous is None else "UPDATE",
        render(entity, record),
        partition,
        None if previous is None else render(entity, previous),
        record,
        previous,
    )


def _fts_insert(
    conn: sqlite3.Connection, entity: Entity, partition: str, record: Mapping[str, Any]
) -> None:
    key = java_string(record.get(entity.identifier), entity.id_attribute.type)
    content = [key, partition] if partition else [key]
    per_attribute = []
    for name, attribute in entity.attributes.items():
        pieces = _text_pieces(record.get(name), attribute.type)
        if name != entity.identifier:
            content += pieces
        per_attribute.append(" ".join(pieces))
    marks = ", ".join("?" * (3 + len(per_attribute)))
    conn.execute(
        f"INSERT INTO {_q(fts_table(entity))} VALUES ({marks})",
        [partition, key, " ".join(content), *per_attribute],
    )


def _fts_delete(conn: sqlite3.Connection, entity: Entity, partition: str, key: Any) -> None:
    conn.execute(
        f"DELETE FROM {_q(fts_table(entity))} WHERE part = ? AND key = ?",
        (partition, java_string(key, entity.id_attribute.type)),
    )


def fts_rebuild(conn: sqlite3.Connection, entity: Entity) -> None:
    """(Re)create the full-text index of a SEARCHABLE entity from its rows."""
    conn.execute(f"DROP TABLE IF EXISTS {_q(fts_table(entity))}")
    conn.execute(_fts_create_sql(entity))
    for row in conn.execute(_select(entity)):  # streamed: memory stays flat
        partition, record = _decode(entity, row)
        _fts_insert(conn, entity, partition, record)


class _SavedBatch:
    """The records of one :meth:`Writer.put_many`, turned into change events on demand."""

    __slots__ = ("_records", "entity", "partitions", "previous", "rows", "wires")

    def __init__(
        self,
        entity: Entity,
        partitions: list[str],
        rows: Sequence[Sequence[Any]],
        records: list[dict[str, Any]] | None,
        wires: list[dict[str, Any]],
        previous: list[dict[str, Any] | int | None],
    ) -> None:
        self.entity = entity
        self.partitions = partitions
        self.rows = rows
        self._records = records
        self.wires = wires
        self.previous = previous  # an int: the record at that index of this batch

    def records(self) -> list[dict[str, Any]]:
        """The saved records in storage form (native values)."""
        if self._records is None:
            self._records = [row_record(self.entity, row) for row in self.rows]
        return self._records

    def events(self) -> list[ChangeEvent]:
        entity = self.entity
        records = self.records()
        events = []
        for partition, record, wire, before in zip(
            self.partitions, records, self.wires, self.previous, strict=True
        ):
            if isinstance(before, int):
                before = records[before]
            events.append(
                ChangeEvent(
                    entity.name,
                    "CREATE" if before is None else "UPDATE",
                    wire,
                    partition,
                    None if before is None else render(entity, before),
                    record,
                    before,
                )
            )
        return events


class Writer:
    """The write operations of one :meth:`Storage.writing` transaction.

    Every operation keeps the full-text index in sync and records its change event.
    """

    def __init__(self, storage: Storage, conn: sqlite3.Connection) -> None:
        self.storage = storage
        self.conn = conn
        # Change events in order; a batch save is kept as one _SavedBatch and only turned into
        # events when someone subscribes (most loads have no listener).
        self._changes: list[ChangeEvent | _SavedBatch] = []
        self.changed = 0  # records written so far

    def _record(self, event: ChangeEvent) -> None:
        self._changes.append(event)
        self.changed += 1

    def events(self) -> list[ChangeEvent]:
        """The change events of this transaction so far, in order."""
        out: list[ChangeEvent] = []
        for change in self._changes:
            if isinstance(change, _SavedBatch):
                out += change.events()
            else:
                out.append(change)
        return out

    def fetch(
        self, entity: Entity, partition: str | None, equals: Sequence[tuple[str, Any]] = ()
    ) -> list[tuple[str, dict[str, Any]]]:
        """Like :meth:`Storage.fetch`, inside this transaction."""
        return _fetch(self.conn, entity, partition, equals)

    def find(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        return _find(self.conn, entity, partition, key)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Generator[tuple[Any, ...]]:
        """Like :meth:`Storage.rows`, inside this transaction."""
        yield from self.conn.execute(sql, params)

    def at(self, entity: Entity, rowid: int) -> tuple[str, dict[str, Any]] | None:
        """The row stored under a SQLite rowid, decoded (``None`` when it is gone)."""
        row = self.conn.execute(_select(entity) + " WHERE rowid = ?", (rowid,)).fetchone()
        return None if row is None else _decode(entity, row)

    def search(self, entity: Entity, expression: str) -> list[tuple[str, str, float]]:
        """Like :meth:`Storage.search`, inside this transaction."""
        return _search(self.conn, entity, expression)

    def _next_sequence(self, entity: Entity, partition: str, explicit: int | None) -> int:
        conn = self.conn
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

    def put(
        self,
        entity: Entity,
        original: Mapping[str, Any],
        *,
        insert: bool = False,
        moved_from: str | None = None,
    ) -> dict[str, Any]:
        """Save one prepared record (generating its id); returns it as stored.

        ``insert`` raises :class:`Conflict` when the id exists. ``moved_from`` is the partition
        the record lived in before an update changed its partition field: it is removed there
        and the move is one UPDATE event.
        """
        record = dict(original)
        partition = partition_of(entity, record)
        key = record.get(entity.identifier)
        if entity.generator == "Sequence":
            explicit = None if key in (None, 0) else int(key)
            record[entity.identifier] = self._next_sequence(entity, partition, explicit)
        elif entity.generator == "UUID" and key in (None, ""):
            record[entity.identifier] = str(uuid.uuid4())
        key = record[entity.identifier]
        previous = self.find(entity, partition, key)
        replaces = previous is not None
        if previous is not None and insert:
            raise Conflict(
                0,
                f"{entity.name} with {entity.identifier} {key!r} already exists"
                + (f" in partition {partition!r}" if partition else ""),
            )
        if moved_from is not None and moved_from != partition:
            previous = self._delete_row(entity, moved_from, key)
        names = list(entity.attributes)
        self.conn.execute(
            _upsert_sql(entity.name, names),
            [partition] + [to_storage(entity.attributes[n].type, record.get(n)) for n in names],
        )
        if entity.searchable:
            if replaces:  # a new key has no index row; the lookup scans the FTS table
                _fts_delete(self.conn, entity, partition, key)
            _fts_insert(self.conn, entity, partition, record)
        self._record(_save_event(entity, partition, record, previous))
        return record

    def put_many(
        self, entity: Entity, originals: Sequence[Mapping[str, Any]], *, insert: bool
    ) -> tuple[list[dict[str, Any]], Conflict | None]:
        """:meth:`put` for many records with ids given or UUIDs: one lookup of the existing
        keys per partition and one ``executemany``; returns the saved records in wire form.
        Stops before the first conflict of an insert and returns it."""
        records = [dict(original) for original in originals]
        identifier = entity.identifier
        id_type = entity.id_attribute.type
        if entity.generator == "UUID":
            for record in records:
                if record.get(identifier) in (None, ""):
                    record[identifier] = str(uuid.uuid4())
        if entity.partition:
            partitions = [partition_of(entity, record) for record in records]
        else:
            partitions = [""] * len(records)
        # Only embedded values change on their way to a column (booleans bind as 0 and 1).
        keys = [to_storage(id_type, record[identifier]) for record in records]
        names = list(entity.attributes)
        embedded = [(i, a.type) for i, a in enumerate(entity.attributes.values(), 1)]
        embedded = [(i, t) for i, t in embedded if t in _EMBEDDED_TYPES]
        values: list[list[Any]] = []
        for partition, record in zip(partitions, records, strict=True):
            row = [partition, *map(record.get, names)]
            for index, attr_type in embedded:
                row[index] = to_storage(attr_type, row[index])
            values.append(row)
        return self._put_rows(entity, partitions, keys, values, records, None, insert=insert)

    def put_batch(
        self, entity: Entity, batch: Batch, *, insert: bool
    ) -> tuple[list[dict[str, Any]], Conflict | None]:
        """:meth:`put_many` for the rows of a batch encoder (see ``_encoder``)."""
        return self._put_rows(
            entity, batch.partitions, batch.keys, batch.rows, None, batch.wires, insert=insert
        )

    def _put_rows(
        self,
        entity: Entity,
        partitions: list[str],
        keys: list[Any],
        rows: Sequence[Sequence[Any]],
        records: list[dict[str, Any]] | None,
        wires: list[dict[str, Any]] | None,
        *,
        insert: bool,
    ) -> tuple[list[dict[str, Any]], Conflict | None]:
        """Write bound rows (the partition, then every attribute) of records whose partitions and
        stored keys are given; ``records`` and ``wires`` are worked out from the rows when not
        given (rows from a batch encoder, see :func:`row_record`)."""
        existing = self._existing(entity, partitions, keys)
        conflict: Conflict | None = None
        if insert:
            taken = set(existing)
            for index, key in enumerate(zip(partitions, keys, strict=True)):
                if key in taken:
                    record = (
                        records[index] if records is not None else row_record(entity, rows[index])
                    )
                    conflict = Conflict(
                        index,
                        f"{entity.name} with {entity.identifier} {record[entity.identifier]!r}"
                        " already exists" + (f" in partition {key[0]!r}" if key[0] else ""),
                    )
                    rows = rows[:index]
                    del partitions[index:], keys[index:]
                    if records is not None:
                        del records[index:]
                    if wires is not None:
                        del wires[index:]
                    break
                taken.add(key)
        self.conn.executemany(_upsert_sql(entity.name, list(entity.attributes)), rows)
        if wires is None:
            assert records is not None
            wires = render_many(entity, records)
        # What each record replaced: a stored one, or an earlier one of this batch (its index).
        previous: list[dict[str, Any] | int | None]
        pairs = zip(partitions, keys, strict=True) if entity.partition else keys
        unique = len(set(pairs)) == len(keys)
        if unique and not existing:
            previous = [None] * len(keys)
        else:
            previous = []
            latest: dict[tuple[str, Any], dict[str, Any] | int | None] = dict(existing)
            for index, key in enumerate(zip(partitions, keys, strict=True)):
                previous.append(latest.get(key))
                latest[key] = index
        saved = _SavedBatch(entity, partitions, rows, records, wires, previous)
        if entity.searchable:
            records = saved.records()
            for partition, record, before in zip(partitions, records, previous, strict=True):
                if before is not None:
                    _fts_delete(self.conn, entity, partition, record[entity.identifier])
                _fts_insert(self.conn, entity, partition, record)
        self._changes.append(saved)
        self.changed += len(rows)
        return wires, conflict

    def _existing(
        self, entity: Entity, partitions: Sequence[str], keys: Sequence[Any]
    ) -> dict[tuple[str, Any], dict[str, Any] | None]:
        """The stored records among ``(partition, key)`` pairs, by pair."""
        by_partition: dict[str, list[Any]] = {}
        if entity.partition:
            for partition, key in zip(partitions, keys, strict=True):
                by_partition.setdefault(partition, []).append(key)
        elif keys:
            by_partition[""] = list(keys)
        id_type = entity.id_attribute.type
        found: dict[tuple[str, Any], dict[str, Any] | None] = {}
        for partition, wanted in by_partition.items():
            if self._all_above(entity, partition, wanted):
                continue
            rows = self.conn.execute(
                _select(entity) + f" WHERE {_q(PARTITION_COLUMN)} = ? AND {_q(entity.identifier)}"
                " IN (SELECT value FROM json_each(?))",
                (partition, orjson.dumps(wanted).decode()),
            )
            for row in rows:
                part, record = _decode(entity, row)
                found[(part, to_storage(id_type, record[entity.identifier]))] = record
        return found

    def _all_above(self, entity: Entity, partition: str, keys: Sequence[Any]) -> bool:
        """Whether every key sorts after the partition's largest stored one, so none is stored:
        one index seek instead of a lookup per key when a load appends ascending ids. Keys of
        one Python type that SQLite orders alike (text by code point, as its UTF-8 bytes are;
        integers by value) only; anything else answers ``False``."""
        kind = type(keys[0])
        if kind is not str and kind is not int:
            return False
        if len(set(map(type, keys))) != 1:
            return False
        top = self.conn.execute(_max_sql(entity), (partition,)).fetchone()[0]
        if top is None:
            return True  # no row in the partition has an id
        return type(top) is kind and min(keys) > top

    def _delete_row(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        stored = to_storage(entity.id_attribute.type, key)
        where = f" WHERE {_q(PARTITION_COLUMN)} = ? AND {_q(entity.identifier)} = ?"
        row = self.conn.execute(_select(entity) + where, (partition, stored)).fetchone()
        if row is None:
            return None
        self.conn.execute(f"DELETE FROM {_q(entity.name)}" + where, (partition, stored))
        if entity.searchable:
            _fts_delete(self.conn, entity, partition, key)
        return _decode(entity, row)[1]

    def remove(self, entity: Entity, partition: str, key: Any) -> dict[str, Any] | None:
        """Delete one record; returns it, or ``None`` when it did not exist."""
        record = self._delete_row(entity, partition, key)
        if record is not None:
            self._record(
                ChangeEvent(entity.name, "DELETE", render(entity, record), partition, None, record)
            )
        return record

    def truncate(self, entity: Entity, partition: str | None) -> int:
        """Empty a table (or one partition of it) without change events; returns the count."""
        where, params = "", []
        if partition is not None:
            where, params = f" WHERE {_q(PARTITION_COLUMN)} = ?", [partition]
        cursor = self.conn.execute(f"DELETE FROM {_q(entity.name)}" + where, params)
        if entity.searchable:
            fts_where = "" if partition is None else " WHERE part = ?"
            self.conn.execute(f"DELETE FROM {_q(fts_table(entity))}" + fts_where, params)
        return int(cursor.rowcount)
