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

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from . import _vector as vector
from ._built import built
from ._conditions import Condition, Sort, condition_from_wire, ensure_condition, search
from ._errors import OnyxUsageError
from ._models import Record, instantiate, is_model_class, record_builder
from ._request import (
    Request,
    count_request,
    delete_query_request,
    query_page_request,
    update_query_request,
)
from ._serialize import to_wire
from ._stream_protocol import StreamListeners, stream_request

__all__ = [
    "ALL_TABLES",
    "MAX_PAGE_SIZE",
    "BaseQueryBuilder",
    "Page",
    "QueryResults",
    "QuerySpec",
    "compile_select",
    "compile_update",
    "decode_records",
    "is_model_class",
    "spec_from_select",
    "table_name",
    "table_spec",
    "validate_model",
]

T = TypeVar("T")

MAX_PAGE_SIZE = 1000

ALL_TABLES = "ALL"
"""The table of a search across every SEARCHABLE table (``db.search(...)``)."""


def validate_model(model: Any, data: Any, where: str) -> Any:
    """``data`` as a ``model`` instance (pydantic ``model_validate``, or ``model(**data)`` for a
    plain class); a failure becomes :class:`OnyxDecodeError`."""
    return instantiate(model, data, where)


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
    updates: tuple[tuple[str, Any], ...] | None = None
    model: type[Any] | None = None
    resolver_models: tuple[tuple[str, type[Any]], ...] = ()
    listeners: StreamListeners | None = None
    next_page: str | None = None
    attribute_records: bool = False


_SPEC_SLOTS = tuple((f.name, vars(QuerySpec)[f.name]) for f in dataclasses.fields(QuerySpec))
_SPEC_NAMES = frozenset(name for name, _ in _SPEC_SLOTS)


def _replaced(spec: QuerySpec, changes: Mapping[str, Any]) -> QuerySpec:
    """``dataclasses.replace(spec, **changes)`` through the slots: every chained builder call
    makes one, and ``replace`` (16 fields through a frozen ``__init__``) dominated building.

    >>> _replaced(QuerySpec(table="User"), {"limit": 5})
    QuerySpec(table='User', fields=None, conditions=None, sort=(), limit=5, ...)
    """
    if not changes.keys() <= _SPEC_NAMES:
        raise TypeError(f"QuerySpec has no field {sorted(changes.keys() - _SPEC_NAMES)[0]!r}")
    clone = object.__new__(QuerySpec)
    for name, slot in _SPEC_SLOTS:
        slot.__set__(clone, changes[name] if name in changes else slot.__get__(spec))
    return clone


def table_spec(table: str | type[Any] | None, models: Mapping[str, type[Any]]) -> QuerySpec:
    """The spec of ``db.from_table(table)``: records as ``table`` when it is a model class, as
    the class ``models`` (``init(schema=...)``) maps a table name to, else dicts (:class:`Record`
    dicts when a map is configured).

    >>> class User: ...
    >>> table_spec("User", {"User": User}).model is User, table_spec("Role", {}).model
    (True, None)
    """
    if table is None:
        return QuerySpec()
    name = table_name(table)
    if isinstance(table, type) and is_model_class(table):
        return QuerySpec(table=name, model=table, attribute_records=bool(models))
    if models:
        return QuerySpec(table=name, model=models.get(name), attribute_records=True)
    return QuerySpec(table=name)


def spec_from_select(table: str, select: Mapping[str, Any]) -> QuerySpec:
    """The spec a SelectQuery body describes (the official SDK's ``db.stream(table, select)``).

    >>> spec_from_select("User", {"fields": ["id"], "limit": 5}).fields
    ('id',)
    """
    conditions = select.get("conditions")
    sort = tuple(
        item if isinstance(item, Sort) else Sort(str(item["field"]), item.get("order", "ASC"))
        for item in select.get("sort") or ()
    )
    fields, group_by, resolvers = (select.get(key) for key in ("fields", "groupBy", "resolvers"))
    return QuerySpec(
        table=table,
        fields=tuple(fields) if fields is not None else None,
        conditions=condition_from_wire(conditions) if conditions is not None else None,
        sort=sort,
        limit=select.get("limit"),
        distinct=bool(select.get("distinct")),
        group_by=tuple(group_by) if group_by is not None else None,
        partition=select.get("partition"),
        resolvers=tuple(resolvers) if resolvers is not None else None,
    )


