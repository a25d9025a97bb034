"""The requests a queryset makes, as data, and the two drivers that run a queryset "flow".

Every terminal method of :class:`~onyx_django.OnyxQuerySet` is written once as a generator that
yields operations and receives their results; :func:`run` executes it with the alias's sync
client and :func:`arun` with its async client, so ``qs.get()`` and ``await qs.aget()`` share
every line of logic::

    def _count_flow(self):
        matching = yield Count(spec, "default")
        return matching
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from onyx_database import AsyncOnyxDatabase, AsyncQueryBuilder, OnyxDatabase, QueryBuilder
from onyx_database._query import QuerySpec

from ._connections import connections
from ._errors import django_errors

__all__ = ["Call", "Count", "Delete", "Fetch", "Flow", "Insert", "Op", "Update", "arun", "run"]

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
class Fetch(Op):
    """Every record of ``spec`` (all pages up to its limit), as dicts."""

    spec: QuerySpec
    using: str

    def run(self, db: OnyxDatabase) -> Any:
        return QueryBuilder(db, self.spec).list()

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await AsyncQueryBuilder(db, self.spec).list()


@dataclass(frozen=True, slots=True)
class Count(Op):
    """How many records match ``spec``'s conditions."""

    spec: QuerySpec
    using: str

    def run(self, db: OnyxDatabase) -> Any:
        return QueryBuilder(db, self.spec).count()

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await AsyncQueryBuilder(db, self.spec).count()


@dataclass(frozen=True, slots=True)
class Update(Op):
    """One update-by-query (``spec`` carries the updates); the count back."""

    spec: QuerySpec
    using: str

    def run(self, db: OnyxDatabase) -> Any:
        return QueryBuilder(db, self.spec).update()

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await AsyncQueryBuilder(db, self.spec).update()


@dataclass(frozen=True, slots=True)
class Delete(Op):
    """One delete-by-query; the count back."""

    spec: QuerySpec
    using: str

    def run(self, db: OnyxDatabase) -> Any:
        return QueryBuilder(db, self.spec).delete()

    async def arun(self, db: AsyncOnyxDatabase) -> Any:
        return await AsyncQueryBuilder(db, self.spec).delete()


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
