"""The asynchronous client, :class:`AsyncOnyxDatabase`, and its :class:`AsyncQueryBuilder`.

Real async I/O on :class:`httpx.AsyncClient` (no thread pool). Method names match the sync
client; the request building, pagination and batching are the same code (see ``_client`` and
``_flows``), only awaited.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from contextlib import aclosing
from os import PathLike
from types import TracebackType
from typing import Any, Literal, TypeVar, cast, overload

import httpx

from . import _data_apis as apis
from . import _writes
from ._ai import chat_content
from ._ai_client import AsyncOnyxAI, Messages
from ._cascade import CascadeRelationshipBuilder, cascade_specs
from ._client import (
    DEFAULT_BATCH_SIZE,
    CascadeSpec,
    DatabaseCore,
    M,
    Record,
    Relationships,
    _count,
    _field_of,
    _validation_result,
    as_model,
    is_record_miss,
)
from ._config import ResolvedConfig
from ._data_apis import Document
from ._errors import OnyxClientError, OnyxNotFoundError
from ._flows import Flow, adrive, pages_flow
from ._query import BaseQueryBuilder, Page
from ._request import RawResponse, Request, parse_page
from ._schema_diff import SchemaDiff
from ._stream import DEFAULT_IDLE_TIMEOUT, AsyncEventStream, AsyncStreamHandle, StreamSetup
from ._stream_protocol import ReconnectPolicy
from ._transport import UNSET, AsyncTransport, CallOptions

__all__ = ["AsyncCascadeWriter", "AsyncOnyxDatabase", "AsyncQueryBuilder"]

T = TypeVar("T")


class AsyncQueryBuilder(BaseQueryBuilder[T]):
    """An immutable query on an :class:`AsyncOnyxDatabase`; the terminals are awaitable.

    ::

        users = await db.from_table("User").where(eq("status", "active")).list()
        async for user in db.from_table("User").page_size(500):   # lazy, page by page
            ...
    """

    __slots__ = ()

    @property
    def _database(self) -> AsyncOnyxDatabase:
        return cast("AsyncOnyxDatabase", self._db)

    def select(self, *fields: str) -> AsyncQueryBuilder[Record]:
        """Return only these fields or expressions (appended); records become dicts."""
        return cast("AsyncQueryBuilder[Record]", self._select(fields))

    async def page(self, next_page: str | None = None) -> Page[T]:
        """One page: the first, or the one ``next_page`` names."""
        flow = pages_flow(self._page_request, next_page)
        async with aclosing(self._database._iterate(flow)) as pages:
            async for page in pages:
                return Page(self._decode(page.records), page.next_page)
        raise AssertionError("pages_flow emitted nothing")  # pragma: no cover

    async def list(self) -> builtins.list[T]:
        """Every matching record, across all pages."""
        return [record async for record in self]

    async def __aiter__(self) -> AsyncIterator[T]:
        """Iterate lazily, fetching one page at a time (memory bounded by ``page_size``)."""
        async with aclosing(self._database._iterate(pages_flow(self._page_request))) as pages:
            async for page in pages:
                for record in self._decode(page.records):
                    yield record

    async def first_or_none(self) -> T | None:
        """The first record (sends ``limit 1``), or ``None``. No ``where`` needed."""
        body = await self._database._send(self._first_request())
        records = self._decode(parse_page(body).records)
        return records[0] if records else None

    async def count(self) -> int:
        """How many records match."""
        return _count(await self._database._send(self._count_request()))

    async def values(self, field: str) -> builtins.list[Any]:
        """``field`` of every matching record, across all pages."""
        return [_field_of(record, field) async for record in self]

    async def update(self) -> int:
        """Apply ``set_updates`` to every matching record; returns how many. Never retried."""
        return _count(await self._database._send(self._update_request()))

    async def delete(self) -> int:
        """Delete every matching record; returns how many. Never retried."""
        return _count(await self._database._send(self._delete_request()))

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
    ) -> AsyncEventStream[T]:
        """Live changes as an async iterator of :class:`StreamEvent`; leaving the block closes
        the connection, terminal errors are raised::

            async with db.from_table("User").stream(include_query_results=True) as events:
                async for event in events:
                    print(event.action, event.entity)
        """
        db = self._database
        setup = self._stream_setup(include_query_results, keep_alive, reconnect, idle_timeout)
        return AsyncEventStream(setup, db._transport, db._call)

    def events(
        self,
        include_query_results: bool = False,
        keep_alive: bool = True,
        *,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> AsyncEventStream[T]:
        """The same as :meth:`stream`: ``async for event in query.events(): ...``."""
        return self.stream(
            include_query_results, keep_alive, reconnect=reconnect, idle_timeout=idle_timeout
        )

    async def stream_callbacks(
        self,
        include_query_results: bool = False,
        keep_alive: bool = True,
        *,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> AsyncStreamHandle:
        """Run the ``on_item_*`` callbacks (plain or ``async def``) in a task on this loop.

        ``handle = await db.from_table("User").on_item_added(notify).stream_callbacks()``;
        ``handle.cancel()`` stops it, ``await handle.join()`` waits, ``handle.error`` says why
        it stopped.
        """
        db = self._database
        setup = self._stream_setup(include_query_results, keep_alive, reconnect, idle_timeout)
        return db._transport.track(AsyncStreamHandle(setup, db._transport, db._call))


class AsyncOnyxDatabase(DatabaseCore):
    """An asyncio/trio Onyx client over one pooled :class:`httpx.AsyncClient`.

    Create it with :func:`onyx_database.init_async`::

        async with onyx_database.init_async(database_id="db", api_key="k", api_secret="s") as db:
            await db.save("User", {"id": "u1"})
            user = await db.find_by_id("User", "u1")
    """

    _transport: AsyncTransport
    _is_view: bool

    def __init__(
        self,
        config: ResolvedConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._init_view(config, config.partition, CallOptions())
        self._transport = AsyncTransport(config, transport=transport, http_client=http_client)
        self._is_view = False

    def __repr__(self) -> str:
        view = " view" if self._is_view else ""
        return f"<AsyncOnyxDatabase{view} {self.database_id!r} at {self._config.base_url}>"

    def with_options(
        self,
        *,
        partition: str | None = UNSET,
        request_timeout_seconds: float | None = UNSET,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncOnyxDatabase:
        """A light view sharing this client's connection pool; closing it closes nothing."""
        new_partition, call = self._view_options(partition, request_timeout_seconds, headers)
        view = object.__new__(AsyncOnyxDatabase)
        view._init_view(self._config, new_partition, call)
        view._transport = self._transport
        view._is_view = True
        return view

    async def aclose(self) -> None:
        """Close the connection pool (a no-op on a ``with_options`` view)."""
        if not self._is_view:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncOnyxDatabase:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, request: Request) -> Any:
        answer = await self._transport.send(request, self._call)
        if _writes.observing() and request.method != "GET":
            _writes.notify_write(self._transport, request, answer)
        return answer

    def _iterate(self, flow: Flow) -> AsyncGenerator[Any, None]:
        return adrive(flow, self._send)

    @overload
    def from_table(self, table: type[M]) -> AsyncQueryBuilder[M]: ...

    @overload
    def from_table(self, table: str | type[Any]) -> AsyncQueryBuilder[Record]: ...

    def from_table(self, table: str | type[Any]) -> AsyncQueryBuilder[Any]:
        """Start a query on ``table`` (a name, or a pydantic model class for model instances).

        ``await db.from_table("User").list()``
        """
        return AsyncQueryBuilder(self, self._query_spec(table))

    def select(self, *fields: str) -> AsyncQueryBuilder[Record]:
        """Start a projection; name the table next."""
        return AsyncQueryBuilder[Record](self, self._query_spec(None)).select(*fields)

    def search(self, text: str, min_score: float | None = None) -> AsyncQueryBuilder[Record]:
        """Full-text search across every SEARCHABLE table (``{"id", "entityType", "entity"}``)."""
        return AsyncQueryBuilder(self, self._search_spec(text, min_score))

    async def save(
        self,
        table: str | type[Any],
        entity: Any,
        *,
        relationships: Relationships = None,
    ) -> Any:
        """Upsert one entity or a list (``PUT``); returns what the server saved. Never retried."""
        return as_model(table, await self._send(self._save_request(table, entity, relationships)))

    async def batch_save(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        relationships: Relationships = None,
    ) -> int:
        """Upsert in chunks of ``batch_size``; returns how many were saved (see the sync one)."""
        flow = self._batch_flow(table, entities, batch_size, relationships)
        total = 0
        async with aclosing(self._iterate(flow)) as answers:
            async for size, _answer in answers:
                total += size
        return total

    async def insert(
        self,
        table: str | type[Any],
        entity: Any,
        *,
        relationships: Relationships = None,
    ) -> Any:
        """Create new records only (``POST``); an existing id raises ``OnyxConflictError``."""
        return as_model(table, await self._send(self._insert_request(table, entity, relationships)))

    async def create(self, table: str | type[Any], entity: Any) -> Any:
        """Atomically create exactly one record; ``OnyxConflictError`` if the id exists."""
        return as_model(table, await self._send(self._create_request(table, entity)))

    @overload
    async def find_by_id(
        self,
        table: type[M],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> M | None: ...

    @overload
    async def find_by_id(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Record | None: ...

    async def find_by_id(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Any:
        """The record with primary key ``pk``, or ``None``; an unknown table raises."""
        try:
            found = await self._send(self._find_request(table, pk, partition, resolvers))
        except OnyxNotFoundError as exc:
            if is_record_miss(exc):
                return None
            raise
        return as_model(table, found)

    @overload
    async def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: Literal[False] = False,
    ) -> bool: ...

    @overload
    async def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: Literal[True],
    ) -> Any: ...

    async def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Relationships = None,
        return_graph: bool = False,
    ) -> Any:
        """Delete one record; ``True``, or the deleted graph with ``return_graph=True``."""
        answer = await self._send(
            self._delete_request(table, pk, partition, relationships, return_graph)
        )
        return answer if return_graph else True

    def cascade(self, *specs: CascadeSpec) -> AsyncCascadeWriter:
        """Saves and deletes that cascade along ``specs``."""
        return AsyncCascadeWriter(self, cascade_specs(specs))

    def cascade_builder(self) -> CascadeRelationshipBuilder:
        """A builder for one cascade spec (see the sync client)."""
        return CascadeRelationshipBuilder()

    async def get_schema(self, tables: Sequence[str] | str | None = None) -> Record:
        """The current schema revision (``entityText`` removed), optionally only ``tables``."""
        answer: Record = apis.strip_entity_text(
            await self._send(apis.schema_request(self.database_id, tables))
        )
        return answer

    async def get_schema_history(self) -> builtins.list[Record]:
        """Every saved schema revision."""
        answer: builtins.list[Record] = apis.strip_entity_text(
            await self._send(apis.schema_history_request(self.database_id))
        )
        return answer

    async def validate_schema(self, schema: Mapping[str, Any]) -> Record:
        """Check ``schema`` without saving it: ``{"valid", "errors", "schema"?}``."""
        try:
            answer = await self._send(apis.validate_schema_request(self.database_id, schema))
        except OnyxClientError as exc:
            invalid = self._validation_answer(exc)
            if invalid is None:
                raise
            return invalid
        return _validation_result(answer)

    async def update_schema(
        self, schema: Mapping[str, Any], *, publish: bool = False, allow_data_loss: bool = False
    ) -> Record:
        """Save ``schema`` as a new revision (live with ``publish=True``; see the sync client
        for ``allow_data_loss``)."""
        request = apis.update_schema_request(
            self.database_id, schema, publish=publish, allow_data_loss=allow_data_loss
        )
        answer: Record = apis.strip_entity_text(await self._send(request))
        return answer

    async def diff_schema(self, local: Mapping[str, Any] | str | PathLike[str]) -> SchemaDiff:
        """How ``local`` (a mapping or a JSON file path) differs from the server's schema."""
        return self._schema_diff(await self._send(apis.schema_request(self.database_id)), local)

    async def list_secrets(self) -> builtins.list[Record]:
        """Metadata of every secret (no values)."""
        return apis.parse_secret_list(await self._send(apis.list_secrets_request(self.database_id)))

    async def get_secret(self, key: str) -> Record:
        """One secret with its ``value``; ``OnyxNotFoundError`` if there is none."""
        answer: Record = await self._send(apis.get_secret_request(self.database_id, key))
        return answer

    async def put_secret(
        self, key: str, value: str | Mapping[str, Any], purpose: str | None = None
    ) -> Record:
        """Create or replace a secret; returns its metadata. Values are never logged."""
        request = apis.put_secret_request(self.database_id, key, value, purpose)
        del value  # frame locals show in tracebacks (Sentry, rich): keep the secret out of them
        answer: Record = await self._send(request)
        return answer

    async def delete_secret(self, key: str) -> bool:
        """Delete a secret; returns ``True``."""
        await self._send(apis.delete_secret_request(self.database_id, key))
        return True

    async def save_document(self, doc: Mapping[str, Any] | None = None, /, **fields: Any) -> Record:
        """Store a document; ``content`` as bytes is sent base64."""
        body = apis.document_body(doc, fields)
        answer: Record = await self._send(apis.save_document_request(self.database_id, body))
        return answer

    async def get_document(
        self, document_id: str, *, width: int | None = None, height: int | None = None
    ) -> Document:
        """A stored document; ``.data`` holds its exact bytes."""
        raw: RawResponse = await self._send(
            apis.get_document_request(self.database_id, document_id, width=width, height=height)
        )
        return apis.parse_document(document_id, raw)

    async def delete_document(self, document_id: str) -> bool:
        """Delete a document; returns ``True``."""
        await self._send(apis.delete_document_request(self.database_id, document_id))
        return True

    @property
    def ai(self) -> AsyncOnyxAI:
        """The AI endpoints: ``await db.ai.chat(...)``."""
        return AsyncOnyxAI(self)

    async def chat(
        self, messages_or_text: Messages, *, model: str | None = None, **options: Any
    ) -> str:
        """The assistant's reply text (``choices[0].message.content``). ``await db.chat("Hi")``"""
        return chat_content(await self.ai.chat(messages_or_text, model=model, **options))

    async def get_models(self) -> Record:
        """Same as ``await db.ai.get_models()``."""
        return await self.ai.get_models()

    async def get_model(self, model_id: str) -> Record:
        """Same as ``await db.ai.get_model(model_id)``."""
        return await self.ai.get_model(model_id)

    async def request_script_approval(self, script: str) -> Record:
        """Same as ``await db.ai.request_script_approval(script)``."""
        return await self.ai.request_script_approval(script)


class AsyncCascadeWriter:
    """Async saves and deletes with cascade specs; from ``db.cascade(...)``. Immutable."""

    __slots__ = ("_db", "_specs")

    def __init__(self, db: AsyncOnyxDatabase, specs: tuple[str, ...]) -> None:
        self._db = db
        self._specs = specs

    @property
    def relationships(self) -> tuple[str, ...]:
        """The canonical specs this writer sends."""
        return self._specs

    def cascade(self, *specs: CascadeSpec) -> AsyncCascadeWriter:
        """A writer with more specs appended."""
        return AsyncCascadeWriter(self._db, self._specs + cascade_specs(specs))

    async def save(self, table: str | type[Any], entity: Any) -> Any:
        """``await db.save(table, entity, relationships=specs)``."""
        return await self._db.save(table, entity, relationships=list(self._specs))

    async def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        return_graph: bool = False,
    ) -> Any:
        """``await db.delete(table, pk, relationships=specs)``; ``True`` or the deleted graph."""
        answer = await self._db._send(
            self._db._delete_request(table, pk, partition, list(self._specs), return_graph)
        )
        return answer if return_graph else True
