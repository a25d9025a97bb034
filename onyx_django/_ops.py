"""The requests a queryset makes, as data, and the two drivers that run a queryset "flow".

Every terminal method of :class:`~onyx_django.OnyxQuerySet` is written once as a generator that
yields operations and receives their results; :func:`run` executes it with the alias's sync
client and :func:`arun` with its async client, so ``qs.get()`` and ``await qs.aget()`` share
every line of logic::

    def _count_flow(self):
        matching = yield Query(spec, "default", "count")
        return matching
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from onyx_database import AsyncOnyxDatabase, AsyncQueryBuilder, OnyxDatabase, QueryBuilder
from onyx_database._query import QuerySpec

from ._connections import connections
from ._errors import django_errors

__all__ = ["Call", "Flow", "Insert", "Op", "Query", "arun", "run"]

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


def run(flow: Flow[R]) -> R:
    """Drive ``flow`` with the sync clients. An operation's error is raised inside the flow,
    as the Django exception Django code catches (a 409 is an ``IntegrityError``)."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            op = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            result: R = stop.value
            return result
        value, error = None, None
        try:
            with django_errors():
                value = op.run(connections[op.using])
        except Exception as exc:
            error = exc


async def arun(flow: Flow[R]) -> R:
    """Drive ``flow`` with the running loop's async clients."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            op = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            result: R = stop.value
            return result
        value, error = None, None
        try:
            with django_errors():
                value = await op.arun(connections.async_pool(op.using))
        except Exception as exc:
            error = exc
