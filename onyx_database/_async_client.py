"""The asynchronous client, :class:`AsyncOnyxDatabase`, and its :class:`AsyncQueryBuilder`.

Real async I/O on :class:`httpx.AsyncClient` (no thread pool). Method names match the sync
client; the request building, pagination and batching are the same code (see ``_client`` and
``_flows``), only awaited.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from contextlib import aclosing
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from ._client import DEFAULT_BATCH_SIZE, DatabaseCore, Record, _count, _field_of, is_record_miss
from ._config import ResolvedConfig
from ._errors import OnyxNotFoundError
from ._flows import Flow, adrive, pages_flow
from ._query import BaseQueryBuilder, Page
from ._request import Request, parse_page
from ._transport import UNSET, AsyncTransport, CallOptions

__all__ = ["AsyncOnyxDatabase", "AsyncQueryBuilder"]

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

    async def page(self, next_page: str | None = None) -> Page[T]:
        """One page: the first, or the one ``next_page`` names."""
        flow = pages_flow(self._page_request, next_page)
        async with aclosing(self._database._iterate(flow)) as pages:
            async for page in pages:
                return Page(page.records, page.next_page)
        raise AssertionError("pages_flow emitted nothing")  # pragma: no cover

    async def list(self) -> builtins.list[T]:
        """Every matching record, across all pages."""
        return [record async for record in self]

    async def __aiter__(self) -> AsyncIterator[T]:
        """Iterate lazily, fetching one page at a time (memory bounded by ``page_size``)."""
        async with aclosing(self._database._iterate(pages_flow(self._page_request))) as pages:
            async for page in pages:
                for record in page.records:
                    yield record

    async def first_or_none(self) -> T | None:
        """The first record (sends ``limit 1``), or ``None``. No ``where`` needed."""
        records: builtins.list[T] = parse_page(
            await self._database._send(self._first_request())
        ).records
        return records[0] if records else None

    async def count(self) -> int:
        """How many records match."""
        return _count(await self._database._send(self._count_request()))

    async def values(self, field: str) -> builtins.list[Any]:
        """``field`` of every matching record, across all pages."""
        return [_field_of(record, field) async for record in self]


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
        return await self._transport.send(request, self._call)

    def _iterate(self, flow: Flow) -> AsyncGenerator[Any, None]:
        return adrive(flow, self._send)

    def from_table(self, table: str | type[Any]) -> AsyncQueryBuilder[Record]:
        """Start a query on ``table``. ``await db.from_table("User").list()``"""
        return AsyncQueryBuilder(self, self._query_spec(table))

    def select(self, *fields: str) -> AsyncQueryBuilder[Record]:
        """Start a projection; name the table next."""
        return AsyncQueryBuilder(self, self._query_spec(None)).select(*fields)

    async def save(
        self,
        table: str | type[Any],
        entity: Any,
        *,
        relationships: Sequence[str] | str | None = None,
    ) -> Any:
        """Upsert one entity or a list (``PUT``); returns what the server saved. Never retried."""
        return await self._send(self._save_request(table, entity, relationships))

    async def batch_save(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        relationships: Sequence[str] | str | None = None,
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
        relationships: Sequence[str] | str | None = None,
    ) -> Any:
        """Create new records only (``POST``); an existing id raises ``OnyxConflictError``."""
        return await self._send(self._insert_request(table, entity, relationships))

    async def create(self, table: str | type[Any], entity: Any) -> Any:
        """Atomically create exactly one record; ``OnyxConflictError`` if the id exists."""
        return await self._send(self._create_request(table, entity))

    async def find_by_id(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        resolvers: Sequence[str] | str | None = None,
    ) -> Record | None:
        """The record with primary key ``pk``, or ``None``; an unknown table raises."""
        try:
            found: Record | None = await self._send(
                self._find_request(table, pk, partition, resolvers)
            )
        except OnyxNotFoundError as exc:
            if is_record_miss(exc):
                return None
            raise
        return found

    async def delete(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        partition: str | None = None,
        relationships: Sequence[str] | str | None = None,
    ) -> bool:
        """Delete one record; returns ``True``. A missing record raises ``OnyxNotFoundError``."""
        await self._send(self._delete_request(table, pk, partition, relationships))
        return True
