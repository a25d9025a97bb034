"""The synchronous client, :class:`OnyxDatabase`, and its :class:`QueryBuilder`.

The request-building half of the client (:class:`DatabaseCore`) is pure and shared with the async
client; only the few lines that actually send differ.
"""

from __future__ import annotations

import builtins
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from ._config import ResolvedConfig
from ._errors import OnyxDecodeError, OnyxNotFoundError, OnyxUsageError
from ._flows import Flow, batch_flow, drive, pages_flow
from ._query import BaseQueryBuilder, Page, QuerySpec, table_name
from ._request import (
    Request,
    delete_request,
    find_request,
    insert_request,
    parse_page,
    save_request,
)
from ._serialize import to_wire
from ._transport import UNSET, CallOptions, SyncTransport, merge_headers

__all__ = ["RECORD_MISS_CODES", "DatabaseCore", "OnyxDatabase", "QueryBuilder"]

T = TypeVar("T")
Record = dict[str, Any]

RECORD_MISS_CODES = frozenset({"NOT_FOUND", "RECORD_NOT_FOUND", "ENTITY_NOT_FOUND"})
"""404 error codes that mean "no such record" (``find_by_id`` → ``None``). A 404 with any other
code (an unknown table or database) is raised. A 404 without a code is treated as a record miss,
as every official SDK does."""

DEFAULT_BATCH_SIZE = 1000


def is_record_miss(error: OnyxNotFoundError) -> bool:
    """Whether a 404 from ``GET /data/{db}/{table}/{pk}`` means the record does not exist."""
    return error.code is None or error.code.upper() in RECORD_MISS_CODES


def _names(value: Sequence[str] | str | None, what: str) -> builtins.list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else builtins.list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise OnyxUsageError(f"{what} must be non-empty strings, got {item!r}")
    return items or None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise OnyxDecodeError(f"expected a number from the count endpoint, got {value!r}")
    try:
        return int(value)
    except ValueError as exc:
        raise OnyxDecodeError(f"expected a number from the count endpoint, got {value!r}") from exc


class DatabaseCore:
    """Configuration, view options and request construction shared by both clients (no I/O)."""

    _config: ResolvedConfig
    _partition: str | None
    _call: CallOptions

    def _init_view(self, config: ResolvedConfig, partition: str | None, call: CallOptions) -> None:
        self._config = config
        self._partition = partition
        self._call = call

    @property
    def config(self) -> ResolvedConfig:
        """The resolved configuration this client uses."""
        return self._config

    @property
    def database_id(self) -> str:
        return self._config.database_id

    @property
    def default_partition(self) -> str | None:
        """Partition sent on find/delete/query/count when the call names none."""
        return self._partition

    def _view_options(
        self, partition: Any, request_timeout_seconds: Any, headers: Mapping[str, str] | None
    ) -> tuple[str | None, CallOptions]:
        if partition is not UNSET and partition is not None and not isinstance(partition, str):
            raise OnyxUsageError(f"partition must be a string or None, got {partition!r}")
        if request_timeout_seconds is not UNSET and request_timeout_seconds is not None:
            if isinstance(request_timeout_seconds, bool) or not isinstance(
                request_timeout_seconds, int | float
            ):
                raise OnyxUsageError("request_timeout_seconds must be a number or None")
            if request_timeout_seconds <= 0:
                raise OnyxUsageError("request_timeout_seconds must be > 0")
        if headers is not None:
            for name, value in headers.items():
                if not isinstance(name, str) or not isinstance(value, str):
                    raise OnyxUsageError("headers must map str to str")
                if not name.isascii() or not value.isascii():
                    raise OnyxUsageError(f"header {name!r} must be ASCII")
        new_partition = self._partition if partition is UNSET else partition
        call = CallOptions(
            timeout=self._call.timeout
            if request_timeout_seconds is UNSET
            else (None if request_timeout_seconds is None else float(request_timeout_seconds)),
            headers=merge_headers(self._call.headers, headers),
        )
        return new_partition, call

    def _entity_body(self, entity: Any) -> Any:
        if isinstance(entity, list | tuple):
            return [to_wire(item, f"entities[{index}]") for index, item in enumerate(entity)]
        return to_wire(entity, "entity")

    def _save_request(
        self, table: str | type[Any], entity: Any, relationships: Sequence[str] | str | None
    ) -> Request:
        return save_request(
            self.database_id,
            table_name(table),
            self._entity_body(entity),
            _names(relationships, "relationships"),
        )

    def _insert_request(
        self, table: str | type[Any], entity: Any, relationships: Sequence[str] | str | None
    ) -> Request:
        return insert_request(
            self.database_id,
            table_name(table),
            self._entity_body(entity),
            _names(relationships, "relationships"),
        )

    def _create_request(self, table: str | type[Any], entity: Any) -> Request:
        if isinstance(entity, list | tuple | set | frozenset):
            raise OnyxUsageError(
                "create() takes exactly one entity; use insert() for a list of new records"
            )
        body = to_wire(entity, "entity")
        if not isinstance(body, dict):
            raise OnyxUsageError(
                f"create() takes one entity (a mapping, dataclass or model), got {type(entity)}"
            )
        return insert_request(self.database_id, table_name(table), body)

    def _find_request(
        self,
        table: str | type[Any],
        pk: object,
        partition: str | None,
        resolvers: Sequence[str] | str | None,
    ) -> Request:
        return find_request(
            self.database_id,
            table_name(table),
            pk,
            partition=partition if partition is not None else self._partition,
            resolvers=_names(resolvers, "resolvers"),
        )

    def _delete_request(
        self,
        table: str | type[Any],
        pk: object,
        partition: str | None,
        relationships: Sequence[str] | str | None,
    ) -> Request:
        return delete_request(
            self.database_id,
            table_name(table),
            pk,
            partition=partition if partition is not None else self._partition,
            relationships=_names(relationships, "relationships"),
        )

    def _batch_flow(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        batch_size: int,
        relationships: Sequence[str] | str | None,
    ) -> Flow:
        if isinstance(entities, Mapping | str | bytes):
            raise OnyxUsageError("batch_save() takes an iterable of entities, not one entity")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise OnyxUsageError(f"batch_size must be an int >= 1, got {batch_size!r}")
        name = table_name(table)
        rels = _names(relationships, "relationships")
        return batch_flow(
            entities,
            batch_size,
            lambda body: save_request(self.database_id, name, body, rels),
        )

    def _query_spec(self, table: str | type[Any] | None) -> QuerySpec:
        return QuerySpec(table=None if table is None else table_name(table))


