"""``OnyxQuerySet``: Django's QuerySet API over one Onyx table, a thin layer on the core builder.

::

    from onyx_django.models import OnyxModel       # or any pydantic model with a manager

    class Profile(OnyxModel):
        id: str
        age: int | None = None

    adults = Profile.onyx.filter(age__gte=18).exclude(bio__contains="bot").order_by("-age")
    adults[:10]; adults.count(); await adults.afirst()

A queryset holds an immutable core query builder (its conditions, sort, projection, limit) plus
what only Django has (the slice start, the ``values()`` shape, ``none()``). Chaining returns a
new queryset and sends nothing; evaluation binds the builder to the alias's client of the
moment. Every terminal method is one generator "flow" run by a sync or an async driver, so each
``x()`` and its ``ax()`` twin share their logic.

Results are cached per queryset *and per request*: within one request ``len(qs)`` then
``for row in qs`` send one query, as in Django, but a queryset kept on a class or in a module
never serves rows cached by an earlier request (the cache is dropped with the request's
connections on ``request_finished``).
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import json
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models as django_models
from django.db.models import Q
from django.db.models.signals import post_delete, pre_delete

from onyx_database import Condition, QueryBuilder, QuerySpec, Sort, in_op, not_null, table_name

from . import _fields
from ._connections import connections
from ._errors import MultipleObjectsReturned, NotSupportedError, ObjectDoesNotExist
from ._lookups import FieldTypes, condition_for_kwargs, condition_for_q
from ._ops import Call, Flow, Insert, Query, arun, run

__all__ = ["OnyxQuerySet"]

T = TypeVar("T")
_QS = TypeVar("_QS", bound="OnyxQuerySet[Any]")

REPR_OUTPUT_SIZE = 20
MAX_PAGE = 1000
_IN_BATCH = 500
# A slice that skips up to this many records fetches them whole in its one request; deeper
# slices first fetch only the ids up to their end, then their own records (two requests).
SKIP_INLINE = 100
Mode = Literal["model", "dict", "tuple", "flat", "named"]

_AGGREGATES = {
    "Count": "count",
    "Sum": "sum",
    "Avg": "avg",
    "Min": "min",
    "Max": "max",
    "StdDev": "std",
    "Variance": "variance",
}

if TYPE_CHECKING:

    class _Base(Generic[T]):
        pass

else:
    # At runtime a real Django QuerySet subclass: Django, DRF and django-filter test
    # ``isinstance(qs, QuerySet)`` (and then call ``.all()`` per request); every public method
    # is overridden below, and what Onyx cannot do raises NotSupportedError.
    class _Base(django_models.QuerySet, Generic[T]):
        pass


class _Unbound:
    """The context of a builder that is not tied to a client yet (bound at evaluation)."""

    database_id = ""
    default_partition: str | None = None


_UNBOUND = _Unbound()


@dataclass(frozen=True, slots=True)
class _Shape:
    """What Django has and the builder does not: slice start, row shape, none(), ordering."""

    low: int = 0
    mode: Mode = "model"
    names: tuple[str, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    loaded: tuple[str, ...] | None = None
    empty: bool = False
    default_ordering: bool = True
    prefetch: tuple[str, ...] = ()


class _ModelTypes(FieldTypes):
    def __init__(self, model: type[Any]) -> None:
        self.model = model

    def value(self, field: str, value: Any, lookup: str) -> Any:
        return _fields.lookup_value(self.model, field, value, lookup)

    def is_text(self, field: str) -> bool:
        return _fields.is_text_field(self.model, field)


class PrintableQuery:
    """``qs.query``: the request a queryset sends. ``str()`` gives the SelectQuery JSON."""

    def __init__(
        self,
        table: str,
        select: dict[str, Any],
        low: int,
        order_by: tuple[str, ...],
        annotations: Mapping[str, str] | None = None,
    ):
        self.table = table
        self.annotations: dict[str, str] = dict(annotations or {})
        self.select = select
        self.low_mark = low
        self.high_mark = select.get("limit")
        self.order_by = order_by
        self.distinct = bool(select.get("distinct"))

    @property
    def is_sliced(self) -> bool:
        return self.low_mark != 0 or self.high_mark is not None

    def __str__(self) -> str:
        text = json.dumps(self.select, sort_keys=True, default=str)
        skip = f" (skip {self.low_mark})" if self.low_mark else ""
        return f"PUT /data/{{db}}/query/{self.table}{skip} {text}"

    def __repr__(self) -> str:
        return f"<PrintableQuery {self}>"


_F = TypeVar("_F", bound=Callable[..., Any])


def _manager_only(function: _F) -> _F:
    function.queryset_only = True  # type: ignore[attr-defined]  # read by BaseManager
    return function


class OnyxQuerySet(_Base[T]):
    """A lazy, immutable, Django-style query over one Onyx table. Get one from a manager:
    ``Profile.onyx.filter(firstName__icontains="ada").order_by("-createdAt")[:10]``."""

    # Attributes Django code reads on any QuerySet (forms, prefetch): safe, inert defaults.
    _prefetch_related_lookups: tuple[str, ...] = ()
    _known_related_objects: dict[Any, Any] = {}
    _for_write = False
    _sticky_filter = False
    _fields: tuple[str, ...] | None = None
    _defer_next_filter = False
    _deferred_filter = None
    _hints: dict[str, Any] = {}

    def __init__(
        self,
        model: type[Any] | None = None,
        query: QueryBuilder[Any] | None = None,
        using: str | None = None,
        hints: Any = None,
        *,
        shape: _Shape | None = None,
    ) -> None:
        if model is None:
            raise TypeError("OnyxQuerySet needs its model: OnyxQuerySet(Model)")
        self.model = model
        self._using = using  # None: the alias ONYX_ROUTERS picks (else "default")
        if query is None:
            query = QueryBuilder(_UNBOUND, QuerySpec(table=table_name(model)))
            part = _fields.partition(model)
            if part:
                query = query.in_partition(part)
        self._query = query
        self._shape = shape or _Shape()
        self._cache: builtins.list[T] | None = None
        self._cache_epoch: object = None

    # -- cloning -------------------------------------------------------------------------------

    def _chain(
        self: _QS,
        query: QueryBuilder[Any] | None = None,
        using: str | None = None,
        **shape: Any,
    ) -> _QS:
        return type(self)(
            self.model,
            query if query is not None else self._query,
            using or self._using,
            shape=dataclasses.replace(self._shape, **shape) if shape else self._shape,
        )

    def _clone(self: _QS) -> _QS:
        return self._chain()

    def __deepcopy__(self: _QS, memo: dict[int, Any]) -> _QS:
        return self._chain()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"], state["_cache_epoch"] = None, None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def _spec(self) -> QuerySpec:
        return self._query.spec

    @property
    def _high(self) -> int | None:
        return self._spec.limit

    @property
    def _sliced(self) -> bool:
        return self._shape.low != 0 or self._high is not None

    def _not_sliced(self, what: str) -> None:
        if self._sliced:
            raise TypeError(f"Cannot {what} a query once a slice has been taken.")

    def _with_spec(self: _QS, **changes: Any) -> _QS:
        spec = dataclasses.replace(self._spec, **changes)
        return self._chain(QueryBuilder(_UNBOUND, spec))

    # -- fields --------------------------------------------------------------------------------

    @property
    def _pk(self) -> str:
        return _fields.identifier(self.model)

    def _resolve(self, name: str) -> str:
        if name == "pk":
            return self._pk
        names = _fields.field_names(self.model)
        if names is not None and name not in names:
            raise FieldError(
                f"Cannot resolve keyword {name!r} into field. Choices are: {', '.join(names)}"
            )
        return name

    def _source(self, name: str) -> str:
        """The record key a ``values()`` name reads: ``pk`` is the identifier's field (Django
        returns it under the name asked for, ``{"pk": ...}``); aggregates keep their alias."""
        if name == "pk" and name not in dict(self._shape.annotations):
            return self._pk
        return name

    def _condition(
        self, args: tuple[Q | Condition | Mapping[str, Any], ...], kwargs: Mapping[str, Any]
    ) -> Condition | None:
        types = _ModelTypes(self.model)
        result: Condition | None = None
        for arg in args:
            if isinstance(arg, Q):
                part = condition_for_q(arg, self._resolve, types)
            elif isinstance(arg, Condition):
                part = arg
            elif isinstance(arg, Mapping):
                part = condition_for_kwargs(arg, self._resolve, types)
            else:
                raise TypeError(
                    f"filter() arguments must be Q objects or Onyx conditions, got {arg!r}"
                )
            if part is not None:
                result = part if result is None else result & part
        keywords = condition_for_kwargs(kwargs, self._resolve, types)
        if keywords is not None:
            result = keywords if result is None else result & keywords
        return result

    def _filtered(self: _QS, condition: Condition | None) -> _QS:
        self._not_sliced("filter")
        if condition is None:
            return self._chain()
        return self._chain(self._query.where(condition))

    # -- chaining ------------------------------------------------------------------------------

    def all(self) -> OnyxQuerySet[T]:
        """A copy of this queryset (its results are fetched afresh)."""
        return self._chain()

    def using(self, alias: str) -> OnyxQuerySet[T]:
        """The same query on another ``settings.ONYX`` alias. ``Profile.onyx.using("analytics")``"""
        return self._chain(using=alias)

    def filter(self, *args: Q | Condition, **kwargs: Any) -> OnyxQuerySet[T]:
        """Records matching every lookup (and ``Q`` object or Onyx condition).

        ``Profile.onyx.filter(Q(age__gte=18) | Q(firstName="Ada"), bio__icontains="math")``
        """
        return self._filtered(self._condition(args, kwargs))

    def exclude(self, *args: Q | Condition, **kwargs: Any) -> OnyxQuerySet[T]:
        """Records not matching all of the lookups together. ``qs.exclude(status="banned")``"""
        condition = self._condition(args, kwargs)
        return self._filtered(None if condition is None else ~condition)

    def complex_filter(self, filter_obj: Q | Mapping[str, Any]) -> OnyxQuerySet[T]:
        """``filter()`` with one ``Q`` or a dict of lookups (``limit_choices_to``)."""
        return self._filtered(self._condition((filter_obj,), {}))

    def none(self) -> OnyxQuerySet[T]:
        """A queryset that matches nothing and never sends a request."""
        return self._chain(empty=True)

    def order_by(self, *fields: str) -> OnyxQuerySet[T]:
        """Replace the ordering: ``order_by("-createdAt", "id")``; ``order_by()`` clears it
        (the model's ``Meta.ordering`` too)."""
        self._not_sliced("reorder")
        sorts: builtins.list[Sort] = []
        for field in fields:
            if not isinstance(field, str):
                raise NotSupportedError(
                    f"order_by({field!r}): expressions are not supported by Onyx; use field names"
                )
            if field in ("", "-") or field.startswith("?"):
                raise NotSupportedError(
                    f"order_by({field!r}): random or empty ordering is not supported by Onyx"
                )
            name = field.removeprefix("-")
            if "__" in name:
                raise NotSupportedError(
                    f"order_by({field!r}): ordering across relations is not supported by Onyx"
                )
            if name in dict(self._shape.annotations):
                raise NotSupportedError(
                    f"order_by({field!r}): Onyx cannot sort by an aggregate; sort the rows in "
                    "Python (sorted(qs, key=...))"
                )
            sorts.append(Sort(self._resolve(name), "DESC" if field.startswith("-") else "ASC"))
        spec = dataclasses.replace(self._spec, sort=tuple(sorts))
        return self._chain(QueryBuilder(_UNBOUND, spec), default_ordering=False)

    def reverse(self) -> OnyxQuerySet[T]:
        """The ordering reversed (the model's ``Meta.ordering`` when there is no other)."""
        self._not_sliced("reverse")
        sorts = self._sorts()
        flipped = tuple(Sort(s.field, "ASC" if s.order == "DESC" else "DESC") for s in sorts)
        spec = dataclasses.replace(self._spec, sort=flipped)
        return self._chain(QueryBuilder(_UNBOUND, spec), default_ordering=False)

    def distinct(self, *field_names: str) -> OnyxQuerySet[T]:
        """Only distinct rows (of the ``values()`` fields). ``distinct("f")`` is PostgreSQL's
        ``DISTINCT ON`` and is not supported."""
        if field_names:
            raise NotSupportedError(
                "distinct(*fields) (DISTINCT ON) is not supported by Onyx; use "
                "values(*fields).distinct()"
            )
        self._not_sliced("create distinct fields")
        return self._chain(self._query.distinct())

    def _values(self: _QS, names: tuple[str, ...], mode: Mode) -> _QS:
        annotations = dict(self._shape.annotations)
        resolved = []
        for name in names:
            if name not in annotations:
                if "__" in name:
                    raise NotSupportedError(
                        f"values({name!r}): following relations is not supported by Onyx; use "
                        "select_related()/resolvers"
                    )
                self._resolve(name)
            resolved.append(name)
        if not resolved and mode in ("tuple", "flat", "named"):
            resolved = builtins.list(_fields.field_names(self.model) or ())
            if not resolved:
                raise TypeError("values_list() needs field names for a model without fields")
            resolved += [alias for alias in annotations if alias not in resolved]
        if not resolved and annotations:
            resolved = [*(_fields.field_names(self.model) or ()), *annotations]
        clone = self._chain(mode=mode, names=tuple(resolved), loaded=None)
        return clone._with_spec(fields=clone._selection())

    def values(self, *fields: str, **expressions: Any) -> OnyxQuerySet[dict[str, Any]]:
        """Dicts instead of model instances, with only ``fields`` when given (Onyx ``select``);
        values have the model's Python types (``datetime``, ``date``, ``Decimal``...)."""
        if expressions:
            raise NotSupportedError(
                "values(**expressions) is not supported by Onyx; use annotate() with aggregates"
            )
        return self._values(tuple(fields), "dict")  # type: ignore[return-value]

    def values_list(
        self, *fields: str, flat: bool = False, named: bool = False
    ) -> OnyxQuerySet[Any]:
        """Tuples of ``fields`` (every field when none is given); ``flat=True`` with one field:
        the bare values; ``named=True``: namedtuples ``Row(id=..., age=...)``."""
        if flat and named:
            raise TypeError("'flat' and 'named' can't be used together.")
        if flat and len(fields) > 1:
            raise TypeError(
                "'flat' is not valid when values_list is called with more than one field."
            )
        mode: Mode = "named" if named else "flat" if flat else "tuple"
        if flat and not fields:
            fields = (self._pk,)
        return self._values(tuple(fields), mode)

    def only(self, *fields: str) -> OnyxQuerySet[T]:
        """Model instances with only these fields (and the primary key) fetched; the others are
        deferred (see ``docs/django.md``)."""
        if not fields:
            raise TypeError("Cannot pass None as an argument to only().")
        names = tuple(dict.fromkeys([self._pk, *(self._resolve(f) for f in fields)]))
        clone = self._chain(loaded=names)
        return clone._with_spec(fields=names)

    def defer(self, *fields: str | None) -> OnyxQuerySet[T]:
        """Model instances without these fields; ``defer(None)`` clears deferrals."""
        if fields == (None,):
            return self._chain(loaded=None)._with_spec(fields=None)
        every = _fields.field_names(self.model)
        if every is None:
            raise NotSupportedError("defer() needs a model with declared fields")
        skipped = {self._resolve(f) for f in fields if f is not None} - {self._pk}
        current = self._shape.loaded or every
        names = tuple(name for name in current if name not in skipped)
        clone = self._chain(loaded=names)
        return clone._with_spec(fields=names)

    def select_related(self, *fields: str | None) -> OnyxQuerySet[T]:
        """Attach Onyx resolvers to each record (``select_related("roles")``): the resolver's
        value is set on the instance (or the dict) under its name, in the same request."""
        if fields == (None,):
            return self._with_spec(resolvers=None, resolver_models=())
        if not fields:
            raise NotSupportedError(
                "select_related() without names: Onyx has no foreign keys to follow; name the "
                "resolvers (select_related('roles'))"
            )
        names = [f.replace("__", ".") for f in fields if f is not None]
        return self._chain(self._query.resolve(*names), prefetch=(*self._shape.prefetch, *names))

    def prefetch_related(self, *lookups: Any) -> OnyxQuerySet[T]:
        """Resolvers, as :meth:`select_related` (Onyx resolves them server-side in the same
        request); ``Prefetch`` objects are not supported."""
        for lookup in lookups:
            if lookup is not None and not isinstance(lookup, str):
                raise NotSupportedError(
                    "Prefetch objects are not supported by Onyx; name the resolvers"
                )
        return self.select_related(*lookups)

    def annotate(self, *args: Any, **kwargs: Any) -> OnyxQuerySet[Any]:
        """Aggregates per group: ``values("status").annotate(n=Count("id"))`` groups by the
        ``values()`` fields (Onyx ``group by``). Per-record annotations are not supported."""
        self._not_sliced("annotate")
        added = self._aggregations(args, kwargs)
        if self._shape.mode == "model":
            raise NotSupportedError(
                "annotate() on model rows (per-record computed values) is not supported by "
                "Onyx; group with values('field').annotate(...), or use aggregate()"
            )
        annotations = dict(self._shape.annotations)
        for alias, expression in added:
            if alias in annotations or alias in (self._shape.names or ()):
                raise ValueError(f"The annotation {alias!r} conflicts with a field or annotation")
            annotations[alias] = expression
        group = tuple(n for n in self._shape.names if n not in annotations)
        clone = self._chain(
            annotations=tuple(annotations.items()),
            names=(*group, *(a for a in annotations if a not in group)),
        )
        spec_changes: dict[str, Any] = {"fields": clone._selection()}
        spec_changes["group_by"] = tuple(dict.fromkeys(map(self._source, group))) or None
        return clone._with_spec(**spec_changes)

    def alias(self, *args: Any, **kwargs: Any) -> OnyxQuerySet[T]:
        """Not supported: Onyx cannot filter on computed values."""
        raise NotSupportedError("alias() is not supported by Onyx; filter on stored fields")

    def extra(self, *args: Any, **kwargs: Any) -> OnyxQuerySet[T]:
        """Not supported: Onyx has no SQL."""
        raise NotSupportedError("extra() (raw SQL) is not supported by Onyx; use filter()")

    def raw(self, *args: Any, **kwargs: Any) -> Any:
        """Not supported: Onyx has no SQL."""
        raise NotSupportedError(
            "raw() (SQL) is not supported by Onyx; use the client's builder "
            "(onyx_django.connections[alias].from_table(...))"
        )

    def select_for_update(self, *args: Any, **kwargs: Any) -> OnyxQuerySet[T]:
        """Not supported: Onyx has no row locks."""
        raise NotSupportedError(
            "select_for_update() is not supported by Onyx (no row locks); use create() for "
            "create-only writes"
        )

    def _truncated_flow(
        self, field_name: str, kind: str, order: str, as_dates: bool
    ) -> Flow[builtins.list[Any]]:
        """The distinct values of ``field_name`` truncated to ``kind``, found by skip-scan:
        one single-record query per value found (the first record at or after the previous
        value's next period), plus one that finds nothing. Onyx has no date truncation, so
        this is how many requests it takes; it never reads the records in between."""
        if kind not in _TRUNCATIONS:
            raise NotSupportedError(
                f"{'dates' if as_dates else 'datetimes'}() with kind {kind!r}: Onyx can list "
                "'year', 'month' and 'day' (as ranges); use values_list(field, flat=True)"
            )
        if order not in ("ASC", "DESC"):
            raise ValueError("'order' must be either 'ASC' or 'DESC'.")
        name = self._resolve(field_name)
        scan = self.filter(**{f"{name}__isnull": False}).order_by(name)
        scan = scan.values_list(name, flat=True)
        found: builtins.list[Any] = []
        start: Any = None
        while True:
            page = scan if start is None else scan.filter(**{f"{name}__gte": start})
            rows = yield from page[:1]._rows_flow()
            if not rows:
                break
            period = _truncate(rows[0], kind)
            found.append(period.date() if as_dates and isinstance(period, datetime) else period)
            start = _next_period(period, kind)
        return found[::-1] if order == "DESC" else found

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> builtins.list[Any]:
        """The distinct ``year`` / ``month`` / ``day`` periods of ``field_name`` as dates
        (a list, evaluated now: one request per period found, plus one; see
        ``docs/django.md``). What the admin's ``date_hierarchy`` lists."""
        return run(self._truncated_flow(field_name, kind, order, as_dates=True))

    def datetimes(
        self, field_name: str, kind: str, order: str = "ASC", tzinfo: Any = None
    ) -> builtins.list[Any]:
        """:meth:`dates` as datetimes, truncated in the current time zone (``USE_TZ``) or
        ``tzinfo``."""
        with _timezone(tzinfo):
            return run(self._truncated_flow(field_name, kind, order, as_dates=False))

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        """Not supported: a queryset is not a SQL subquery."""
        raise NotSupportedError(
            "querysets as subquery values are not supported; pass a list (list(qs))"
        )

    # -- combining -----------------------------------------------------------------------------

    def _combinable(self, other: object, operator: str) -> OnyxQuerySet[Any]:
        if not isinstance(other, OnyxQuerySet) or other.model is not self.model:
            raise TypeError(f"Cannot combine queries on two different models with {operator}.")
        for side in (self, other):
            side._not_sliced("combine")
            if side._shape.mode != "model" or side._shape.annotations:
                raise NotSupportedError(
                    f"{operator} of values()/annotate() querysets is not supported"
                )
        return other

    def _combine(self, others: tuple[Any, ...], operator: str) -> OnyxQuerySet[T]:
        """``self`` combined with each of ``others`` into one condition (one query)."""
        matches = _NOTHING if self._shape.empty else self._spec.conditions
        for other in others:
            right = self._combinable(other, operator)
            matched = _NOTHING if right._shape.empty else right._spec.conditions
            matches = _combined_conditions(matches, matched, operator)
        if matches is _NOTHING:
            return self.none()
        spec = dataclasses.replace(self._spec, conditions=matches)
        return self._chain(QueryBuilder(_UNBOUND, spec), empty=False)

    def __or__(self, other: OnyxQuerySet[Any]) -> OnyxQuerySet[T]:
        """``qs1 | qs2``: records matching either (one query: ``OR`` of the conditions)."""
        return self._combine((other,), "|")

    def __and__(self, other: OnyxQuerySet[Any]) -> OnyxQuerySet[T]:
        """``qs1 & qs2``: records matching both."""
        return self._combine((other,), "&")

    def __xor__(self, other: OnyxQuerySet[Any]) -> OnyxQuerySet[T]:
        """``qs1 ^ qs2``: records matching exactly one of them."""
        return self._combine((other,), "^")

    def union(self, *others: OnyxQuerySet[Any], all: bool = False) -> OnyxQuerySet[T]:
        """Records of any of the querysets (``|``; the same model only). ``all=True`` would keep
        duplicates, which Onyx cannot; it raises."""
        if all:
            raise NotSupportedError("union(all=True) is not supported by Onyx; use union()")
        return self._combine(others, "|")

    def intersection(self, *others: OnyxQuerySet[Any]) -> OnyxQuerySet[T]:
        """Records in every queryset (``&``; the same model only)."""
        return self._combine(others, "&")

    def difference(self, *others: OnyxQuerySet[Any]) -> OnyxQuerySet[T]:
        """Records of this queryset in none of the others (the same model only)."""
        return self._combine(others, "difference()")

    # -- properties ----------------------------------------------------------------------------

    def _meta_ordering(self) -> tuple[str, ...]:
        meta = getattr(self.model, "_meta", None)
        ordering = getattr(meta, "ordering", None) or ()
        return tuple(o for o in ordering if isinstance(o, str))

    def _sorts(self) -> tuple[Sort, ...]:
        if self._spec.sort or not self._shape.default_ordering:
            return self._spec.sort
        return tuple(
            Sort(self._resolve(o.removeprefix("-")), "DESC" if o.startswith("-") else "ASC")
            for o in self._meta_ordering()
        )

    @property
    def ordered(self) -> bool:
        """Whether an ordering applies (``order_by`` or ``Meta.ordering``); Django's
        ``Paginator`` warns when it does not."""
        return bool(self._sorts()) or bool(self._shape.annotations and self._spec.group_by)

    @property
    def db(self) -> str:
        """The ``settings.ONYX`` alias this queryset reads from: the one given to ``using()``,
        else the one ``settings.ONYX_ROUTERS`` picks, else ``"default"``."""
        return self._using or connections.route(self.model)

    @property
    def _write_db(self) -> str:
        return self._using or connections.route(self.model, write=True)

    def _writing(self: _QS) -> _QS:
        """This queryset pinned to the alias writes go to (its reads too, as Django's
        ``get_or_create`` reads from the write database)."""
        return self if self._using else self._chain(using=self._write_db)

    @property
    def query(self) -> PrintableQuery:
        """The request this queryset sends (``print(qs.query)``)."""
        spec = self._final_spec()
        # no client is needed (nor created) to print a query: Django and third-party code
        # read ``qs.query`` at import time; the partition shown is the model's, if any
        select = QueryBuilder(_UNBOUND, spec).to_select_query()
        ordering = tuple(("-" if s.order == "DESC" else "") + s.field for s in spec.sort)
        return PrintableQuery(
            table_name(self.model), select, self._shape.low, ordering, dict(self._shape.annotations)
        )

    @classmethod
    def as_manager(cls) -> Any:
        """A manager class instance whose querysets are this class: ``onyx = MyQS.as_manager()``."""
        from ._manager import OnyxManager

        return OnyxManager.from_queryset(cls)()

    as_manager.queryset_only = True  # type: ignore[attr-defined]

    # -- compiling -----------------------------------------------------------------------------

    def _selection(self) -> tuple[str, ...] | None:
        shape = self._shape
        if shape.mode == "model":
            return shape.loaded
        annotations = dict(shape.annotations)
        if not shape.names:
            return None
        return tuple(
            dict.fromkeys(annotations.get(name, self._source(name)) for name in shape.names)
        )

    def _final_spec(self) -> QuerySpec:
        spec = self._spec
        sorts = self._sorts()
        if sorts != spec.sort:
            spec = dataclasses.replace(spec, sort=sorts)
        if spec.limit is not None:
            spec = dataclasses.replace(spec, page_size=min(max(spec.limit, 1), MAX_PAGE))
        return spec

    def _empty(self) -> bool:
        high = self._high
        return self._shape.empty or (high is not None and high <= self._shape.low)

    # -- rows ----------------------------------------------------------------------------------

    def _instances(self) -> Callable[[Any], Any]:
        """The function turning one fetched record into a row of this queryset: the model's
        ``from_record`` / ``from_db`` hook (``OnyxModel``), else ``model_validate``. Everything
        it needs is looked up once per evaluation, not per record."""
        model, alias, loaded = self.model, self.db, self._shape.loaded
        from_record = getattr(model, "from_record", None)
        if from_record is not None and loaded is None:
            return lambda record: from_record(alias, record) if isinstance(record, dict) else record
        from_db = getattr(model, "from_db", None)
        if from_db is not None:
            return lambda record: (
                from_db(alias, builtins.list(record), builtins.list(record.values()))
                if isinstance(record, dict)
                else record
            )
        validate = getattr(model, "model_validate", None)
        if validate is None:
            return lambda record: record
        prefetch = [name for name in self._shape.prefetch if "." not in name]
        names = _fields.field_names(model) or ()

        def build(record: Any) -> Any:
            if not isinstance(record, dict):
                return record
            if loaded is None:
                instance = validate(record)
            else:
                values = {n: _fields.python_value(model, n, record.get(n)) for n in loaded}
                instance = model.model_construct(_fields_set=set(values), **values)
                for name in names:
                    if name not in values:
                        instance.__dict__.pop(name, None)
            for name in prefetch:
                if name in record and name not in instance.__dict__:
                    object.__setattr__(instance, name, record[name])
            return instance

        return build

    def _shaped(self, records: builtins.list[Any]) -> builtins.list[Any]:
        shape = self._shape
        if shape.mode == "model":
            build = self._instances()
            return [build(record) for record in records]
        annotations = dict(shape.annotations)
        names = shape.names or _fields.field_names(self.model) or ()
        if not names and records:
            names = tuple(records[0])
        model, source = self.model, self._source

        def value(record: Mapping[str, Any], name: str) -> Any:
            if name in annotations:
                return record.get(name)
            field = source(name)
            return _fields.python_value(model, field, record.get(field))

        rows = [{name: value(record, name) for name in names} for record in records]
        if shape.mode == "dict":
            return rows
        if shape.mode == "flat":
            return [row[names[0]] for row in rows]
        if shape.mode == "named":
            row_type = namedtuple("Row", names, rename=True)  # type: ignore[misc]
            return [row_type(*row.values()) for row in rows]
        return [tuple(row.values()) for row in rows]

    def _rows_flow(self) -> Flow[builtins.list[Any]]:
        """Fetch this queryset's rows: one request, or for a slice that skips more than
        ``SKIP_INLINE`` records, an id-only request for the ids up to the slice's end and one
        request for the slice's records (Onyx has no offset)."""
        if self._empty():
            return []
        spec = self._final_spec()
        low = self._shape.low
        if self._shape.annotations:
            grouped = yield from self._grouped_flow(self._shape.annotations, spec.group_by or ())
            return self._shaped(grouped[low : spec.limit])
        if low == 0:
            records = yield Query(spec, self.db)
            return self._shaped(records)
        if low <= SKIP_INLINE or spec.distinct or spec.group_by or self._shape.annotations:
            records = yield Query(spec, self.db)
            return self._shaped(records[low:])
        pk = self._pk
        ids_spec = dataclasses.replace(spec, fields=(pk,), resolvers=None, resolver_models=())
        id_rows = yield Query(ids_spec, self.db)
        ids = [row.get(pk) for row in id_rows[low:]]
        if not ids:
            return []
        fields = spec.fields
        if fields is not None and pk not in fields:
            fields = (*fields, pk)
        page_spec = dataclasses.replace(
            spec, conditions=in_op(pk, ids), fields=fields, limit=None, page_size=None, sort=()
        )
        records = yield Query(page_spec, self.db)
        position = {key: index for index, key in enumerate(ids)}
        records.sort(key=lambda record: position.get(record.get(pk), len(position)))
        return self._shaped(records)

    def _fetch(self) -> builtins.list[T]:
        return run(self._rows_flow())

    async def _afetch(self) -> builtins.list[T]:
        return await arun(self._rows_flow())

    # -- the result cache (per request) ----------------------------------------------------------

    @property
    def _result_cache(self) -> builtins.list[T] | None:
        if self._cache is not None and self._cache_epoch is connections.epoch():
            return self._cache
        return None

    @_result_cache.setter
    def _result_cache(self, value: builtins.list[T] | None) -> None:
        self._cache = value
        self._cache_epoch = connections.epoch() if value is not None else None

    def _results(self) -> builtins.list[T]:
        cached = self._result_cache
        if cached is None:
            cached = self._fetch()
            self._result_cache = cached
        return cached

    async def _aresults(self) -> builtins.list[T]:
        cached = self._result_cache
        if cached is None:
            cached = await self._afetch()
            self._result_cache = cached
        return cached

    def _fetch_all(self) -> None:
        self._results()

    # -- evaluation ----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[T]:
        return iter(self._results())

    def __aiter__(self) -> AsyncIterator[T]:
        """``async for profile in Profile.onyx.filter(...)`` (results cached like ``__iter__``)."""

        async def records() -> AsyncIterator[T]:
            for record in await self._aresults():
                yield record

        return records()

    def __len__(self) -> int:
        return len(self._results())

    def __bool__(self) -> bool:
        return bool(self._results())

    def __repr__(self) -> str:
        data: builtins.list[Any] = builtins.list(self[: REPR_OUTPUT_SIZE + 1])
        if len(data) > REPR_OUTPUT_SIZE:
            data[-1] = "...(remaining elements truncated)..."
        return f"<OnyxQuerySet {data!r}>"

    @overload
    def __getitem__(self, key: int) -> T: ...
    @overload
    def __getitem__(self: _QS, key: slice) -> _QS: ...
    def __getitem__(self, key: int | slice) -> Any:
        """``qs[5]`` fetches one record; ``qs[10:20]`` is a lazy queryset (see "Slicing")."""
        if isinstance(key, bool) or not isinstance(key, int | slice):
            raise TypeError(
                f"QuerySet indices must be integers or slices, not {type(key).__name__}."
            )
        cached = self._result_cache
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise NotSupportedError("slices with a step are not supported by Onyx")
            start, stop = key.start or 0, key.stop
            if start < 0 or (stop is not None and stop < 0):
                raise ValueError("Negative indexing is not supported.")
            if cached is not None:
                return cached[start:stop]
        else:
            if key < 0:
                raise ValueError("Negative indexing is not supported.")
            if cached is not None:
                return cached[key]
            start, stop = key, key + 1
        low = self._shape.low + start
        high = None if stop is None else self._shape.low + stop
        if self._high is not None:
            high = self._high if high is None else min(high, self._high)
        query = self._query if high is None else self._query.limit(max(high, low))
        sliced = self._chain(query, low=low)
        if isinstance(key, int):
            rows = sliced._fetch()
            if not rows:
                raise IndexError("OnyxQuerySet index out of range")
            return rows[0]
        return sliced

    # -- reading terminals -----------------------------------------------------------------------

    def _count_flow(self) -> Flow[int]:
        cached = self._result_cache
        if cached is not None:
            return len(cached)
        if self._empty():
            return 0
        spec = self._final_spec()
        if spec.distinct or spec.group_by or self._shape.annotations:
            return len((yield from self._rows_flow()))
        matching: int = yield Query(dataclasses.replace(spec, limit=None), self.db, "count")
        available = max(matching - self._shape.low, 0)
        high = self._high
        return available if high is None else min(available, high - self._shape.low)

    def count(self) -> int:
        """How many records match (one count request, or the cached results' length)."""
        return run(self._count_flow())

    async def acount(self) -> int:
        """Async :meth:`count`."""
        return await arun(self._count_flow())

    def _exists_flow(self) -> Flow[bool]:
        cached = self._result_cache
        if cached is not None:
            return bool(cached)
        return bool((yield from self[:1]._only_pk()._rows_flow()))

    def _only_pk(self: _QS) -> _QS:
        if self._shape.mode != "model" or self._spec.distinct:
            return self
        return self._chain(mode="flat", names=(self._pk,))._with_spec(
            fields=(self._pk,), resolvers=None, resolver_models=()
        )

    def exists(self) -> bool:
        """Whether any record matches (fetches at most one id)."""
        return run(self._exists_flow())

    async def aexists(self) -> bool:
        """Async :meth:`exists`."""
        return await arun(self._exists_flow())

    def _contains_flow(self, obj: Any) -> Flow[bool]:
        if self._shape.mode != "model":
            raise TypeError("Cannot call QuerySet.contains() after .values() or .values_list().")
        if not isinstance(obj, self.model):
            raise TypeError(f"'obj' must be a {self.model.__name__} instance.")
        key = getattr(obj, self._pk, None)
        if key is None:
            raise ValueError("QuerySet.contains() cannot be used on unsaved objects.")
        cached = self._result_cache
        if cached is not None:
            return any(getattr(row, self._pk, None) == key for row in cached)
        return (yield from self.filter(pk=key)._exists_flow())

    def contains(self, obj: T) -> bool:
        """Whether ``obj`` (by primary key) is in the queryset."""
        return run(self._contains_flow(obj))

    async def acontains(self, obj: T) -> bool:
        """Async :meth:`contains`."""
        return await arun(self._contains_flow(obj))

    def _ordered_by_pk(self) -> OnyxQuerySet[T]:
        return self if self.ordered else self.order_by("pk")

    def _first_flow(self, last: bool) -> Flow[T | None]:
        query = self._ordered_by_pk()
        if last:
            query._not_sliced("reverse")
            query = query.reverse()
        rows = yield from query[:1]._rows_flow()
        return rows[0] if rows else None

    def first(self) -> T | None:
        """The first record (by the ordering, or by primary key when there is none), or None."""
        return run(self._first_flow(False))

    async def afirst(self) -> T | None:
        """Async :meth:`first`."""
        return await arun(self._first_flow(False))

    def last(self) -> T | None:
        """The last record (by the ordering reversed, or primary key descending), or None."""
        return run(self._first_flow(True))

    async def alast(self) -> T | None:
        """Async :meth:`last`."""
        return await arun(self._first_flow(True))

    def _earliest_flow(self, fields: tuple[str, ...], latest: bool) -> Flow[T]:
        if not fields:
            meta = getattr(self.model, "_meta", None)
            by = getattr(meta, "get_latest_by", None)
            fields = (by,) if isinstance(by, str) else tuple(by or ())
        if not fields:
            raise ValueError(
                "earliest() and latest() require either fields as positional arguments or "
                "'get_latest_by' in the model's Meta."
            )
        self._not_sliced("change the ordering of")
        if latest:
            fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
        query = self.order_by(*fields)
        # Django's SQL ignores nulls in latest(): ``ORDER BY f DESC`` puts them last there.
        for field in fields:
            query = query.filter(**{f"{field.removeprefix('-')}__isnull": False})
        rows = yield from query[:1]._rows_flow()
        return self._one(rows)

    def latest(self, *fields: str) -> T:
        """The record with the greatest ``fields`` (or ``Meta.get_latest_by``)."""
        return run(self._earliest_flow(fields, True))

    async def alatest(self, *fields: str) -> T:
        """Async :meth:`latest`."""
        return await arun(self._earliest_flow(fields, True))

    def earliest(self, *fields: str) -> T:
        """The record with the smallest ``fields`` (or ``Meta.get_latest_by``)."""
        return run(self._earliest_flow(fields, False))

    async def aearliest(self, *fields: str) -> T:
        """Async :meth:`earliest`."""
        return await arun(self._earliest_flow(fields, False))

    def _errors(self) -> tuple[type[Exception], type[Exception]]:
        not_found = getattr(self.model, "DoesNotExist", ObjectDoesNotExist)
        multiple = getattr(self.model, "MultipleObjectsReturned", MultipleObjectsReturned)
        return not_found, multiple

    def _one(self, rows: builtins.list[T]) -> T:
        not_found, multiple = self._errors()
        if not rows:
            raise not_found(f"{self.model.__name__} matching query does not exist.")
        if len(rows) > 1:
            raise multiple(f"get() returned more than one {self.model.__name__} -- it returned 2!")
        return rows[0]

    def _get_flow(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Flow[T]:
        query = self.filter(*args, **kwargs) if args or kwargs else self
        if query._sliced:
            rows = yield from query._rows_flow()
        else:
            rows = yield from query[:2]._rows_flow()
        return self._one(rows[:2])

    def get(self, *args: Q | Condition, **kwargs: Any) -> T:
        """Exactly one matching record, else ``Model.DoesNotExist`` /
        ``Model.MultipleObjectsReturned``. ``Profile.onyx.get(pk="p1")``"""
        return run(self._get_flow(args, kwargs))

    async def aget(self, *args: Q | Condition, **kwargs: Any) -> T:
        """Async :meth:`get`."""
        return await arun(self._get_flow(args, kwargs))

    def _in_bulk_flow(self, id_list: Iterable[Any] | None, field_name: str) -> Flow[dict[Any, T]]:
        self._not_sliced("use 'limit' or 'offset' with in_bulk")
        if self._shape.mode != "model":
            raise TypeError("in_bulk() cannot be used with values() or values_list().")
        field = self._resolve(field_name)
        if id_list is None:
            rows = yield from self._rows_flow()
            return {getattr(row, field): row for row in rows}
        keys = builtins.list(dict.fromkeys(id_list))
        result: dict[Any, T] = {}
        for start in range(0, len(keys), _IN_BATCH):
            batch = self.filter(**{f"{field}__in": keys[start : start + _IN_BATCH]})
            for row in (yield from batch._rows_flow()):
                result[getattr(row, field)] = row
        return result

    def in_bulk(
        self, id_list: Iterable[Any] | None = None, *, field_name: str = "pk"
    ) -> dict[Any, T]:
        """``{value of field_name: record}`` for the records whose field is in ``id_list``."""
        return run(self._in_bulk_flow(id_list, field_name))

    async def ain_bulk(
        self, id_list: Iterable[Any] | None = None, *, field_name: str = "pk"
    ) -> dict[Any, T]:
        """Async :meth:`in_bulk`."""
        return await arun(self._in_bulk_flow(id_list, field_name))

    def _aggregations(
        self, args: tuple[Any, ...], kwargs: Mapping[str, Any]
    ) -> builtins.list[tuple[str, str]]:
        items: builtins.list[tuple[str, Any]] = []
        for arg in args:
            alias = getattr(arg, "default_alias", None)
            if not isinstance(alias, str):
                raise TypeError("Complex aggregates require an alias")
            items.append((alias, arg))
        items.extend(kwargs.items())
        result = []
        for alias, expression in items:
            result.append((alias, self._aggregate_expression(expression)))
        return result

    def _aggregate_expression(self, expression: Any) -> str:
        name = getattr(expression, "name", None)
        function = _AGGREGATES.get(name or "")
        if function is None or not hasattr(expression, "get_source_expressions"):
            raise NotSupportedError(
                f"{expression!r} is not supported by Onyx; aggregates: Count, Sum, Avg, Min, "
                "Max, StdDev, Variance of one field"
            )
        if getattr(expression, "distinct", False) or getattr(expression, "filter", None):
            raise NotSupportedError(
                f"{expression!r}: distinct= and filter= on aggregates are not supported by "
                "Onyx; filter the queryset first"
            )
        if getattr(expression, "default", None) is not None:
            raise NotSupportedError(f"{expression!r}: default= is not supported by Onyx")
        if "SAMP" in str(getattr(expression, "function", "")):
            raise NotSupportedError(f"{expression!r}: sample=True is not supported by Onyx")
        sources = [s for s in expression.get_source_expressions() if s is not None]
        if len(sources) != 1:
            raise NotSupportedError(f"{expression!r}: Onyx aggregates take one field")
        source = sources[0]
        field = getattr(source, "name", None)
        if field is None and type(source).__name__ == "Star":
            field = self._pk
        if not isinstance(field, str):
            raise NotSupportedError(f"{expression!r}: Onyx aggregates take a field name")
        field = self._resolve(field)
        return f"{function}({field})"

    def _grouped_flow(
        self, pairs: Sequence[tuple[str, str]], group: tuple[str, ...]
    ) -> Flow[builtins.list[dict[str, Any]]]:
        """Rows of ``group`` values and aggregates, computed as Django's SQL does: every
        aggregate of a field ignores the records where it is null (one request per aggregated
        field, with ``field IS NOT NULL``), and ``Avg`` is ``Sum / Count`` (exact)."""
        pk = self._pk
        wanted: dict[str, set[str]] = {pk: {"count"}}
        for _, expression in pairs:
            function, field = _split_expression(expression)
            needs = {"sum"} if function == "avg" else {function}
            wanted.setdefault(field, {"count"}).update(needs)
        base = dataclasses.replace(
            self._final_spec(), limit=None, page_size=None, resolvers=None, resolver_models=()
        )
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for field, functions in wanted.items():
            expressions = tuple(f"{function}({field})" for function in sorted(functions))
            condition = base.conditions
            if field != pk:
                present = not_null(field)
                condition = present if condition is None else condition & present
            spec = dataclasses.replace(
                base,
                fields=(*group, *expressions),
                group_by=group or None,
                conditions=condition,
                sort=base.sort if field == pk else (),
            )
            rows = yield Query(spec, self.db)
            for row in rows:
                key = tuple(_hashable(row.get(name)) for name in group)
                if field == pk:
                    groups[key] = {name: row.get(name) for name in group}
                target = groups.get(key)
                if target is not None:
                    target.update({e: row.get(e) for e in expressions})
        result = []
        for values in groups.values():
            row = {name: values[name] for name in group}
            for alias, expression in pairs:
                row[alias] = self._aggregate_result(expression, values)
            result.append(row)
        return result

    def _aggregate_result(self, expression: str, values: Mapping[str, Any]) -> Any:
        function, field = _split_expression(expression)
        counted = int(values.get(f"count({field})") or 0)
        if function == "count":
            return counted
        if not counted:
            return None
        if function == "avg":
            total = values.get(f"sum({field})")
            return None if total is None else total / counted
        value = values.get(expression)
        if function in ("min", "max"):
            return _fields.python_value(self.model, field, value)
        return value

    def _aggregate_flow(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Flow[Any]:
        pairs = self._aggregations(args, kwargs)
        if self._sliced or self._shape.annotations or self._spec.distinct:
            raise NotSupportedError(
                "aggregate() over a slice, a distinct or an annotated queryset is not supported "
                "by Onyx; aggregate the rows in Python"
            )
        if self._shape.empty:
            return {alias: 0 if e.startswith("count(") else None for alias, e in pairs}
        rows = yield from self._grouped_flow(pairs, ())
        values = rows[0] if rows else {}
        return {
            alias: values.get(alias, 0 if e.startswith("count(") else None) for alias, e in pairs
        }

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Aggregates over the queryset, in one request:
        ``Profile.onyx.aggregate(Avg("age"), n=Count("id"))`` → ``{"age__avg": 45.5, "n": 5}``."""
        result: dict[str, Any] = run(self._aggregate_flow(args, kwargs))
        return result

    async def aaggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Async :meth:`aggregate`."""
        result: dict[str, Any] = await arun(self._aggregate_flow(args, kwargs))
        return result

    def iterator(self, chunk_size: int | None = None) -> Iterator[T]:
        """Stream the rows page by page (``chunk_size`` records per request, at most 1000)
        without filling the result cache. A bad ``chunk_size`` raises at once, as Django's."""
        return self._iterate(self._chunk_size(chunk_size))

    def _iterate(self, size: int) -> Iterator[T]:
        if self._empty():
            return
        if self._shape.low or self._shape.mode != "model":
            yield from self._fetch()
            return
        spec = dataclasses.replace(self._final_spec(), page_size=size)
        builder: QueryBuilder[Any] = QueryBuilder(connections[self.db], spec)
        build = self._instances()
        for record in builder:
            yield build(record)

    def aiterator(self, chunk_size: int | None = None) -> AsyncIterator[T]:
        """Async :meth:`iterator`: ``async for row in qs.aiterator(500)``."""
        return self._aiterate(self._chunk_size(chunk_size))

    async def _aiterate(self, size: int) -> AsyncIterator[T]:
        from onyx_database import AsyncQueryBuilder

        if self._empty():
            return
        if self._shape.low or self._shape.mode != "model":
            for row in await self._afetch():
                yield row
            return
        spec = dataclasses.replace(self._final_spec(), page_size=size)
        abuilder: AsyncQueryBuilder[Any] = AsyncQueryBuilder(connections.async_pool(self.db), spec)
        build = self._instances()
        async for record in abuilder:
            yield build(record)

    @staticmethod
    def _chunk_size(chunk_size: int | None) -> int:
        if chunk_size is None:
            return MAX_PAGE
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size <= 0:
            raise ValueError("Chunk size must be strictly positive.")
        return min(chunk_size, MAX_PAGE)

    def explain(self, format: str | None = None, **options: Any) -> str:
        """The request this queryset sends (Onyx has no query plans): method, path, body."""
        if format not in (None, "text", "json"):
            raise ValueError(f"{format!r} is not a recognized format; use 'text' or 'json'")
        if options:
            raise NotSupportedError(f"explain options {sorted(options)} are not supported")
        query = self.query
        if format == "json":
            return json.dumps({"table": query.table, "skip": query.low_mark, **query.select})
        return str(query)

    async def aexplain(self, format: str | None = None, **options: Any) -> str:
        """Async :meth:`explain` (no request is sent)."""
        return self.explain(format, **options)

    # -- writes ----------------------------------------------------------------------------------

    def _check_fields(self, fields: Iterable[str], what: str) -> None:
        names = _fields.field_names(self.model)
        if names is None:
            return
        unknown = [f for f in fields if f not in names and f != "pk"]
        if unknown:
            raise TypeError(
                f"{self.model.__name__}() got unexpected keyword arguments: "
                f"{', '.join(repr(f) for f in unknown)} ({what})"
            )

    def _save_new_flow(self, fields: Mapping[str, Any]) -> Flow[T]:
        """Insert one record through the model's ``save()`` (signals, validation) when it has
        one, else as a create-only insert."""
        data = dict(fields)
        if "pk" in data:
            data[self._pk] = data.pop("pk")
        self._check_fields(data, "create")
        for value in data.values():
            _reject_expression(value)
        model = self.model
        if callable(getattr(model, "save", None)) and callable(getattr(model, "asave", None)):
            from ._instances import build_instance

            instance: T = build_instance(model, data)  # Django's ValidationError, by field
            saving: Any = instance
            using = self._write_db
            yield Call(
                lambda: saving.save(force_insert=True, using=using),
                lambda: saving.asave(force_insert=True, using=using),
                using,
            )
            return instance
        created: T = yield Insert(model, data, self._write_db)
        return created

    def create(self, **fields: Any) -> T:
        """Insert one record (an existing id is an integrity error); returns it."""
        return run(self._save_new_flow(fields))

    async def acreate(self, **fields: Any) -> T:
        """Async :meth:`create`."""
        return await arun(self._save_new_flow(fields))

    def _lookup_fields(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in kwargs.items() if "__" not in k}

    def _get_or_create_flow(
        self, defaults: Mapping[str, Any] | None, kwargs: Mapping[str, Any]
    ) -> Flow[tuple[T, bool]]:
        not_found, _ = self._errors()
        try:
            return (yield from self._get_flow((), kwargs)), False
        except not_found:
            pass
        values = {**self._lookup_fields(kwargs), **_resolved(defaults or {})}
        try:
            return (yield from self._save_new_flow(values)), True
        except Exception as exc:
            if not _is_conflict(exc):
                raise
            # another writer created it between our get and our insert
            try:
                return (yield from self._get_flow((), kwargs)), False
            except not_found:
                raise exc from None

    def get_or_create(
        self, defaults: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> tuple[T, bool]:
        """``(record, created)``: the matching record, or a new one from the exact lookups and
        ``defaults`` (through ``save()``, so ``pre_save``/``post_save`` fire once)."""
        return run(self._writing()._get_or_create_flow(defaults, kwargs))

    async def aget_or_create(
        self, defaults: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> tuple[T, bool]:
        """Async :meth:`get_or_create`."""
        return await arun(self._writing()._get_or_create_flow(defaults, kwargs))

    def _update_or_create_flow(
        self,
        defaults: Mapping[str, Any] | None,
        create_defaults: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
    ) -> Flow[tuple[T, bool]]:
        updates = _resolved(defaults or {})
        self._check_fields(updates, "update_or_create")
        not_found, _ = self._errors()
        try:
            instance: Any = yield from self._get_flow((), kwargs)
        except not_found:
            created_values = updates if create_defaults is None else _resolved(create_defaults)
            values = {**self._lookup_fields(kwargs), **created_values}
            return (yield from self._save_new_flow(values)), True
        if not updates:
            return instance, False
        if callable(getattr(instance, "save", None)) and callable(getattr(instance, "asave", None)):
            for name, value in updates.items():
                setattr(instance, name, value)
            names = builtins.list(updates)
            using = self._write_db
            yield Call(
                lambda: instance.save(update_fields=names, using=using),
                lambda: instance.asave(update_fields=names, using=using),
                using,
            )
            return instance, False
        key = getattr(instance, self._pk) if not isinstance(instance, dict) else instance[self._pk]
        single = self.model._default_manager.using(self._write_db).filter(pk=key)
        yield from single._update_flow(updates, signal=False)
        return (yield from single._get_flow((), {})), False

    def update_or_create(
        self,
        defaults: Mapping[str, Any] | None = None,
        create_defaults: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[T, bool]:
        """``(record, created)``: update the matching record with ``defaults`` (``save()`` with
        ``update_fields``), or create it from the lookups and ``create_defaults``/``defaults``."""
        return run(self._writing()._update_or_create_flow(defaults, create_defaults, kwargs))

    async def aupdate_or_create(
        self,
        defaults: Mapping[str, Any] | None = None,
        create_defaults: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[T, bool]:
        """Async :meth:`update_or_create`."""
        pinned = self._writing()
        return await arun(pinned._update_or_create_flow(defaults, create_defaults, kwargs))

    def _record_of(self, obj: Any) -> dict[str, Any]:
        if isinstance(obj, Mapping):
            return dict(obj)
        if isinstance(obj, self.model) and hasattr(obj, "model_dump"):
            dumped: dict[str, Any] = obj.model_dump()
            return dumped
        raise TypeError(f"bulk_create() expects {self.model.__name__} instances, got {obj!r}")

    def _bulk_create_flow(
        self,
        objs: Iterable[T],
        batch_size: int | None,
        ignore_conflicts: bool,
        update_conflicts: bool,
        update_fields: Sequence[str] | None,
        unique_fields: Sequence[str] | None,
    ) -> Flow[builtins.list[T]]:
        if ignore_conflicts:
            raise NotSupportedError(
                "bulk_create(ignore_conflicts=True) is not supported by Onyx; use "
                "update_conflicts=True (upsert) or get_or_create() per record"
            )
        if batch_size is not None and batch_size <= 0:
            raise ValueError("Batch size must be a positive integer.")
        if unique_fields and builtins.list(unique_fields) not in ([self._pk], ["pk"]):
            raise NotSupportedError("Onyx upserts by primary key only: unique_fields=['pk']")
        every = _fields.field_names(self.model)
        if update_conflicts and update_fields and every is not None:
            wanted = set(update_fields) | {self._pk}
            if wanted != set(every):
                raise NotSupportedError(
                    "Onyx upserts replace whole records: update_conflicts needs update_fields "
                    "to be every field (or omitted)"
                )
        instances = builtins.list(objs)
        if not instances:
            return []
        records = [self._record_of(obj) for obj in instances]
        size = batch_size or MAX_PAGE
        for start in range(0, len(records), size):
            batch = records[start : start + size]
            if update_conflicts:
                yield Call(
                    lambda batch=batch: connections[self._write_db].batch_save(  # type: ignore[misc]
                        table_name(self.model), batch
                    ),
                    lambda batch=batch: connections.async_pool(self._write_db).batch_save(  # type: ignore[misc]
                        table_name(self.model), batch
                    ),
                    self._write_db,
                )
            else:
                yield Insert(table_name(self.model), batch, self._write_db, many=True)
        _send_bulk("bulk_created", self.model, self._write_db, instances=instances)
        return instances

    def bulk_create(
        self,
        objs: Iterable[T],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Sequence[str] | None = None,
        unique_fields: Sequence[str] | None = None,
    ) -> builtins.list[T]:
        """Insert many records (create-only, one request per ``batch_size``, default 1000);
        ``update_conflicts=True`` upserts instead. No ``save()`` and no per-record signals (as
        in Django); sends ``onyx_django.signals.bulk_created``."""
        return run(
            self._bulk_create_flow(
                objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields
            )
        )

    async def abulk_create(
        self,
        objs: Iterable[T],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Sequence[str] | None = None,
        unique_fields: Sequence[str] | None = None,
    ) -> builtins.list[T]:
        """Async :meth:`bulk_create`."""
        return await arun(
            self._bulk_create_flow(
                objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields
            )
        )

    def _bulk_update_flow(
        self, objs: Iterable[T], fields: Sequence[str], batch_size: int | None
    ) -> Flow[int]:
        if batch_size is not None and batch_size <= 0:
            raise ValueError("Batch size must be a positive integer.")
        names = builtins.list(fields)
        if not names:
            raise ValueError("Field names must be given to bulk_update().")
        if self._pk in names or "pk" in names:
            raise ValueError("bulk_update() cannot be used with primary key fields.")
        self._check_fields(names, "bulk_update")
        instances = builtins.list(objs)
        # Onyx's update-by-query sets the same values on every record it matches, so records
        # that get the same values share one request (``id IN [...]``, batch_size ids each).
        groups: dict[str, tuple[dict[str, Any], builtins.list[Any]]] = {}
        for obj in instances:
            key = getattr(obj, self._pk, None)
            if key is None:
                raise ValueError("All bulk_update() objects must have a primary key set.")
            updates = {name: getattr(obj, name) for name in names}
            groups.setdefault(_values_key(updates), (updates, []))[1].append(key)
        size = batch_size or _IN_BATCH
        total = 0
        for updates, keys in groups.values():
            for start in range(0, len(keys), size):
                spec = self._update_spec(in_op(self._pk, keys[start : start + size]), updates)
                total += yield Query(spec, self._write_db, "update")
        _send_bulk("bulk_updated", self.model, self._write_db, instances=instances, fields=names)
        return total

    def bulk_update(
        self, objs: Iterable[T], fields: Sequence[str], batch_size: int | None = None
    ) -> int:
        """Write ``fields`` of each instance; returns how many records were updated. One
        update-by-query per distinct set of values (instances given the same values share
        one, up to ``batch_size`` ids, default 500). Sends ``onyx_django.signals.bulk_updated``."""
        return run(self._bulk_update_flow(objs, fields, batch_size))

    async def abulk_update(
        self, objs: Iterable[T], fields: Sequence[str], batch_size: int | None = None
    ) -> int:
        """Async :meth:`bulk_update`."""
        return await arun(self._bulk_update_flow(objs, fields, batch_size))

    def _update_spec(self, condition: Condition | None, updates: Mapping[str, Any]) -> QuerySpec:
        query: QueryBuilder[Any] = QueryBuilder(
            _UNBOUND, dataclasses.replace(self._spec, conditions=condition)
        )
        query = query.set_updates(dict(updates))
        return dataclasses.replace(query.spec, sort=(), limit=None, fields=None)

    def _update_flow(self, fields: Mapping[str, Any], signal: bool = True) -> Flow[int]:
        self._not_sliced("update")
        if not fields:
            raise TypeError("update() needs at least one field to set.")
        if self._shape.annotations:
            raise TypeError("Cannot update a query with annotations.")
        values = _resolved(fields)
        if "pk" in values:  # as Django: update() names fields, and pk is not one
            raise FieldDoesNotExist(f"{self.model.__name__} has no field named 'pk'")
        self._check_fields(values, "update")
        types = _ModelTypes(self.model)
        checked = {}
        for name, value in values.items():
            _reject_expression(value)
            checked[name] = value if value is None else types.value(name, value, "update")
        self._result_cache = None
        if self._shape.empty:
            return 0
        alias = self._write_db
        updated: int = yield Query(
            self._update_spec(self._spec.conditions, checked), alias, "update"
        )
        if signal:
            _send_bulk("queryset_updated", self.model, alias, values=checked, count=updated)
        return updated

    def update(self, **fields: Any) -> int:
        """Set ``fields`` on every matching record (one update-by-query); returns how many.
        No ``save()``/signals per record (as in Django); sends
        ``onyx_django.signals.queryset_updated``."""
        return run(self._update_flow(fields))

    async def aupdate(self, **fields: Any) -> int:
        """Async :meth:`update`."""
        return await arun(self._update_flow(fields))

    def _delete_flow(self) -> Flow[tuple[int, dict[str, int]]]:
        self._not_sliced("delete")
        if self._shape.mode != "model":
            raise TypeError("Cannot call delete() after .values() or .values_list()")
        if self._spec.distinct:
            raise TypeError("Cannot call delete() after .distinct().")
        self._result_cache = None
        label = _label(self.model)
        if self._shape.empty:
            return 0, {}
        model = self.model
        per_row = pre_delete.has_listeners(model) or post_delete.has_listeners(model)
        if not per_row:
            spec = dataclasses.replace(self._spec, sort=(), limit=None, fields=None)
            deleted: int = yield Query(spec, self._write_db, "delete")
        else:
            rows: builtins.list[Any] = (
                yield from self._chain(using=self._write_db, loaded=None)
                ._with_spec(fields=None, resolvers=None, resolver_models=())
                ._rows_flow()
            )
            for row in rows:
                pre_delete.send(sender=model, instance=row, using=self._write_db, origin=self)
            deleted = 0
            keys = [getattr(row, self._pk) for row in rows]
            for start in range(0, len(keys), _IN_BATCH):
                condition = in_op(self._pk, keys[start : start + _IN_BATCH])
                spec = dataclasses.replace(
                    self._spec, conditions=condition, sort=(), limit=None, fields=None
                )
                deleted += yield Query(spec, self._write_db, "delete")
            for row in rows:
                post_delete.send(sender=model, instance=row, using=self._write_db, origin=self)
        _send_bulk("queryset_deleted", model, self._write_db, count=deleted)
        return deleted, ({label: deleted} if deleted else {})

    @_manager_only
    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete every matching record; returns ``(n, {"app.Model": n})``. Sends ``pre_delete``
        and ``post_delete`` per record when receivers are connected (one fetch, then deletes by
        primary key), else one delete-by-query."""
        return run(self._delete_flow())

    @_manager_only
    async def adelete(self) -> tuple[int, dict[str, int]]:
        """Async :meth:`delete`."""
        return await arun(self._delete_flow())


def _label(model: type[Any]) -> str:
    meta = getattr(model, "_meta", None)
    label = getattr(meta, "label", None)
    return label if isinstance(label, str) else f"onyx.{model.__name__}"


def _resolved(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(k): (v() if callable(v) and not isinstance(v, type) else v) for k, v in fields.items()
    }


def _reject_expression(value: Any) -> None:
    if hasattr(value, "resolve_expression"):
        raise NotSupportedError(
            f"{type(value).__name__} expressions (e.g. F()) are not supported by Onyx; compute "
            "the value in Python and save it"
        )


def _is_conflict(exc: Exception) -> bool:
    from django.db import IntegrityError

    from onyx_database import OnyxConflictError

    return isinstance(exc, OnyxConflictError | IntegrityError)


class _Nothing:
    """The condition of ``none()``: matches no record (``None`` matches every record)."""


_NOTHING: Any = _Nothing()


def _combined_conditions(left: Any, right: Any, operator: str) -> Any:
    """Two querysets' conditions combined, where ``None`` is "every record" and ``_NOTHING``
    "no record" (so ``all() ^ qs`` is ``~qs`` and ``none() | qs`` is ``qs``)."""
    if operator == "|":
        if left is _NOTHING or right is _NOTHING:
            return right if left is _NOTHING else left
        return None if left is None or right is None else left | right
    if operator == "&":
        if left is _NOTHING or right is _NOTHING:
            return _NOTHING
        return right if left is None else left if right is None else left & right
    if left is _NOTHING or right is _NOTHING:  # ^ and difference
        return right if left is _NOTHING and operator == "^" else left
    if right is None:
        return _NOTHING if operator == "difference()" or left is None else ~left
    if left is None:
        return ~right
    if operator == "^":
        return (left & ~right) | (~left & right)
    return left & ~right


def _split_expression(expression: str) -> tuple[str, str]:
    function, _, rest = expression.partition("(")
    return function, rest.removesuffix(")")


def _hashable(value: Any) -> Any:
    return (
        json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict | list) else value
    )


_TRUNCATIONS = ("year", "month", "day")


@contextlib.contextmanager
def _timezone(tzinfo: Any) -> Iterator[None]:
    if tzinfo is None:
        yield
        return
    from django.utils import timezone

    with timezone.override(tzinfo):
        yield


def _truncate(value: Any, kind: str) -> Any:
    """The start of the ``kind`` period holding ``value`` (a datetime in the current time zone
    when ``USE_TZ``, else as stored; a date for a date)."""
    if isinstance(value, datetime):
        from django.conf import settings
        from django.utils import timezone

        if settings.USE_TZ and timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind in ("year", "month"):
        value = value.replace(day=1)
    if kind == "year":
        value = value.replace(month=1)
    return value


def _next_period(start: Any, kind: str) -> Any:
    if kind == "day":
        following = start + timedelta(days=1)
    elif kind == "month":
        following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    else:
        following = start.replace(year=start.year + 1)
    if isinstance(following, datetime) and following.tzinfo is not None:
        # the same wall time in the zone (a DST change between the two is not an hour off)
        following = following.replace(tzinfo=None)
        from django.utils import timezone

        following = timezone.make_aware(following, start.tzinfo)
    return following


def _values_key(values: Mapping[str, Any]) -> str:
    """A key equal for equal values of equal types (values may be unhashable dicts/lists)."""
    return json.dumps(values, sort_keys=True, default=lambda v: f"{type(v).__qualname__}:{v!r}")


def _send_bulk(name: str, model: type[Any], using: str, **kwargs: Any) -> None:
    from . import signals

    signal = getattr(signals, name, None)
    if signal is not None:
        signal.send(sender=model, using=using, **kwargs)
