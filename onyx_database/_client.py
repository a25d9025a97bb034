"""The synchronous client, :class:`OnyxDatabase`, and its :class:`QueryBuilder`.

Generated from ``_async_client.py`` by ``scripts/unasync.py``: edit that file, not this.
"""

from __future__ import annotations

import builtins
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing
from os import PathLike
from typing import Any, Literal, TypeVar, cast, overload

import httpx

from . import _data_apis as apis
from . import _writes
from ._ai import chat_content
from ._ai_client import Messages, OnyxAI
from ._cascade import CascadeRelationshipBuilder, cascade_specs
from ._conditions import SearchMatch, SearchMode, SearchOptions
from ._config import ResolvedConfig
from ._core import (
    DEFAULT_BATCH_SIZE,
    CascadeSpec,
    DatabaseCore,
    M,
    Record,
    Relationships,
    count_of,
    field_of,
    is_record_miss,
    relationships_of,
    validation_result,
)
from ._data_apis import Document
from ._errors import OnyxClientError, OnyxNotFoundError, OnyxUsageError
from ._flows import Flow, drive, pages_flow
from ._official import OfficialClient
from ._query import BaseQueryBuilder, Page, QueryResults
from ._request import RawResponse, Request, insert_request, parse_page, save_request
from ._schema_diff import SchemaDiff
from ._stream import DEFAULT_IDLE_TIMEOUT, EventIterator, StreamHandle, StreamSetup
from ._stream_protocol import ReconnectPolicy
from ._sync_transport import SyncTransport
from ._transport import CallOptions

__all__ = ["CascadeWriter", "OnyxDatabase", "QueryBuilder"]

T = TypeVar("T")