class QueryBuilder(BaseQueryBuilder[T]):
    """An immutable query on a sync :class:`OnyxDatabase`. Build it with ``db.from_table``.

    ::

        users = (db.from_table("User")
                   .where(eq("status", "active") & gt("age", 18))
                   .order_by(desc("createdAt"))
                   .list())            # every page, not just the first
        for user in db.from_table("User").page_size(500):   # lazy, one page in memory
            ...
    """

    __slots__ = ()

    @property
    def _database(self) -> OnyxDatabase:
        return cast("OnyxDatabase", self._db)

    def page(self, next_page: str | None = None) -> Page[T]:
        """One page: the first, or the one ``next_page`` names. ``q.page(prev.next_page)``"""
        with closing(self._database._iterate(pages_flow(self._page_request, next_page))) as pages:
            for page in pages:
                return Page(page.records, page.next_page)
        raise AssertionError("pages_flow emitted nothing")  # pragma: no cover

    def list(self) -> builtins.list[T]:
        """Every matching record, across all pages. ``db.from_table("User").list()``"""
        return builtins.list(self)

    def __iter__(self) -> Iterator[T]:
        """Iterate lazily, fetching one page at a time (memory bounded by ``page_size``)."""
        with closing(self._database._iterate(pages_flow(self._page_request))) as pages:
            for page in pages:
                yield from page.records

    def first_or_none(self) -> T | None:
        """The first record (sends ``limit 1``), or ``None``. No ``where`` needed."""
        records: builtins.list[T] = parse_page(self._database._send(self._first_request())).records
        return records[0] if records else None

    def count(self) -> int:
        """How many records match. ``db.from_table("User").where(eq("status", "x")).count()``"""
        return _count(self._database._send(self._count_request()))

    def values(self, field: str) -> builtins.list[Any]:
        """``field`` of every matching record, across all pages. ``q.values("email")``"""
        return [_field_of(record, field) for record in self]