def effective_partition(spec: QuerySpec, default: str | None) -> str | None:
    """The builder's partition, else the client default (never the default for ``ALL``)."""
    if spec.partition:
        return spec.partition
    return None if spec.table == ALL_TABLES else default


def compile_update(
    spec: QuerySpec, *, partition: str | None, nested: bool = False
) -> dict[str, Any]:
    """The UpdateQuery body (the TypeScript SDK's keys; ``table`` only when nested).

    >>> compile_update(QuerySpec(table="User", updates=(("active", False),)), partition=None)
    {'type': 'UpdateQuery', 'conditions': None, 'updates': {'active': False}, 'sort': None, 'limit': None, 'partition': None}
    """  # noqa: E501
    body: dict[str, Any] = {"type": "UpdateQuery"}
    if nested:
        body["table"] = spec.table
    body.update(
        {
            "conditions": spec.conditions.to_wire() if spec.conditions is not None else None,
            "updates": dict(spec.updates or ()),
            "sort": [item.to_wire() for item in spec.sort] if spec.sort else None,
            "limit": spec.limit,
            "partition": partition,
        }
    )
    return body


def _typed_resolvers(spec: QuerySpec, record: dict[str, Any]) -> dict[str, Any]:
    if not spec.resolver_models:
        return record
    record = dict(record)
    for name, model in spec.resolver_models:
        value = record.get(name)
        if isinstance(value, list):
            record[name] = [
                validate_model(model, item, f"resolver {name!r}")
                if isinstance(item, dict)
                else item
                for item in value
            ]
        elif isinstance(value, dict):
            record[name] = validate_model(model, value, f"resolver {name!r}")
    return record


def _keep_resolvers(names: tuple[str, ...], instance: Any, record: dict[str, Any]) -> Any:
    # A model without the resolver's field (a pydantic model ignoring extras) still carries it.
    for name in names:
        if name in record and not hasattr(instance, name):
            with contextlib.suppress(AttributeError, TypeError):
                object.__setattr__(instance, name, record[name])
    return instance


def decode_records(spec: QuerySpec, records: list[Any]) -> list[Any]:
    """Records as the builder promises them: model instances for whole-entity queries on a model
    class (resolver fields included), dicts for projections, aggregates and ``ALL`` searches
    (:class:`Record` dicts under an ``init(schema=...)`` map); typed resolver values.
    """
    if spec.model is None and not spec.resolver_models and not spec.attribute_records:
        return records
    build: Any = None
    if spec.model is not None and spec.fields is None and spec.table != ALL_TABLES:
        build = record_builder(spec.model, f"a {spec.table} record")
    elif spec.attribute_records:
        build = Record
    keep = tuple(name.split(".", 1)[0] for name in spec.resolvers or ()) if build else ()
    if keep and build is Record:
        keep = ()
    out: list[Any] = []
    for record in records:
        if isinstance(record, dict):
            if spec.resolver_models:
                record = _typed_resolvers(spec, record)
            if build is not None:
                built = build(record)
                record = _keep_resolvers(keep, built, record) if keep else built
        out.append(record)
    return out


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


_PAGE_KEYS = {"records": "records", "nextPage": "next_page", "next_page": "next_page"}


