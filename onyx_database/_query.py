"""The immutable query chain shared by the sync and async builders, and SelectQuery compilation.

A builder is a frozen :class:`QuerySpec` plus the database it will run on. Every chaining call
returns a *new* builder (``dataclasses.replace`` on the spec), so a builder stored in a module,
shared between threads or reused across requests never changes under you::

    active = db.from_table("User").where(eq("status", "active"))
    newest = active.order_by(desc("createdAt")).limit(10)   # `active` is unchanged

Invalid chains fail when they are built (``limit(-1)``, ``page_size(5000)``, ``where("x")``), not
when they are sent. Only the terminals (``page``, ``list``, ``first_or_none``, ``count``,
``values``, iteration) differ between :class:`~onyx_database.QueryBuilder` and
:class:`~onyx_database.AsyncQueryBuilder`; they live in the client modules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from ._conditions import Condition, Sort, ensure_condition
from ._errors import OnyxUsageError
from ._request import Request, count_request, query_page_request

__all__ = [
    "MAX_PAGE_SIZE",
    "BaseQueryBuilder",
    "Page",
    "QuerySpec",
    "compile_select",
    "table_name",
]

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


def table_name(table: object) -> str:
    """The Onyx table name for a string or a class (``__onyx_table__`` if set, else its name).

    >>> class User: ...
    >>> table_name(User), table_name("Role")
    ('User', 'Role')
    """
    if isinstance(table, str):
        if not table.strip():
            raise OnyxUsageError("the table name must not be empty")
        return table
    if isinstance(table, type):
        explicit = getattr(table, "__onyx_table__", None)
        if isinstance(explicit, str) and explicit:
            return explicit
        return table.__name__
    raise OnyxUsageError(f"a table is a name or a model class, got {type(table).__name__}")


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """Everything a query chain has said so far. Frozen; builders replace it, never mutate it."""

    table: str | None = None
    fields: tuple[str, ...] | None = None
    conditions: Condition | None = None
    sort: tuple[Sort, ...] = ()
    limit: int | None = None
    distinct: bool = False
    group_by: tuple[str, ...] | None = None
    partition: str | None = None
    resolvers: tuple[str, ...] | None = None
    page_size: int | None = None


def compile_select(spec: QuerySpec, *, partition: str | None) -> dict[str, Any]:
    """The SelectQuery body, in the canonical (TypeScript SDK) form with every key present.

    ``partition`` is the effective partition (the builder's, else the client default).

    >>> compile_select(QuerySpec(table="User", limit=5), partition=None)["limit"]
    5
    """
    return {
        "type": "SelectQuery",
        "table": spec.table,
        "fields": list(spec.fields) if spec.fields is not None else None,
        "conditions": spec.conditions.to_wire() if spec.conditions is not None else None,
        "sort": [item.to_wire() for item in spec.sort] if spec.sort else None,
        "limit": spec.limit,
        "distinct": spec.distinct,
        "groupBy": list(spec.group_by) if spec.group_by is not None else None,
        "partition": partition,
        "resolvers": list(spec.resolvers) if spec.resolvers is not None else None,
    }


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results: ``records`` and the ``next_page`` token (``None`` on the last page).

    Iterating a page walks its records only; pass ``next_page`` to ``page()`` for the next one::

        page = db.from_table("User").page_size(100).page()
        while page.next_page:
            page = db.from_table("User").page_size(100).page(page.next_page)
    """

    records: list[T]
    next_page: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def has_next(self) -> bool:
        return self.next_page is not None


class QueryContext(Protocol):
    """What a builder needs from the database it belongs to."""

    @property
    def database_id(self) -> str: ...

    @property
    def default_partition(self) -> str | None: ...


def _positive_int(value: object, what: str, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OnyxUsageError(f"{what} must be an int, got {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise OnyxUsageError(f"{what} must be {bound}, got {value}")
    return value


def _names(values: tuple[object, ...], what: str) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise OnyxUsageError(f"{what} expects non-empty field names, got {value!r}")
    return tuple(str(value) for value in values)


class BaseQueryBuilder(Generic[T]):
    """The chaining half of a query builder. Subclasses add the terminals."""

    __slots__ = ("_db", "_spec")

    _db: QueryContext
    _spec: QuerySpec

    def __init__(self, db: QueryContext, spec: QuerySpec) -> None:
        self._db = db
        self._spec = spec

    def _with(self, **changes: Any) -> Self:
        clone = object.__new__(type(self))
        clone._db = self._db
        clone._spec = dataclasses.replace(self._spec, **changes)
        return clone

    @property
    def spec(self) -> QuerySpec:
        """The frozen description of this query."""
        return self._spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._spec!r}>"

    # -- chaining ------------------------------------------------------------------------------

    def from_table(self, table: str | type[Any]) -> Self:
        """Set the table (a name or a model class). ``db.select("id").from_table("User")``"""
        return self._with(table=table_name(table))

    def select(self, *fields: str) -> Self:
        """Return only these fields (dict records keyed by the field). ``.select("id", "email")``"""
        return self._with(fields=_names(fields, "select") or None)

    def where(self, condition: Condition) -> Self:
        """Filter by ``condition``; on a builder that already has one, the same as ``and_``.

        ``db.from_table("User").where(eq("status", "active"))``
        """
        condition = ensure_condition(condition, "where")
        if self._spec.conditions is None:
            return self._with(conditions=condition)
        return self._with(conditions=self._spec.conditions & condition)

    def and_(self, condition: Condition) -> Self:
        """``existing AND condition`` (flattened into an existing AND). ``.and_(gt("age", 18))``"""
        condition = ensure_condition(condition, "and_")
        if self._spec.conditions is None:
            return self._with(conditions=condition)
        return self._with(conditions=self._spec.conditions & condition)

    def or_(self, condition: Condition) -> Self:
        """``existing OR condition``; ``where(a).and_(b).or_(c)`` is ``OR(AND(a, b), c)``."""
        condition = ensure_condition(condition, "or_")
        if self._spec.conditions is None:
            return self._with(conditions=condition)
        return self._with(conditions=self._spec.conditions | condition)

    def order_by(self, *sorts: Sort | str) -> Self:
        """Sort by ``asc(...)``/``desc(...)`` keys, or field names (ascending), appended in order.

        ``.order_by(desc("createdAt"), "id")``
        """
        if not sorts:
            raise OnyxUsageError("order_by needs at least one asc(field), desc(field) or field")
        items: list[Sort] = []
        for item in sorts:
            if isinstance(item, Sort):
                items.append(item)
            elif isinstance(item, str) and item.strip():
                items.append(Sort(item, "ASC"))
            else:
                raise OnyxUsageError(
                    f"order_by expects asc(field), desc(field) or a field name, got {item!r}"
                )
        return self._with(sort=self._spec.sort + tuple(items))

    def limit(self, count: int) -> Self:
        """At most ``count`` records in total (across pages). ``.limit(25)``"""
        return self._with(limit=_positive_int(count, "limit", minimum=0))

    def page_size(self, size: int) -> Self:
        """Records per page (1..1000) for ``page``, ``list`` and iteration. ``.page_size(200)``"""
        return self._with(
            page_size=_positive_int(size, "page_size", minimum=1, maximum=MAX_PAGE_SIZE)
        )

    def in_partition(self, partition: str) -> Self:
        """Query this partition instead of the client's default. ``.in_partition("tenant-a")``"""
        if not isinstance(partition, str) or partition == "":
            raise OnyxUsageError(f"in_partition expects a non-empty string, got {partition!r}")
        return self._with(partition=partition)

    # -- compilation ---------------------------------------------------------------------------

    def _table(self) -> str:
        if self._spec.table is None:
            raise OnyxUsageError("this query has no table: call from_table(...) first")
        return self._spec.table

    def _partition(self) -> str | None:
        return self._spec.partition or self._db.default_partition

    def to_select_query(self) -> dict[str, Any]:
        """The SelectQuery body this builder sends (handy for logging and tests)."""
        self._table()
        return compile_select(self._spec, partition=self._partition())

    def _page_request(self, next_page: str | None, spec: QuerySpec | None = None) -> Request:
        spec = spec or self._spec
        partition = spec.partition or self._db.default_partition
        return query_page_request(
            self._db.database_id,
            self._table(),
            compile_select(spec, partition=partition),
            page_size=spec.page_size,
            next_page=next_page,
            partition=partition,
        )

    def _first_request(self) -> Request:
        return self._page_request(None, dataclasses.replace(self._spec, limit=1, page_size=None))

    def _count_request(self) -> Request:
        return count_request(
            self._db.database_id,
            self._table(),
            self.to_select_query(),
            partition=self._partition(),
        )