def _field_of(record: Any, field: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(field)
    return getattr(record, field, None)


class OnyxDatabase(DatabaseCore):
    """A synchronous Onyx client with one pooled keep-alive HTTP connection pool.

    Create it with :func:`onyx_database.init`; close it with ``close()`` or a ``with`` block::

        with onyx_database.init(database_id="db", api_key="k", api_secret="s") as db:
            db.save("User", {"id": "u1", "email": "a@example.com"})
            user = db.find_by_id("User", "u1")
    """

    _transport: SyncTransport
    _is_view: bool

    def __init__(
        self,
        config: ResolvedConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._init_view(config, config.partition, CallOptions())
        self._transport = SyncTransport(config, transport=transport, http_client=http_client)
        self._is_view = False

    def __repr__(self) -> str:
        view = " view" if self._is_view else ""
        return f"<OnyxDatabase{view} {self.database_id!r} at {self._config.base_url}>"

    # -- lifecycle -----------------------------------------------------------------------------

    def with_options(
        self,
        *,
        partition: str | None = UNSET,
        request_timeout_seconds: float | None = UNSET,
        headers: Mapping[str, str] | None = None,
    ) -> OnyxDatabase:
        """A light view that shares this client's connection pool with other defaults.

        Closing a view does not close the pool. ``tenant_db = db.with_options(partition="t1")``
        """
        new_partition, call = self._view_options(partition, request_timeout_seconds, headers)
        view = object.__new__(OnyxDatabase)
        view._init_view(self._config, new_partition, call)
        view._transport = self._transport
        view._is_view = True
        return view

    def close(self) -> None:
        """Close the connection pool (a no-op on a ``with_options`` view)."""
        if not self._is_view:
            self._transport.close()

    def __enter__(self) -> OnyxDatabase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _send(self, request: Request) -> Any:
        return self._transport.send(request, self._call)

    def _iterate(self, flow: Flow) -> Generator[Any, None, None]:
        return drive(flow, self._send)

    # -- queries -------------------------------------------------------------------------------

    def from_table(self, table: str | type[Any]) -> QueryBuilder[Record]:
        """Start a query on ``table`` (a name or a model class).

        ``db.from_table("User").where(eq("status", "active")).list()``
        """
        return QueryBuilder(self, self._query_spec(table))

    def select(self, *fields: str) -> QueryBuilder[Record]:
        """Start a projection; name the table next.

        ``db.select("id", "email").from_table("User").list()``
        """
        return QueryBuilder(self, self._query_spec(None)).select(*fields)

    # -- records -------------------------------------------------------------------------------

    def save(
        self,
        table: str | type[Any],
        entity: Any,
        *,
        relationships: Sequence[str] | str | None = None,
    ) -> Any:
        """Upsert one entity or a list (``PUT``); returns what the server saved.

        ``db.save("User", {"id": "u1", "email": "a@example.com"})``. Never retried.
        """
        return self._send(self._save_request(table, entity, relationships))

    def batch_save(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        relationships: Sequence[str] | str | None = None,
    ) -> int:
        """Upsert any number of entities in chunks of ``batch_size``; returns how many were saved.

        Chunks are sent in order, one ``PUT`` each. If one fails, :class:`OnyxBatchError` says
        which chunks were committed (the failure is its ``__cause__``).
        ``db.batch_save("User", ({"id": str(i)} for i in range(10_000)))``
        """
        flow = self._batch_flow(table, entities, batch_size, relationships)
        return sum(size for size, _answer in self._iterate(flow))

    def insert(
        self,
        table: str | type[Any],
        entity: Any,
        *,
        relationships: Sequence[str] | str | None = None,
    ) -> Any:
        """Create new records only (``POST``); an existing id raises :class:`OnyxConflictError`.

        ``db.insert("User", [{"id": "u1"}, {"id": "u2"}])``
        """
        return self._send(self._insert_request(table, entity, relationships))

    def create(self, table: str | type[Any], entity: Any) -> Any:
        """Atomically create exactly one record; :class:`OnyxConflictError` if the id exists.

        ``db.create("User", {"id": "u1", "email": "a@example.com"})``
        """
        return self._send(self._create_request(table, entity))

    def find_by_id(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Record | None:
        """The record with primary key ``pk``, or ``None`` if there is none.

        An unknown table still raises :class:`OnyxNotFoundError`.
        ``db.find_by_id("User", "u1", resolvers=["roles"])``
        """
        try:
            found: Record | None = self._send(self._find_request(table, pk, partition, resolvers))
        except OnyxNotFoundError as exc:
            if is_record_miss(exc):
                return None
            raise
        return found

    def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Sequence[str] | str | None = None,
    ) -> bool:
        """Delete one record (and what the ``relationships`` resolvers return); returns ``True``.

        A missing record raises :class:`OnyxNotFoundError`. ``db.delete("User", "u1")``
        """
        self._send(self._delete_request(table, pk, partition, relationships))
        return True