class QueryBuilder(BaseQueryBuilder[T]):
    """An immutable query on an :class:`OnyxDatabase`. Build it with ``db.from_table``.

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

    def page(
        self,
        page_size: int | str | None = None,
        next_page: str | None = None,
        model: type[Any] | None = None,
    ) -> Page[T]:
        """One page: the first, or the one ``next_page`` names. ``q.page(prev.next_page)``

        The official SDK's arguments work too: ``page(page_size=50, next_page=token,
        model=User)``; a string first argument is the page token.
        """
        query, token = self._paged(page_size, next_page, model)
        flow = pages_flow(query._page_request, token)
        with closing(self._database._iterate(flow)) as pages:
            for page in pages:
                return Page._decoded(query._decode(page.records), page.next_page)
        raise AssertionError("pages_flow emitted nothing")  # pragma: no cover

    def list(
        self,
        page_size: int | None = None,
        next_page: str | None = None,
        model: type[Any] | None = None,
    ) -> QueryResults[T]:
        """Every matching record, across all pages. ``db.from_table("User").list()``

        ``page_size`` sets the size of the pages fetched, ``next_page`` starts at a page token
        and ``model`` overrides the record class (the official SDK's arguments).
        """
        query, token = self._paged(page_size, next_page, model)
        if token is not None:
            query = query.next_page(token)
        return QueryResults(query)

    def __iter__(self) -> Iterator[T]:
        """Iterate lazily, fetching one page at a time (memory bounded by ``page_size``)."""
        with closing(self._database._iterate(pages_flow(self._page_request))) as pages:
            for page in pages:
                yield from self._decode(page.records)

    def first_or_none(self, model: type[Any] | None = None) -> T | None:
        """The first record (sends ``limit 1``), or ``None``. No ``where`` needed. ``model``
        overrides the record class."""
        query = self if model is None else self._paged(None, None, model)[0]
        body = self._database._send(query._first_request())
        records = query._decode(parse_page(body).records)
        return records[0] if records else None

    def count(self) -> int:
        """How many records match.

        ``db.from_table("User").where(eq("status", "x")).count()``
        """
        return count_of(self._database._send(self._count_request()))

    def values(self, field: str) -> builtins.list[Any]:
        """``field`` of every matching record, across all pages. ``q.values("email")``"""
        return [field_of(record, field) for record in self]

    def update(self) -> int:
        """Apply ``set_updates`` to every matching record (respecting sort, limit and partition);
        returns how many were updated. Never retried.

        ``db.from_table("User").where(eq("plan", "trial")).set_updates(plan="pro").update()``
        """
        return count_of(self._database._send(self._update_request()))

    def delete(self) -> int:
        """Delete every matching record (all of them without ``where``); returns how many.
        Never retried. ``db.from_table("Session").where(lt("expiresAt", now)).delete()``"""
        return count_of(self._database._send(self._delete_request()))

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
        """Run the ``on_item_*`` callbacks for live changes in the background (a task of the
        async client, which may callbacks; a thread of the sync client).

        Returns a handle (``cancel()``, ``join()``, ``error``, ``is_running``; leaving a ``with``
        block cancels). Reconnects follow ``reconnect`` (1 s doubling to 30 s with jitter);
        401/403 and other 4xx stop the stream and reach ``on_error``::

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

    stream_callbacks = stream
    """The same as :meth:`stream` (kept for code written before the names were aligned)."""

    def events(
        self,
        include_query_results: bool = False,
        keep_alive: bool = True,
        *,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> EventIterator[T]:
        """Live changes as an iterator of :class:`StreamEvent` (``action``, typed ``entity``);
        leaving the loop or the ``with`` block closes the connection; terminal errors are
        raised::

            with db.from_table("User").events(include_query_results=True) as events:
                for event in events:
                    print(event.action, event.entity)
        """
        db = self._database
        setup = self._stream_setup(include_query_results, keep_alive, reconnect, idle_timeout)
        return db._transport.track(EventIterator(setup, db._transport, db._call))


class OnyxDatabase(
    OfficialClient,
    DatabaseCore[SyncTransport],
    AbstractContextManager["OnyxDatabase", None],
):
    """An Onyx client over one pooled keep-alive HTTP connection pool.

    Create it with :func:`onyx_database.init`; close it with ``close()`` or a ``with``
    block::

        with onyx_database.init(database_id="db", api_key="k", api_secret="s") as db:
            db.save("User", {"id": "u1", "email": "a@example.com"})
            user = db.find_by_id("User", "u1")
    """

    def __init__(
        self,
        config: ResolvedConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._init_view(
            config,
            config.partition,
            CallOptions(),
            SyncTransport(config, transport=transport, http_client=http_client),
        )

    def close(self) -> None:
        """Close the connection pool (a no-op on a ``with_options`` view)."""
        if not self._is_view:
            self._transport.close()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _send(self, request: Request) -> Any:
        answer = self._transport.send(request, self._call)
        if _writes.observing() and request.method != "GET":
            _writes.notify_write(self._transport, request, answer)
        return answer

    def _iterate(self, flow: Flow) -> Generator[Any, None]:
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

    def search(
        self,
        query_text: str,
        min_score: float | SearchOptions | None = None,
        *,
        mode: SearchMode | None = None,
        match: SearchMatch | None = None,
        max_candidates: int | None = None,
    ) -> QueryBuilder[Record]:
        """Full-text search across every SEARCHABLE table (table ``ALL``).

        Records are ``{"id", "entityType", "entity"}`` dicts; no partition is sent unless you
        add ``in_partition``. ``db.search("ada lovelace", min_score=1.0).list()``

        ``mode`` / ``match`` / ``max_candidates`` (or a ``SearchOptions`` dict) send the
        official SDK's high-level ``SEARCH`` condition (see :func:`~onyx_database.search`).
        """
        spec = self._search_spec(
            query_text, min_score, mode=mode, match=match, max_candidates=max_candidates
        )
        return QueryBuilder(self, spec)

    # -- records -------------------------------------------------------------------------------

    @overload
    def save(
        self,
        table: type[M],
        entity_or_entities: Sequence[M | Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> builtins.list[M]: ...

    @overload
    def save(
        self,
        table: type[M],
        entity_or_entities: M | Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> M: ...

    @overload
    def save(
        self,
        table: str | type[Any],
        entity_or_entities: Sequence[Any],
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> builtins.list[Record]: ...

    @overload
    def save(
        self,
        table: str | type[Any],
        entity_or_entities: Any,
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> Record: ...

    def save(
        self,
        table: str | type[Any],
        entity_or_entities: Any,
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> Any:
        """Upsert one entity or a list (``PUT``); returns what the server saved (model instances
        when ``table`` is a model class).

        ``relationships`` are cascade specs (strings or ``cascade_builder()`` results).
        ``db.save("User", {"id": "u1", "email": "a@example.com"})``. Never retried.
        """
        return self._as_model(
            table,
            self._send(
                self._write_request(
                    save_request,
                    table,
                    entity_or_entities,
                    relationships_of(options, relationships),
                )
            ),
        )

    def batch_save(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        batch_size: int = DEFAULT_BATCH_SIZE,
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> int:
        """Upsert any number of entities in chunks of ``batch_size``; returns how many were saved.

        Chunks are sent in order, one ``PUT`` each. If one fails, :class:`OnyxBatchError` says
        which chunks were committed (the failure is its ``__cause__``).
        ``db.batch_save("User", ({"id": str(i)} for i in range(10_000)))``
        """
        total = 0
        flow = self._batch_flow(
            table, entities, batch_size, relationships_of(options, relationships)
        )
        with closing(self._iterate(flow)) as answers:
            for size, _answer in answers:
                total += size
        return total

    @overload
    def insert(
        self,
        table: type[M],
        entity_or_entities: Sequence[M | Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> builtins.list[M]: ...

    @overload
    def insert(
        self,
        table: type[M],
        entity_or_entities: M | Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> M: ...

    @overload
    def insert(
        self,
        table: str | type[Any],
        entity_or_entities: Sequence[Any],
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> builtins.list[Record]: ...

    @overload
    def insert(
        self,
        table: str | type[Any],
        entity_or_entities: Any,
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> Record: ...

    def insert(
        self,
        table: str | type[Any],
        entity_or_entities: Any,
        options: Mapping[str, Any] | None = None,
        *,
        relationships: Relationships = None,
    ) -> Any:
        """Create new records only (``POST``); an existing id raises :class:`OnyxConflictError`.

        ``db.insert("User", [{"id": "u1"}, {"id": "u2"}])``
        """
        return self._as_model(
            table,
            self._send(
                self._write_request(
                    insert_request,
                    table,
                    entity_or_entities,
                    relationships_of(options, relationships),
                )
            ),
        )

    @overload
    def create(
        self,
        table: type[M],
        entity: M | Mapping[str, Any],
    ) -> M: ...

    @overload
    def create(
        self,
        table: str | type[Any],
        entity: Any,
    ) -> Record: ...

    def create(self, table: str | type[Any], entity: Any) -> Any:
        """Atomically create exactly one record; :class:`OnyxConflictError` if the id exists.

        ``db.create("User", {"id": "u1", "email": "a@example.com"})``
        """
        return self._as_model(table, self._send(self._create_request(table, entity)))

    @overload
    def find_by_id(
        self,
        table: type[M],
        primary_key: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> M | None: ...

    @overload
    def find_by_id(
        self,
        table: str | type[Any],
        primary_key: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Record | None: ...

    def find_by_id(
        self,
        table: str | type[Any],
        primary_key: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Any:
        """The record with ``primary_key`` (a model instance for a model class), or ``None``.

        An unknown table still raises :class:`OnyxNotFoundError`.
        ``db.find_by_id("User", "u1", resolvers=["roles", "roles.permissions"])``
        """
        try:
            found = self._send(self._find_request(table, primary_key, partition, resolvers))
        except OnyxNotFoundError as exc:
            if is_record_miss(exc):
                return None
            raise
        return self._as_model(table, found)

    @overload
    def delete(
        self,
        table: str | type[Any],
        primary_key: str | int,
        options: Mapping[str, Any] | None = None,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: Literal[False] = False,
    ) -> bool: ...

    @overload
    def delete(
        self,
        table: str | type[Any],
        primary_key: str | int,
        options: Mapping[str, Any] | None = None,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: Literal[True],
    ) -> Any: ...

    def delete(
        self,
        table: str | type[Any],
        primary_key: str | int,
        options: Mapping[str, Any] | None = None,
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
        opts = dict(options or {})
        request = self._delete_request(
            table,
            primary_key,
            partition if partition is not None else opts.get("partition"),
            relationships_of(opts, relationships),
            return_graph,
        )
        answer = self._send(request)
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
        return validation_result(answer)

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

    def diff_schema(self, local_schema: Mapping[str, Any] | str | PathLike[str]) -> SchemaDiff:
        """How ``local_schema`` (a mapping or a JSON file path) differs from the server's schema.

        ``diff = db.diff_schema("onyx.schema.json"); print(diff.added_tables)``
        """
        remote = self._send(apis.schema_request(self.database_id))
        return self._schema_diff(remote, local_schema)

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

    @overload
    def chat(
        self,
        content: str,
        options: Mapping[str, Any] | None = None,
        *,
        messages: None = None,
        model: str | None = None,
        stream: Literal[False, None] = None,
        database_id: str | None = None,
        raw: Literal[False, None] = None,
        role: str | None = None,
        **extra: Any,
    ) -> str: ...

    @overload
    def chat(
        self,
        content: Messages | Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        messages: Iterable[Mapping[str, Any]] | None = None,
        model: str | None = None,
        stream: bool | None = None,
        database_id: str | None = None,
        raw: bool | None = None,
        role: str | None = None,
        **extra: Any,
    ) -> Any: ...

    def chat(
        self,
        content: Messages | Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        messages: Iterable[Mapping[str, Any]] | None = None,
        model: str | None = None,
        stream: bool | None = None,
        database_id: str | None = None,
        raw: bool | None = None,
        role: str | None = None,
        **extra: Any,
    ) -> Any:
        """The assistant's reply text to a prompt (``choices[0].message.content``).

        Raises :class:`OnyxDecodeError` if the reply has no content. ``db.chat("Hello")``

        The official SDK's forms work too: ``stream=True`` (an :class:`ChatStream` of
        chunks), ``raw=True`` (the whole completion), ``role=``, an ``options`` dict, a request
        dict (``db.chat({"model", "messages"})``, the completion), ``messages=`` with ``model=``
        (the completion), and no argument at all (``db.ai.chat_client()``).
        """
        body = {**(options or {}), **extra}
        if content is None and messages is None:
            if model is None and stream is None and raw is None and not body:
                return self.ai.chat_client()
            raise OnyxUsageError("chat() needs a prompt, messages= or a request dict")
        if isinstance(content, Mapping):
            return self.ai.chat(content, options, database_id=database_id)
        if messages is not None:
            prompt: Messages = builtins.list(messages)
            raw = True
        elif isinstance(content, str) and role is not None:
            prompt = [{"role": role, "content": content}]
        else:
            prompt = content if content is not None else []
        if stream:
            return self.ai.chat(prompt, model=model, stream=True, database_id=database_id, **body)
        answer = self.ai.chat(prompt, model=model, database_id=database_id, **body)
        return answer if raw else chat_content(answer)

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

    def save(self, table: str | type[Any], entity_or_entities: Any) -> Any:
        """``db.save(table, entity_or_entities, relationships=specs)``: one entity or a list."""
        return self._db.save(table, entity_or_entities, relationships=list(self._specs))

    def delete(
        self,
        table: str | type[Any],
        primary_key: str | int,
        *,
        partition: str | None = None,
        return_graph: bool = False,
        **options: Any,
    ) -> Any:
        """``db.delete(table, primary_key, relationships=specs)``; ``True``, or the deleted graph.
        ``options`` takes the official SDK's ``partition=`` spelling only."""
        unknown = sorted(set(options) - {"partition"})
        if unknown:
            raise OnyxUsageError(f"cascade delete got unknown options: {', '.join(unknown)}")
        partition = partition if partition is not None else options.get("partition")
        request = self._db._delete_request(
            table, primary_key, partition, list(self._specs), return_graph
        )
        answer = self._db._send(request)
        return answer if return_graph else True