class Page(BaseModel, Generic[T]):
    """One page of results (a pydantic model): ``records`` and the ``next_page`` token (``None``
    on the last page).

    Iterating a page walks its records only; pass ``next_page`` to ``page()`` for the next one::

        page = db.from_table("User").page_size(100).page()
        while page.next_page:
            page = db.from_table("User").page_size(100).page(page.next_page)

    It also reads as the official SDK's page dict (``{"records": [...], "nextPage": token}``),
    so code written for it keeps working:

    >>> page = Page(["u1", "u2"], "t2")
    >>> page["records"], page.get("nextPage"), page.get("next_page"), page.get("other", 0)
    (['u1', 'u2'], 't2', 't2', 0)
    >>> dict(page)
    {'records': ['u1', 'u2'], 'nextPage': 't2'}
    >>> page.model_dump(by_alias=True)
    {'records': ['u1', 'u2'], 'nextPage': 't2'}
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    records: list[T]
    next_page: str | None = Field(None, alias="nextPage")

    def __init__(self, records: list[T], next_page: str | None = None, **wire: Any) -> None:
        # Positional like the dataclass it was; ``model_validate`` passes the wire keys here.
        if "nextPage" in wire:
            next_page = wire.pop("nextPage")
        super().__init__(records=records, next_page=next_page, **wire)

    @classmethod
    def _decoded(cls, records: list[T], next_page: str | None) -> Page[T]:
        """A page of records the client already decoded: no second validation pass."""
        return built(cls, {"records": records, "next_page": next_page}, {"records", "next_page"})

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]  # the records, not the fields
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def has_next(self) -> bool:
        return self.next_page is not None

    # -- the official SDK's dict shape -----------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        attribute = _PAGE_KEYS.get(key)
        if attribute is None:
            raise KeyError(key)
        return getattr(self, attribute)

    def __contains__(self, key: object) -> bool:
        return key in ("records", "nextPage")

    def get(self, key: str, default: Any = None) -> Any:
        """``page["records"]`` / ``page["nextPage"]`` (or ``"next_page"``), else ``default``."""
        attribute = _PAGE_KEYS.get(key)
        return default if attribute is None else getattr(self, attribute)

    def keys(self) -> tuple[str, str]:
        """The official page dict's keys, so ``dict(page)`` is that dict."""
        return ("records", "nextPage")


