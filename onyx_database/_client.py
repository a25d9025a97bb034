"""The synchronous client, :class:`OnyxDatabase`, and its :class:`QueryBuilder`.

The request-building half of the client (:class:`DatabaseCore`) is pure and shared with the async
client; only the few lines that actually send differ.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self, TypeVar, cast, overload

import httpx

from . import _data_apis as apis
from . import _writes
from ._ai import chat_content
from ._ai_client import Messages, OnyxAI
from ._cascade import CascadeRelationshipBuilder, cascade_specs
from ._conditions import search as search_condition
from ._config import ResolvedConfig
from ._data_apis import Document
from ._errors import OnyxClientError, OnyxDecodeError, OnyxNotFoundError, OnyxUsageError
from ._flows import Flow, batch_flow, drive, pages_flow
from ._query import (
    ALL_TABLES,
    BaseQueryBuilder,
    Page,
    QuerySpec,
    is_model_class,
    table_name,
    validate_model,
)
from ._request import (
    RawResponse,
    Request,
    delete_request,
    find_request,
    insert_request,
    parse_page,
    save_request,
)
from ._schema_diff import SchemaDiff, diff_schemas
from ._serialize import to_wire
from ._stream import DEFAULT_IDLE_TIMEOUT, EventIterator, StreamHandle, StreamSetup
from ._stream_protocol import ReconnectPolicy
from ._transport import UNSET, CallOptions, SyncTransport, merge_headers

__all__ = [
    "RECORD_MISS_CODES",
    "CascadeWriter",
    "DatabaseCore",
    "ModelLike",
    "OnyxDatabase",
    "QueryBuilder",
]

T = TypeVar("T")
Record = dict[str, Any]
CascadeSpec = str | CascadeRelationshipBuilder
Relationships = Sequence[CascadeSpec] | CascadeSpec | None


class ModelLike(Protocol):
    """A pydantic-style model class: ``from_table(Model)`` returns its instances."""

    @classmethod
    def model_validate(cls, obj: Any, /) -> Self: ...


M = TypeVar("M", bound=ModelLike)

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


def _relationships(value: Relationships) -> builtins.list[str] | None:
    return builtins.list(cascade_specs(value)) or None


def _resolvers(value: Sequence[str] | str | None) -> builtins.list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else builtins.list(value)
    names: builtins.list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise OnyxUsageError(f"resolvers must be non-empty strings, got {item!r}")
        names.extend(part.strip() for part in item.split(","))
    return _names(names, "resolvers")


def as_model(table: object, answer: Any) -> Any:
    """``answer`` (a record or a list of records) as instances of ``table`` when it is a model
    class; unchanged otherwise."""
    if not is_model_class(table):
        return answer
    if isinstance(answer, dict):
        return validate_model(table, answer, f"the {table_name(table)} record")
    if isinstance(answer, builtins.list):
        return [
            validate_model(table, item, f"the {table_name(table)} record")
            if isinstance(item, dict)
            else item
            for item in answer
        ]
    return answer


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
        self, table: str | type[Any], entity: Any, relationships: Relationships
    ) -> Request:
        return save_request(
            self.database_id,
            table_name(table),
            self._entity_body(entity),
            _relationships(relationships),
        )

    def _insert_request(
        self, table: str | type[Any], entity: Any, relationships: Relationships
    ) -> Request:
        return insert_request(
            self.database_id,
            table_name(table),
            self._entity_body(entity),
            _relationships(relationships),
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
            resolvers=_resolvers(resolvers),
        )

    def _delete_request(
        self,
        table: str | type[Any],
        pk: object,
        partition: str | None,
        relationships: Relationships,
        return_graph: bool = False,
    ) -> Request:
        if not isinstance(return_graph, bool):
            raise OnyxUsageError(f"return_graph must be a bool, got {return_graph!r}")
        return delete_request(
            self.database_id,
            table_name(table),
            pk,
            partition=partition if partition is not None else self._partition,
            relationships=_relationships(relationships),
            return_graph=return_graph,
        )

    def _schema_diff(self, api_schema: Any, local: Any) -> SchemaDiff:
        if isinstance(local, str | PathLike):
            try:
                local = json.loads(Path(local).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise OnyxUsageError(f"cannot read the schema file {local}: {exc}") from exc
        if not isinstance(local, Mapping):
            raise OnyxUsageError(
                f"diff_schema takes a schema mapping or a JSON file path, got {type(local)}"
            )
        if not isinstance(api_schema, Mapping):
            raise OnyxDecodeError(f"expected a schema object, got {type(api_schema).__name__}")
        return diff_schemas(apis.strip_entity_text(api_schema), apis.strip_entity_text(local))

    def _validation_answer(self, error: OnyxClientError) -> Record | None:
        """A 4xx validate answer that carries ``valid: false`` is a result, not a failure."""
        body = error.body
        if isinstance(body, dict) and body.get("valid") is False:
            return {"valid": False, "errors": body.get("errors") or [], **_schema_of(body)}
        return None

    def _batch_flow(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        batch_size: int,
        relationships: Relationships,
    ) -> Flow:
        if isinstance(entities, Mapping | str | bytes):
            raise OnyxUsageError("batch_save() takes an iterable of entities, not one entity")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise OnyxUsageError(f"batch_size must be an int >= 1, got {batch_size!r}")
        name = table_name(table)
        rels = _relationships(relationships)
        return batch_flow(
            entities,
            batch_size,
            lambda body: save_request(self.database_id, name, body, rels),
        )

    def _query_spec(self, table: str | type[Any] | None) -> QuerySpec:
        if table is None:
            return QuerySpec()
        return QuerySpec(
            table=table_name(table),
            model=table if isinstance(table, type) and is_model_class(table) else None,
        )

    def _search_spec(self, text: str, min_score: float | None) -> QuerySpec:
        return QuerySpec(table=ALL_TABLES, conditions=search_condition(text, min_score))


def _schema_of(body: Record) -> Record:
    return {"schema": body["schema"]} if "schema" in body else {}


def _validation_result(answer: Any) -> Record:
    if not isinstance(answer, dict):
        raise OnyxDecodeError(f"expected a validation object, got {type(answer).__name__}")
    result = dict(answer)
    result.setdefault("valid", True)
    result.setdefault("errors", [])
    if isinstance(result.get("schema"), dict):
        result["schema"] = apis.strip_entity_text(result["schema"])
    return result


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

    def select(self, *fields: str) -> QueryBuilder[Record]:
        """Return only these fields or expressions (appended); records become dicts keyed by
        the selection strings. ``.select("id", upper("name"), "roles.name")``"""
        return cast("QueryBuilder[Record]", self._select(fields))

    def page(self, next_page: str | None = None) -> Page[T]:
        """One page: the first, or the one ``next_page`` names. ``q.page(prev.next_page)``"""
        with closing(self._database._iterate(pages_flow(self._page_request, next_page))) as pages:
            for page in pages:
                return Page(self._decode(page.records), page.next_page)
        raise AssertionError("pages_flow emitted nothing")  # pragma: no cover

    def list(self) -> builtins.list[T]:
        """Every matching record, across all pages. ``db.from_table("User").list()``"""
        return builtins.list(self)

    def __iter__(self) -> Iterator[T]:
        """Iterate lazily, fetching one page at a time (memory bounded by ``page_size``)."""
        with closing(self._database._iterate(pages_flow(self._page_request))) as pages:
            for page in pages:
                yield from self._decode(page.records)

    def first_or_none(self) -> T | None:
        """The first record (sends ``limit 1``), or ``None``. No ``where`` needed."""
        records = self._decode(parse_page(self._database._send(self._first_request())).records)
        return records[0] if records else None

    def count(self) -> int:
        """How many records match. ``db.from_table("User").where(eq("status", "x")).count()``"""
        return _count(self._database._send(self._count_request()))

    def values(self, field: str) -> builtins.list[Any]:
        """``field`` of every matching record, across all pages. ``q.values("email")``"""
        return [_field_of(record, field) for record in self]

    def update(self) -> int:
        """Apply ``set_updates`` to every matching record (respecting sort, limit and partition);
        returns how many were updated. Never retried.

        ``db.from_table("User").where(eq("status", "trial")).set_updates(status="active").update()``
        """
        return _count(self._database._send(self._update_request()))

    def delete(self) -> int:
        """Delete every matching record (all of them without ``where``); returns how many.
        Never retried. ``db.from_table("Session").where(lt("expiresAt", now)).delete()``"""
        return _count(self._database._send(self._delete_request()))

    # -- live streams --------------------------------------------------------------------------

    def _stream_setup(
        self,
        include_query_results: bool,
        keep_alive: bool,
        reconnect: ReconnectPolicy | None,
        idle_timeout: float | None,
    ) -> StreamSetup:
        return StreamSetup.for_builder(
            self, self._database.config, include_query_results, keep_alive, reconnect, idle_timeout
        )

    def stream(
        self,
        include_query_results: bool = False,
        keep_alive: bool = True,
        *,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> StreamHandle:
        """Run the ``on_item_*`` callbacks for live changes in a background thread.

        Returns a :class:`StreamHandle` (``cancel()``, ``join()``, ``error``, ``is_running``;
        a ``with`` block cancels on exit). Reconnects follow ``reconnect`` (1 s doubling to
        30 s with jitter); 401/403 and other 4xx stop the stream and reach ``on_error``::

            handle = (db.from_table("User").where(eq("status", "active"))
                        .on_item_added(lambda user: print("new", user))
                        .on_error(lambda error: print("stopped", error))
                        .stream(include_query_results=True))
            ...
            handle.cancel()
        """
        db = self._database
        setup = self._stream_setup(include_query_results, keep_alive, reconnect, idle_timeout)
        return db._transport.track(StreamHandle(setup, db._transport, db._call))

    def events(
        self,
        include_query_results: bool = False,
        keep_alive: bool = True,
        *,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> EventIterator[T]:
        """Live changes as an iterator of :class:`StreamEvent` (``action``, typed ``entity``);
        breaking out of the loop closes the connection; terminal errors are raised::

            for event in db.from_table("User").events(include_query_results=True):
                print(event.action, event.entity)
        """
        db = self._database
        setup = self._stream_setup(include_query_results, keep_alive, reconnect, idle_timeout)
        return db._transport.track(EventIterator(setup, db._transport, db._call))

    def stream_callbacks(
        self,
        include_query_results: bool = False,
        keep_alive: bool = True,
        *,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> StreamHandle:
        """The same as :meth:`stream` (the name the async builder uses for its callback form)."""
        return self.stream(
            include_query_results, keep_alive, reconnect=reconnect, idle_timeout=idle_timeout
        )


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
        answer = self._transport.send(request, self._call)
        if _writes.observing() and request.method != "GET":
            _writes.notify_write(self._transport, request, answer)
        return answer

    def _iterate(self, flow: Flow) -> Generator[Any, None, None]:
        return drive(flow, self._send)

    # -- queries -------------------------------------------------------------------------------

    @overload
    def from_table(self, table: type[M]) -> QueryBuilder[M]: ...

    @overload
    def from_table(self, table: str | type[Any]) -> QueryBuilder[Record]: ...

    def from_table(self, table: str | type[Any]) -> QueryBuilder[Any]:
        """Start a query on ``table``: a name (dict records) or a pydantic model class (model
        instances for whole-entity queries; the table is ``__onyx_table__`` or the class name).

        ``db.from_table("User").where(eq("status", "active")).list()``
        """
        return QueryBuilder(self, self._query_spec(table))

    def select(self, *fields: str) -> QueryBuilder[Record]:
        """Start a projection; name the table next.

        ``db.select("id", "email", count("id")).from_table("User").group_by("id", "email")``
        """
        return QueryBuilder[Record](self, self._query_spec(None)).select(*fields)

    def search(self, text: str, min_score: float | None = None) -> QueryBuilder[Record]:
        """Full-text search across every SEARCHABLE table (table ``ALL``).

        Records are ``{"id", "entityType", "entity"}`` dicts; no partition is sent unless you
        add ``in_partition``. ``db.search("ada lovelace", min_score=1.0).list()``
        """
        return QueryBuilder(self, self._search_spec(text, min_score))

    # -- records -------------------------------------------------------------------------------

    def save(
        self,
        table: str | type[Any],
        entity: Any,
        *,
        relationships: Relationships = None,
    ) -> Any:
        """Upsert one entity or a list (``PUT``); returns what the server saved (model instances
        when ``table`` is a model class).

        ``relationships`` are cascade specs (strings or ``cascade_builder()`` results).
        ``db.save("User", {"id": "u1", "email": "a@example.com"})``. Never retried.
        """
        return as_model(table, self._send(self._save_request(table, entity, relationships)))

    def batch_save(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        relationships: Relationships = None,
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
        relationships: Relationships = None,
    ) -> Any:
        """Create new records only (``POST``); an existing id raises :class:`OnyxConflictError`.

        ``db.insert("User", [{"id": "u1"}, {"id": "u2"}])``
        """
        return as_model(table, self._send(self._insert_request(table, entity, relationships)))

    def create(self, table: str | type[Any], entity: Any) -> Any:
        """Atomically create exactly one record; :class:`OnyxConflictError` if the id exists.

        ``db.create("User", {"id": "u1", "email": "a@example.com"})``
        """
        return as_model(table, self._send(self._create_request(table, entity)))

    @overload
    def find_by_id(
        self,
        table: type[M],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> M | None: ...

    @overload
    def find_by_id(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Record | None: ...

    def find_by_id(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Any:
        """The record with primary key ``pk`` (a model instance for a model class), or ``None``.

        An unknown table still raises :class:`OnyxNotFoundError`.
        ``db.find_by_id("User", "u1", resolvers=["roles", "roles.permissions"])``
        """
        try:
            found = self._send(self._find_request(table, pk, partition, resolvers))
        except OnyxNotFoundError as exc:
            if is_record_miss(exc):
                return None
            raise
        return as_model(table, found)

    @overload
    def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: Literal[False] = False,
    ) -> bool: ...

    @overload
    def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: Literal[True],
    ) -> Any: ...

    def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: bool = False,
    ) -> Any:
        """Delete one record and what the ``relationships`` resolvers return.

        Returns ``True``, or with ``return_graph=True`` the deleted entity graph (sent as
        ``Prefer: return=representation``). A missing record raises :class:`OnyxNotFoundError`.
        ``db.delete("Role", "r1", relationships=["rolePermissions"])``
        """
        answer = self._send(self._delete_request(table, pk, partition, relationships, return_graph))
        return answer if return_graph else True

    # -- cascade -------------------------------------------------------------------------------

    def cascade(self, *specs: CascadeSpec) -> CascadeWriter:
        """Saves and deletes that cascade along ``specs`` (checked now, sent canonical).

        ``db.cascade("userRoles:UserRole(userId, id)").save("User", user_with_roles)``
        """
        return CascadeWriter(self, cascade_specs(specs))

    def cascade_builder(self) -> CascadeRelationshipBuilder:
        """A builder for one cascade spec::

        spec = (db.cascade_builder().graph("userRoles").graph_type("UserRole")
                  .target_field("userId").source_field("id"))   # userRoles:UserRole(userId, id)
        db.cascade(spec).save("User", user)
        """
        return CascadeRelationshipBuilder()

    # -- schema --------------------------------------------------------------------------------

    def get_schema(self, tables: Sequence[str] | str | None = None) -> Record:
        """The current schema revision (``entityText`` removed), optionally only ``tables``.

        ``db.get_schema(tables=["User", "Role"])["entities"]``
        """
        answer: Record = apis.strip_entity_text(
            self._send(apis.schema_request(self.database_id, tables))
        )
        return answer

    def get_schema_history(self) -> builtins.list[Record]:
        """Every saved schema revision, oldest first as the server lists them."""
        answer: builtins.list[Record] = apis.strip_entity_text(
            self._send(apis.schema_history_request(self.database_id))
        )
        return answer

    def validate_schema(self, schema: Mapping[str, Any]) -> Record:
        """Check ``schema`` without saving it: ``{"valid": bool, "errors": [...], "schema"?}``.

        An invalid schema is a result (``valid`` false), not an exception.
        ``db.validate_schema(json.load(open("onyx.schema.json")))["valid"]``
        """
        try:
            answer = self._send(apis.validate_schema_request(self.database_id, schema))
        except OnyxClientError as exc:
            invalid = self._validation_answer(exc)
            if invalid is None:
                raise
            return invalid
        return _validation_result(answer)

    def update_schema(
        self, schema: Mapping[str, Any], *, publish: bool = False, allow_data_loss: bool = False
    ) -> Record:
        """Save ``schema`` as a new revision, and make it live with ``publish=True``.

        ``databaseId`` is set to this client's database. Onyx Local refuses (409
        ``SCHEMA_DATA_LOSS``) a publish that would drop, merge or null out stored values unless
        ``allow_data_loss=True``; ``validate_schema`` lists them under ``dataLoss`` first.
        ``db.update_schema(doc, publish=True)``
        """
        request = apis.update_schema_request(
            self.database_id, schema, publish=publish, allow_data_loss=allow_data_loss
        )
        answer: Record = apis.strip_entity_text(self._send(request))
        return answer

    def diff_schema(self, local: Mapping[str, Any] | str | PathLike[str]) -> SchemaDiff:
        """How ``local`` (a schema mapping or a JSON file path) differs from the server's schema.

        ``diff = db.diff_schema("onyx.schema.json"); print(diff.added_tables)``
        """
        return self._schema_diff(self._send(apis.schema_request(self.database_id)), local)

    # -- secrets -------------------------------------------------------------------------------

    def list_secrets(self) -> builtins.list[Record]:
        """Metadata of every secret (``key``, ``purpose``, ``updatedAt``; no values)."""
        return apis.parse_secret_list(self._send(apis.list_secrets_request(self.database_id)))

    def get_secret(self, key: str) -> Record:
        """One secret with its ``value``; :class:`OnyxNotFoundError` if there is none.

        ``db.get_secret("stripe-key")["value"]``
        """
        answer: Record = self._send(apis.get_secret_request(self.database_id, key))
        return answer

    def put_secret(
        self, key: str, value: str | Mapping[str, Any], purpose: str | None = None
    ) -> Record:
        """Create or replace a secret; returns its metadata. Also takes the official
        ``put_secret(key, {"value": ..., "purpose": ...})`` form. Values are never logged.

        ``db.put_secret("stripe-key", "sk_live_...", purpose="payments")``
        """
        request = apis.put_secret_request(self.database_id, key, value, purpose)
        del value  # frame locals show in tracebacks (Sentry, rich): keep the secret out of them
        answer: Record = self._send(request)
        return answer

    def delete_secret(self, key: str) -> bool:
        """Delete a secret; returns ``True``. ``db.delete_secret("stripe-key")``"""
        self._send(apis.delete_secret_request(self.database_id, key))
        return True

    # -- documents -----------------------------------------------------------------------------

    def save_document(self, doc: Mapping[str, Any] | None = None, /, **fields: Any) -> Record:
        """Store a document from a mapping and/or keywords; ``content`` as bytes is sent base64.

        ``db.save_document(document_id="logo.png", content=png_bytes, mime_type="image/png")``
        """
        body = apis.document_body(doc, fields)
        answer: Record = self._send(apis.save_document_request(self.database_id, body))
        return answer

    def get_document(
        self, document_id: str, *, width: int | None = None, height: int | None = None
    ) -> Document:
        """A stored document; ``.data`` holds its exact bytes. ``width``/``height`` ask for a
        resized image. ``db.get_document("logo.png").data``"""
        raw: RawResponse = self._send(
            apis.get_document_request(self.database_id, document_id, width=width, height=height)
        )
        return apis.parse_document(document_id, raw)

    def delete_document(self, document_id: str) -> bool:
        """Delete a document; returns ``True``. ``db.delete_document("logo.png")``"""
        self._send(apis.delete_document_request(self.database_id, document_id))
        return True

    # -- AI ------------------------------------------------------------------------------------

    @property
    def ai(self) -> OnyxAI:
        """The AI endpoints (on ``ai_base_url``): ``db.ai.chat(...)``, ``db.ai.get_models()``."""
        return OnyxAI(self)

    def chat(self, messages_or_text: Messages, *, model: str | None = None, **options: Any) -> str:
        """The assistant's reply text to a prompt (``choices[0].message.content``).

        Raises :class:`OnyxDecodeError` if the reply has no content. ``db.chat("Hello")``
        """
        return chat_content(self.ai.chat(messages_or_text, model=model, **options))

    def get_models(self) -> Record:
        """Same as ``db.ai.get_models()``."""
        return self.ai.get_models()

    def get_model(self, model_id: str) -> Record:
        """Same as ``db.ai.get_model(model_id)``."""
        return self.ai.get_model(model_id)

    def request_script_approval(self, script: str) -> Record:
        """Same as ``db.ai.request_script_approval(script)``."""
        return self.ai.request_script_approval(script)


class CascadeWriter:
    """Saves and deletes with cascade specs; from ``db.cascade(...)``. Immutable.

    ::

        db.cascade("userRoles:UserRole(userId, id)").save("User", {
            "id": "u1", "userRoles": [{"roleId": "admin"}]})
        db.cascade("rolePermissions").delete("Role", "r1")
    """

    __slots__ = ("_db", "_specs")

    def __init__(self, db: OnyxDatabase, specs: tuple[str, ...]) -> None:
        self._db = db
        self._specs = specs

    @property
    def relationships(self) -> tuple[str, ...]:
        """The canonical specs this writer sends."""
        return self._specs

    def cascade(self, *specs: CascadeSpec) -> CascadeWriter:
        """A writer with more specs appended."""
        return CascadeWriter(self._db, self._specs + cascade_specs(specs))

    def save(self, table: str | type[Any], entity: Any) -> Any:
        """``db.save(table, entity, relationships=specs)``: one entity or a list."""
        return self._db.save(table, entity, relationships=list(self._specs))

    def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        return_graph: bool = False,
    ) -> Any:
        """``db.delete(table, pk, relationships=specs)``; ``True``, or the deleted graph."""
        answer = self._db._send(
            self._db._delete_request(table, pk, partition, list(self._specs), return_graph)
        )
        return answer if return_graph else True
