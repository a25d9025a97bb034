"""The requests a queryset makes, as data, and the two drivers that run a queryset "flow".

Every terminal method of :class:`~onyx_django.OnyxQuerySet` is written once as a generator that
yields operations and receives their results; :func:`run` executes it with the alias's sync
client and :func:`arun` with its async client (through the core SDK's flow drivers), so
``qs.get()`` and ``await qs.aget()`` share every line of logic::

    def _count_flow(self):
        matching = yield Query(spec, "default", "count")
        return matching
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from contextlib import aclosing, closing
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from onyx_database import (
    AsyncOnyxDatabase,
    AsyncQueryBuilder,
    OnyxDatabase,
    QueryBuilder,
    QuerySpec,
)
from onyx_database.flows import Emit, adrive, drive

from ._connections import connections
from ._errors import django_errors

__all__ = ["Call", "Flow", "Insert", "Op", "PageOp", "Query", "arun", "run"]

R = TypeVar("R")


class Op:
    """One request (or instance call) of a flow."""

    using: str

    def run(self, db: OnyxDatabase) -> Any:
        raise NotImplementedError

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        raise NotImplementedError


Flow = Generator[Op, Any, R]


@dataclass(frozen=True, slots=True)
class Query(Op):
    """One terminal of the core builder on ``spec``: ``list`` (every record, all pages up to
    its limit), ``count``, ``update`` (``spec`` carries the updates) or ``delete``."""

    spec: QuerySpec
    using: str
    terminal: Literal["list", "count", "update", "delete"] = "list"

    def run(self, db: OnyxDatabase) -> Any:
        return getattr(QueryBuilder(db, self.spec), self.terminal)()

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await getattr(AsyncQueryBuilder(db, self.spec), self.terminal)()


@dataclass(frozen=True, slots=True)
class PageOp(Op):
    """One page of ``spec`` (``spec.page_size`` records): the first, or the one ``token``
    (a ``nextPage`` token of the same query) names."""

    spec: QuerySpec
    using: str
    token: str | None = None

    def run(self, db: OnyxDatabase) -> Any:
        return QueryBuilder(db, self.spec).page(self.token)

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await AsyncQueryBuilder(db, self.spec).page(self.token)


@dataclass(frozen=True, slots=True)
class Insert(Op):
    """A create-only insert: one record (``db.create``) or, with ``many``, a list
    (``db.insert``)."""

    table: Any
    data: Any
    using: str
    many: bool = False

    def run(self, db: OnyxDatabase) -> Any:
        return db.insert(self.table, self.data) if self.many else db.create(self.table, self.data)

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        if self.many:
            return await db.insert(self.table, self.data)
        return await db.create(self.table, self.data)


@dataclass(frozen=True, slots=True)
class Call(Op):
    """A call on a model instance with a sync and an async form (``save`` / ``asave``)."""

    sync: Callable[[], Any]
    asynchronous: Callable[[], Awaitable[Any]]
    using: str

    def run(self, db: OnyxDatabase) -> Any:
        return self.sync()

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await self.asynchronous()


def _emitting(flow: Flow[R]) -> Generator[Any, Any, None]:
    """``flow`` for the core's drivers: its return value is emitted as its one output."""
    result = yield from flow
    yield Emit(result)


def _perform(op: Op) -> Any:
    with django_errors():
        return op.run(connections[op.using])


async def _aperform(op: Op) -> Any:
    with django_errors():
        return await op.arun(connections.async_pool(op.using))


def run(flow: Flow[R]) -> R:
    """Drive ``flow`` with the sync clients (the core's driver). An operation's error is raised
    inside the flow, as the Django exception Django code catches (a 409 is an
    ``IntegrityError``)."""
    with closing(drive(_emitting(flow), _perform)) as outputs:
        for result in outputs:
            return cast("R", result)
    raise AssertionError("a queryset flow ended without a result")  # pragma: no cover


async def arun(flow: Flow[R]) -> R:
    """Drive ``flow`` with the running loop's async clients (the core's async driver)."""
    async with aclosing(adrive(_emitting(flow), _aperform)) as outputs:
        async for result in outputs:
            return cast("R", result)
    raise AssertionError("a queryset flow ended without a result")  # pragma: no cover