class QueryResults(list[T]):
    """What ``list()`` returns: a plain list of every matching record (all pages), with the
    official SDK's helpers.

    >>> results = QueryResults([{"id": "u1", "email": "a@x"}, {"id": "u2", "email": None}])
    >>> results.values("email"), results.size(), results.first_or_none()["id"]
    (['a@x', None], 2, 'u1')
    >>> results.page() is None  # every page is already here
    True
    """

    __slots__ = ()

    def values(self, field: str) -> list[Any]:
        """``field`` of every record (item or attribute; ``None`` when missing)."""
        return [
            item.get(field) if isinstance(item, dict) else getattr(item, field, None)
            for item in self
        ]

    def first_or_none(self) -> T | None:
        """The first record, or ``None``."""
        return self[0] if self else None

    def size(self) -> int:
        """``len(results)``."""
        return len(self)

    def page(self, next_page: str | None = None) -> QueryResults[T] | None:
        """Always ``None``: ``list()`` already returned every page (the official SDK's
        ``list()`` returns one page and fetches the next here)."""
        return None


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
        if "conditions" in changes:
            vector.check_composition(changes["conditions"])
        clone = object.__new__(type(self))
        clone._db = self._db
        clone._spec = _replaced(self._spec, changes)
        return clone

    @property
    def spec(self) -> QuerySpec:
        """The frozen description of this query."""
        return self._spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._spec!r}>"

    # -- chaining ------------------------------------------------------------------------------

    def from_table(self, table: str | type[Any]) -> Self:
        """Set the table (a name or a model class). ``db.select("id").from_table("User")``

        Records keep the type this builder already has (dicts after ``db.select(...)``); start
        with ``db.from_table(Model)`` for model instances.
        """
        name = table_name(table)
        models = getattr(getattr(self._db, "config", None), "models", None)
        if not models or not isinstance(table, str):
            return self._with(table=name)
        # Under init(schema=...): the mapped class of the table, as the official SDK returns.
        model = models.get(name, self._spec.model)
        return self._with(table=name, model=model, attribute_records=True)

    def _select(self, fields: tuple[object, ...]) -> Self:
        names = _names(fields, "select")
        if not names:
            return self._with(fields=None)
        return self._with(fields=(self._spec.fields or ()) + names)

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

    def approximate_search(
        self,
        query_text_or_search: Any,
        min_score: Any = None,
        *,
        max_candidates: int = 1_000,
        require_all_terms: bool = True,
    ) -> Self:
        """Onyx Cloud's bounded lexical admission (``SEARCH_CANDIDATES``) as the sole root
        condition (see ``onyx_database._vector``; Onyx Local answers 501)."""
        condition = vector.approximate_search(
            query_text_or_search,
            min_score,
            max_candidates=max_candidates,
            require_all_terms=require_all_terms,
        )
        return self._sole_root(condition, "SEARCH_CANDIDATES")

    def hnsw_candidates(self, search_query: Any) -> Self:
        """Onyx Cloud's native HNSW nearest neighbours (``HNSW_CANDIDATES``) as the sole root
        condition (``search_query``: :func:`~onyx_database.hnsw_search_query` input)."""
        return self._sole_root(vector.hnsw_candidates(search_query), "HNSW_CANDIDATES")

    def approximate_candidates(
        self, attribute: str, value_or_values: Any, max_candidates: int = 1_000
    ) -> Self:
        """``and_(approximate_candidates(attribute, values, max_candidates))``."""
        return self.and_(vector.approximate_candidates(attribute, value_or_values, max_candidates))

    def _sole_root(self, condition: Condition, operator: str) -> Self:
        if self._spec.conditions is not None:
            raise OnyxUsageError(f"{operator} must be the sole root condition of the query")
        return self._with(conditions=condition)

    def and_where(self, condition: Condition) -> Self:
        """The official SDK's name of :meth:`and_`. ``.where(a).and_where(b)``"""
        return self.and_(condition)

    def or_(self, condition: Condition) -> Self:
        """``existing OR condition``; ``where(a).and_(b).or_(c)`` is ``OR(AND(a, b), c)``."""
        condition = ensure_condition(condition, "or_")
        if self._spec.conditions is None:
            return self._with(conditions=condition)
        return self._with(conditions=self._spec.conditions | condition)

    def order_by(self, *sorts: Sort | str | Mapping[str, Any]) -> Self:
        """Sort by ``asc(...)``/``desc(...)`` keys, or field names (ascending), appended in order.
        The official SDK's ``{"field", "direction"}`` dicts are accepted too.

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
            elif isinstance(item, Mapping):
                items.append(Sort.from_official(item))
            else:
                raise OnyxUsageError(
                    f"order_by expects asc(field), desc(field) or a field name, got {item!r}"
                )
        return self._with(sort=self._spec.sort + tuple(items))

    def limit(self, n: int) -> Self:
        """At most ``n`` records in total (across pages). ``.limit(25)``"""
        return self._with(limit=_positive_int(n, "limit", minimum=0))

    def page_size(self, n: int) -> Self:
        """Records per page (1..1000) for ``page``, ``list`` and iteration. ``.page_size(200)``"""
        return self._with(page_size=_positive_int(n, "page_size", minimum=1, maximum=MAX_PAGE_SIZE))

    def _paged(
        self, page_size: int | str | None, next_page: str | None, model: type[Any] | None
    ) -> tuple[Self, str | None]:
        """The query and start token of ``page()``/``list()``'s official-SDK arguments."""
        query = self
        if isinstance(page_size, str):  # page("token"): the token given first
            if next_page is not None:
                raise OnyxUsageError("page() got a page token twice")
            page_size, next_page = None, page_size
        if page_size is not None:
            query = query.page_size(page_size)
        if model is not None:
            if not isinstance(model, type):
                raise OnyxUsageError(f"model must be a class, got {model!r}")
            query = query._with(model=model)
        return query, next_page

    def next_page(self, token: str) -> Self:
        """Start ``page()``/``list()`` at this page token (from ``page.next_page``).

        ``db.from_table("User").page_size(50).next_page(token).page()``
        """
        if not isinstance(token, str) or not token:
            raise OnyxUsageError(f"next_page expects a non-empty token, got {token!r}")
        return self._with(next_page=token)

    def group_by(self, *fields: str) -> Self:
        """Group aggregate selections by these fields (appended).

        ``db.select("status", count("id")).from_table("User").group_by("status")``
        """
        if not fields:
            raise OnyxUsageError("group_by needs at least one field name")
        names = _names(fields, "group_by")
        return self._with(group_by=(self._spec.group_by or ()) + names)

    def distinct(self, value: bool = True) -> Self:
        """Only distinct rows (of the selected fields). ``db.select("status").from_table("User")
        .distinct()``"""
        if not isinstance(value, bool):
            raise OnyxUsageError(f"distinct expects a bool, got {value!r}")
        return self._with(distinct=value)

    def resolve(self, *resolvers: str | tuple[str, type[Any]]) -> Self:
        """Attach resolver results to each record (appended; dotted names nest).

        A ``(name, ModelClass)`` pair also turns that resolver's values into model instances::

            db.from_table("User").resolve("roles.permissions", ("profile", Profile)).list()
        """
        if not resolvers:
            raise OnyxUsageError("resolve needs at least one resolver name")
        names: list[str] = []
        models: list[tuple[str, type[Any]]] = []
        for item in resolvers:
            if isinstance(item, tuple):
                model = item[1] if len(item) == 2 else None
                if not isinstance(model, type) or model.__module__ == "builtins":
                    raise OnyxUsageError(
                        "resolve expects a name or a (name, ModelClass) pair (a pydantic model, "
                        f"or a class whose constructor takes the fields), got {item!r}"
                    )
                name = _names((item[0],), "resolve")[0]
                models.append((name, item[1]))
            else:
                name = _names((item,), "resolve")[0]
            names.append(name)
        return self._with(
            resolvers=(self._spec.resolvers or ()) + tuple(names),
            resolver_models=self._spec.resolver_models + tuple(models),
        )

    def search(
        self,
        query_text_or_search: Any,
        min_score: Any = None,
        *,
        mode: Any = None,
        match: Any = None,
        semantic: Any = None,
        nearby_bucket_radius: int | None = None,
        max_candidates: int | None = None,
        require_all_terms: bool | None = None,
    ) -> Self:
        """Full-text (Lucene) search on this table, ANDed with the other conditions.

        ``db.from_table("Article").search("python AND async", min_score=1.5).list()``

        The official SDK's high-level options (``mode``, ``match``, ``max_candidates``, or a
        ``SearchOptions`` dict as second argument) send its ``SEARCH`` condition; see
        :func:`~onyx_database.search`.
        """
        return self.and_(
            search(
                query_text_or_search,
                min_score,
                mode=mode,
                match=match,
                semantic=semantic,
                nearby_bucket_radius=nearby_bucket_radius,
                max_candidates=max_candidates,
                require_all_terms=require_all_terms,
            )
        )

    def set_updates(self, updates: Mapping[str, Any] | None = None, /, **fields: Any) -> Self:
        """The field values ``update()`` writes (merged into those set earlier).

        Values go through ``to_wire`` (datetimes, UUIDs, enums...).
        ``db.from_table("User").where(eq("status", "trial")).set_updates(status="active").update()``
        """
        if updates is not None and not isinstance(updates, Mapping):
            raise OnyxUsageError(f"set_updates expects a mapping, got {type(updates).__name__}")
        merged: dict[str, Any] = dict(self._spec.updates or ())
        items: dict[Any, Any] = dict(updates or {})
        items.update(fields)
        if not items:
            raise OnyxUsageError("set_updates needs at least one field to update")
        for key, value in items.items():
            if not isinstance(key, str) or not key.strip():
                raise OnyxUsageError(f"set_updates keys must be non-empty field names, got {key!r}")
            merged[key] = to_wire(value, f"updates.{key}")
        return self._with(updates=tuple(merged.items()))

    def in_partition(self, partition: str) -> Self:
        """Query this partition instead of the client's default. ``.in_partition("tenant-a")``"""
        if not isinstance(partition, str) or partition == "":
            raise OnyxUsageError(f"in_partition expects a non-empty string, got {partition!r}")
        return self._with(partition=partition)

    # -- live stream callbacks -------------------------------------------------------------------

    def _listen(self, name: str, callback: Any) -> Self:
        if not callable(callback):
            raise OnyxUsageError(f"{name} expects a callable, got {callback!r}")
        listeners = self._spec.listeners or StreamListeners()
        return self._with(listeners=dataclasses.replace(listeners, **{name: callback}))

    def on_item_added(self, fn: Any) -> Self:
        """Call ``fn(entity)`` for each CREATE of a live stream (see ``stream()``).

        ``db.from_table("User").on_item_added(lambda user: print(user)).stream()``
        """
        return self._listen("on_item_added", fn)

    def on_item_updated(self, fn: Any) -> Self:
        """Call ``fn(entity)`` for each UPDATE of a live stream."""
        return self._listen("on_item_updated", fn)

    def on_item_deleted(self, fn: Any) -> Self:
        """Call ``fn(entity)`` for each DELETE of a live stream (a record deleted, or updated so
        that it no longer matches)."""
        return self._listen("on_item_deleted", fn)

    def on_item(self, fn: Any) -> Self:
        """Call ``fn(entity, action)`` for every event, initial ``QUERY_RESPONSE`` results
        included (keep-alives excluded)."""
        return self._listen("on_item", fn)

    def on_error(self, fn: Any) -> Self:
        """Call ``fn(error)`` once when a live stream stops on an error (401, a bad query, a
        callback that raised)."""
        return self._listen("on_error", fn)

    def _stream_request(
        self, *, include_query_results: bool, keep_alive: bool, msgpack: bool
    ) -> Request:
        if self._table() == ALL_TABLES:
            raise OnyxUsageError("a live stream needs one table, not a search across ALL")
        self._refuse_read_only("a live stream")
        for name, value in (
            ("include_query_results", include_query_results),
            ("keep_alive", keep_alive),
        ):
            if not isinstance(value, bool):
                raise OnyxUsageError(f"{name} must be a bool, got {value!r}")
        return stream_request(
            self._db.database_id,
            self._table(),
            self.to_select_query(),
            include_query_results=include_query_results,
            keep_alive=keep_alive,
            msgpack=msgpack,
        )

    # -- compilation ---------------------------------------------------------------------------

    def _table(self) -> str:
        if self._spec.table is None:
            raise OnyxUsageError("this query has no table: call from_table(...) first")
        return self._spec.table

    def _partition(self) -> str | None:
        return effective_partition(self._spec, self._db.default_partition)

    def ensure_table(self) -> str:
        """The table of this query; :class:`OnyxUsageError` when ``from_table`` was not called."""
        return self._table()

    def to_select_query(self) -> dict[str, Any]:
        """The SelectQuery body this builder sends (handy for logging and tests)."""
        self._table()
        return compile_select(self._spec, partition=self._partition())

    def to_query_object(self) -> dict[str, Any]:
        """The official SDK's name of :meth:`to_sub_query` (the query as a nested value)."""
        return self.to_sub_query()

    def to_update_query(self) -> dict[str, Any]:
        """The UpdateQuery body ``update()`` sends; needs ``set_updates`` first."""
        self._table()
        if not self._spec.updates:
            raise OnyxUsageError("update() needs set_updates(...) first")
        return compile_update(self._spec, partition=self._partition())

    def to_sub_query(self) -> dict[str, Any]:
        """This query as a nested value of ``within``/``in_op``: the SelectQuery (or, with
        ``set_updates``, the UpdateQuery) object including its ``table``."""
        self._table()
        if self._spec.updates:
            return compile_update(self._spec, partition=self._partition(), nested=True)
        return self.to_select_query()

    def _page_request(self, next_page: str | None, spec: QuerySpec | None = None) -> Request:
        spec = spec or self._spec
        partition = effective_partition(spec, self._db.default_partition)
        return query_page_request(
            self._db.database_id,
            self._table(),
            compile_select(spec, partition=partition),
            page_size=spec.page_size,
            next_page=next_page or spec.next_page,
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

    def _update_request(self) -> Request:
        if self._table() == ALL_TABLES:
            raise OnyxUsageError("update() is not allowed on a search across ALL tables")
        self._refuse_read_only("update()")
        return update_query_request(
            self._db.database_id,
            self._table(),
            self.to_update_query(),
            partition=self._partition(),
        )

    def _delete_request(self) -> Request:
        if self._table() == ALL_TABLES:
            raise OnyxUsageError("delete() is not allowed on a search across ALL tables")
        self._refuse_read_only("delete()")
        return delete_query_request(
            self._db.database_id,
            self._table(),
            self.to_select_query(),
            partition=self._partition(),
        )

    def _refuse_read_only(self, operation: str) -> None:
        operator = vector.read_only_operator(self._spec.conditions)
        if operator is not None:
            raise OnyxUsageError(f"{operator} is read-only: a query with it cannot run {operation}")

    def _decode(self, records: list[Any]) -> list[T]:
        return decode_records(self._spec, records)
