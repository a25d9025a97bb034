"""Conditions and sorts: immutable value objects compiled to the wire shape in one place.

>>> cond = (eq("status", "active") & gt("age", 18)) | is_null("deletedAt")
>>> cond.to_wire()["operator"]
'OR'

``a & b & c`` flattens into one AND node and ``(a & b) | c`` gives ``OR(AND(a, b), c)``, the tree
the official builders produce for ``where(a).and_(b).or_(c)``. ``~cond`` negates with the ``NOT_*``
operators (De Morgan for compounds), because the wire has no negation node.
"""

from __future__ import annotations

import math
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias, TypedDict, runtime_checkable

from ._errors import OnyxUsageError
from ._serialize import to_wire

__all__ = [
    "FULL_TEXT_FIELD",
    "Compound",
    "Condition",
    "Criterion",
    "SearchMatch",
    "SearchMode",
    "SearchOptions",
    "Sort",
    "SubQuery",
    "asc",
    "between",
    "condition_from_wire",
    "contains",
    "contains_ignore_case",
    "desc",
    "eq",
    "gt",
    "gte",
    "in_op",
    "is_null",
    "like",
    "lt",
    "lte",
    "matches",
    "neq",
    "not_between",
    "not_contains",
    "not_contains_ignore_case",
    "not_in",
    "not_like",
    "not_matches",
    "not_null",
    "not_starts_with",
    "not_within",
    "search",
    "starts_with",
    "within",
]

_NEGATIONS = {
    "EQUAL": "NOT_EQUAL",
    "GREATER_THAN": "LESS_THAN_EQUAL",
    "LESS_THAN": "GREATER_THAN_EQUAL",
    "IN": "NOT_IN",
    "BETWEEN": "NOT_BETWEEN",
    "LIKE": "NOT_LIKE",
    "CONTAINS": "NOT_CONTAINS",
    "CONTAINS_IGNORE_CASE": "NOT_CONTAINS_IGNORE_CASE",
    "STARTS_WITH": "NOT_STARTS_WITH",
    "MATCHES": "NOT_MATCHES",
    "IS_NULL": "NOT_NULL",
}
_NEGATIONS.update({negated: plain for plain, negated in _NEGATIONS.items()})

_NO_VALUE_OPERATORS = frozenset({"IS_NULL", "NOT_NULL"})


class Condition:
    """Base of every condition: combine with ``&`` / ``|`` (``and_`` / ``or_``), negate with ``~``.

    >>> (eq("a", 1) & eq("b", 2)).to_wire()["conditionType"]
    'CompoundCondition'
    """

    __slots__ = ()

    def to_wire(self) -> dict[str, Any]:
        """The QueryCondition dict the server expects."""
        raise NotImplementedError

    def __and__(self, other: Condition) -> Condition:
        return _combine("AND", self, other)

    def __or__(self, other: Condition) -> Condition:
        return _combine("OR", self, other)

    def __invert__(self) -> Condition:
        raise NotImplementedError

    def and_(self, other: Condition) -> Condition:
        """Same as ``self & other`` (the official SDK's spelling)."""
        return _combine("AND", self, other)

    def or_(self, other: Condition) -> Condition:
        """Same as ``self | other`` (the official SDK's spelling)."""
        return _combine("OR", self, other)


class _ReadsAsDict:
    """Read access to the plain dict the official SDK's helper returns for the same call
    (``eq(...)["value"]``, ``.get``, ``.keys()``, ``dict(...)``, ``== {...}``); the object
    itself stays immutable."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """The official SDK's dict for this value."""
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]``, or ``default`` when the official dict has no such key."""
        return self.as_dict().get(key, default)

    def keys(self) -> KeysView[str]:
        """The official dict's keys."""
        return self.as_dict().keys()

    def values(self) -> ValuesView[Any]:
        """The official dict's values."""
        return self.as_dict().values()

    def items(self) -> ItemsView[str, Any]:
        """The official dict's items."""
        return self.as_dict().items()

    def __contains__(self, key: object) -> bool:
        return key in self.as_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def _same(self, other: object) -> bool | None:
        """Equality with a plain mapping (the official value); ``None`` for other types."""
        if isinstance(other, Mapping):
            return dict(other) == self.as_dict()
        return None


@dataclass(frozen=True, slots=True)
class Criterion(Condition, _ReadsAsDict):
    """One ``field OPERATOR value`` test. Build it with a helper such as :func:`eq`.

    >>> eq("status", "active").to_wire()
    {'conditionType': 'SingleCondition', 'criteria': {'field': 'status', 'operator': 'EQUAL', 'value': 'active'}}

    It also reads as the official SDK's dict for the same call:

    >>> eq("status", "active")["operator"], eq("age", 3) == {"field": "age", "operator": "EQUAL", "value": 3}
    ('EQUAL', True)
    """  # noqa: E501

    field: str
    operator: str
    value: Any = None

    def to_wire(self) -> dict[str, Any]:
        return {"conditionType": "SingleCondition", "criteria": self.as_dict()}

    def as_dict(self) -> dict[str, Any]:
        criteria: dict[str, Any] = {"field": self.field, "operator": self.operator}
        if self.operator not in _NO_VALUE_OPERATORS:
            criteria["value"] = self.value
        return criteria

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Criterion):
            mine, theirs = (self.field, self.operator, self.value), (
                other.field, other.operator, other.value)  # fmt: skip
            return mine == theirs
        same = self._same(other)
        return NotImplemented if same is None else same

    def __invert__(self) -> Condition:
        negated = _NEGATIONS.get(self.operator)
        if negated is None:
            raise OnyxUsageError(f"a {self.operator} condition cannot be negated")
        return Criterion(self.field, negated, self.value)


@dataclass(frozen=True, slots=True)
class Compound(Condition):
    """``AND`` / ``OR`` over two or more conditions. Build it with ``&`` and ``|``.

    >>> (eq("a", 1) | eq("b", 2)).operator
    'OR'
    """

    operator: Literal["AND", "OR"]
    conditions: tuple[Condition, ...]

    def to_wire(self) -> dict[str, Any]:
        return {
            "conditionType": "CompoundCondition",
            "operator": self.operator,
            "conditions": [condition.to_wire() for condition in self.conditions],
        }

    def __invert__(self) -> Condition:
        flipped: Literal["AND", "OR"] = "OR" if self.operator == "AND" else "AND"
        return Compound(flipped, tuple(~condition for condition in self.conditions))


def condition_from_wire(value: Any) -> Condition:
    """The condition a serialized QueryCondition describes (the inverse of ``to_wire``).

    >>> condition_from_wire(eq("a", 1).to_wire()) == eq("a", 1)
    True
    """
    if isinstance(value, Condition):
        return value
    kind = value.get("conditionType") if isinstance(value, dict) else None
    if kind == "SingleCondition" and isinstance(value.get("criteria"), dict):
        criteria = value["criteria"]
        return Criterion(_field(criteria.get("field")), str(criteria.get("operator")),
                         criteria.get("value"))  # fmt: skip
    if kind == "CompoundCondition" and value.get("operator") in ("AND", "OR"):
        parts = tuple(condition_from_wire(item) for item in value.get("conditions") or ())
        if parts:
            return Compound(value["operator"], parts)
    raise OnyxUsageError(f"not a serialized QueryCondition: {value!r}")


def ensure_condition(value: object, where: str) -> Condition:
    """``value`` as a Condition: a Condition, or the official SDK's plain dicts (a helper's
    ``{"field", "operator", "value"}`` or a serialized QueryCondition); anything else is a
    build-time :class:`OnyxUsageError`."""
    if isinstance(value, Mapping) and not isinstance(value, Condition):
        if "conditionType" in value:
            return condition_from_wire(dict(value))
        if "field" in value and "operator" in value and isinstance(value["operator"], str):
            return _criterion(value["field"], value["operator"], value.get("value"))
    if not isinstance(value, Condition):
        raise OnyxUsageError(
            f"{where} expects a condition such as eq('field', value), "
            f"got {type(value).__name__}: {value!r}"
        )
    return value


def _combine(operator: Literal["AND", "OR"], left: object, right: object) -> Condition:
    left = ensure_condition(left, operator.lower() + "_")
    right = ensure_condition(right, operator.lower() + "_")
    parts: list[Condition] = []
    for side in (left, right):
        if isinstance(side, Compound) and side.operator == operator:
            parts.extend(side.conditions)
        else:
            parts.append(side)
    return Compound(operator, tuple(parts))


def _field(field: object) -> str:
    if not isinstance(field, str) or not field.strip():
        raise OnyxUsageError(f"a condition needs a non-empty field name, got {field!r}")
    return field


def _criterion(field: object, operator: str, value: Any = None) -> Criterion:
    name = _field(field)
    return Criterion(name, operator, to_wire(value, f"condition({name}).value"))


def eq(field: str, value: Any) -> Condition:
    """``field == value``. ``eq("status", "active")``"""
    return _criterion(field, "EQUAL", value)


def neq(field: str, value: Any) -> Condition:
    """``field != value``. ``neq("status", "banned")``"""
    return _criterion(field, "NOT_EQUAL", value)


def gt(field: str, value: Any) -> Condition:
    """``field > value``. ``gt("age", 18)``"""
    return _criterion(field, "GREATER_THAN", value)


def gte(field: str, value: Any) -> Condition:
    """``field >= value``. ``gte("age", 18)``"""
    return _criterion(field, "GREATER_THAN_EQUAL", value)


def lt(field: str, value: Any) -> Condition:
    """``field < value``. ``lt("age", 65)``"""
    return _criterion(field, "LESS_THAN", value)


def lte(field: str, value: Any) -> Condition:
    """``field <= value``. ``lte("age", 65)``"""
    return _criterion(field, "LESS_THAN_EQUAL", value)


def between(field: str, lower: Any, upper: Any) -> Condition:
    """``lower <= field <= upper`` (inclusive). ``between("age", 18, 65)``"""
    return _criterion(field, "BETWEEN", [lower, upper])


def not_between(field: str, lower: Any, upper: Any) -> Condition:
    """Outside ``[lower, upper]``. ``not_between("age", 18, 65)``"""
    return _criterion(field, "NOT_BETWEEN", [lower, upper])


def _values(values: Any, helper: str) -> list[Any]:
    if isinstance(values, str):
        return [part.strip() for part in values.split(",") if part.strip()]
    if isinstance(values, set | frozenset):
        try:
            return sorted(values)
        except TypeError:
            return list(values)
    if isinstance(values, Iterable) and not isinstance(values, bytes | dict | _ReadsAsDict):
        return list(values)
    raise OnyxUsageError(
        f"{helper} expects a list, tuple, set or comma-separated string, "
        f"got {type(values).__name__}"
    )


@runtime_checkable
class SubQuery(Protocol):
    """Anything that compiles to a nested query object: a query builder with a table."""

    def to_sub_query(self) -> dict[str, Any]:
        """The nested SelectQuery (or UpdateQuery) object, with its ``table``."""
        ...


def _sub_query(query: object, helper: str) -> dict[str, Any]:
    if not isinstance(query, SubQuery):
        raise OnyxUsageError(
            f"{helper} expects a query builder such as "
            f"db.select('userId').from_table('UserRole'), got {type(query).__name__}"
        )
    return query.to_sub_query()


def in_op(field: str, values: Iterable[Any] | str | SubQuery) -> Condition:
    """``field`` is one of ``values``: a list/tuple/set, ``"a, b"`` split on commas, or a query
    builder (a sub-query, the same as :func:`within`).

    >>> in_op("status", "active, pending,").to_wire()["criteria"]["value"]
    ['active', 'pending']
    """
    if isinstance(values, SubQuery):
        return within(field, values)
    return _criterion(field, "IN", _values(values, "in_op"))


def not_in(field: str, values: Iterable[Any] | str | SubQuery) -> Condition:
    """``field`` is none of ``values`` (or not in a sub-query's results).

    ``not_in("status", ["banned", "deleted"])``
    """
    if isinstance(values, SubQuery):
        return not_within(field, values)
    return _criterion(field, "NOT_IN", _values(values, "not_in"))


def within(field: str, values: SubQuery | Iterable[Any] | str) -> Condition:
    """``field`` is among the results of a sub-query (``IN`` with the nested query object), or,
    as in the official SDK, among a list of values (the same as :func:`in_op`).

    ::

        admins = db.select("userId").from_table("UserRole").where(eq("roleId", "admin"))
        db.from_table("User").where(within("id", admins)).list()
    """
    if isinstance(values, SubQuery):
        return Criterion(_field(field), "IN", _sub_query(values, "within"))
    return _criterion(field, "IN", _values(values, "within"))


def not_within(field: str, values: SubQuery | Iterable[Any] | str) -> Condition:
    """``field`` is not among the results of a sub-query (``NOT_IN`` with the nested query), or
    none of a list of values (the same as :func:`not_in`).

    ::

        granted = db.select("roleId").from_table("RolePermission")
        db.from_table("Role").where(not_within("id", granted)).list()
    """
    if isinstance(values, SubQuery):
        return Criterion(_field(field), "NOT_IN", _sub_query(values, "not_within"))
    return _criterion(field, "NOT_IN", _values(values, "not_within"))


FULL_TEXT_FIELD = "__full_text__"
"""The pseudo-field of full-text (Lucene) search conditions."""


SearchMode: TypeAlias = Literal["lexical", "semantic", "hybrid"]
"""How the high-level ``search`` ranks: by terms, by meaning, or both (the default)."""
SearchMatch: TypeAlias = Literal["all", "any"]
"""Whether every term or any term must match (``"any"`` by default)."""


class SearchOptions(TypedDict, total=False):
    """The official SDK's options of the high-level ``search`` (snake_case or camelCase)."""

    mode: SearchMode
    match: SearchMatch
    min_score: float | None
    max_candidates: int
    minScore: float | None
    maxCandidates: int


MAX_SEARCH_CANDIDATES = 5_000


def search(
    query_text_or_search: Any,
    min_score: float | SearchOptions | Mapping[str, Any] | None = None,
    *,
    mode: SearchMode | None = None,
    match: SearchMatch | None = None,
    semantic: Any = None,
    nearby_bucket_radius: int | None = None,
    max_candidates: int | None = None,
    require_all_terms: bool | None = None,
) -> Condition:
    """Full-text (Lucene) match over a SEARCHABLE table: ``__full_text__ MATCHES`` the text.

    >>> search("engineer AND remote", 4.4).to_wire()["criteria"]
    {'field': '__full_text__', 'operator': 'MATCHES', 'value': {'queryText': 'engineer AND remote', 'minScore': 4.4}}

    The official SDK's high-level search: ``mode`` / ``match`` / ``max_candidates`` keywords, or
    a :class:`SearchOptions` dict as second argument, send its ``SEARCH`` condition (lexical,
    semantic or hybrid ranking; Onyx Local answers 501 for it: it has no embedding model):

    >>> search("remote engineer", mode="lexical").to_wire()["criteria"]["value"]
    {'text': 'remote engineer', 'mode': 'lexical', 'match': 'any', 'minScore': None, 'maxCandidates': 1000}

    The vector-routing options (``semantic``, ``nearby_bucket_radius``, ``require_all_terms``),
    or a ``VectorSearchQuery`` mapping as first argument, send ``MATCHES`` with a
    :func:`~onyx_database.vector_search_query` value, as the official SDK does (Onyx Local
    answers 501 for it):

    >>> search("storm", require_all_terms=False).to_wire()["criteria"]["value"]["requireAllTerms"]
    False
    """  # noqa: E501
    from ._vector import UsageTypeError, high_level_search_value, vector_search_query

    options = min_score if isinstance(min_score, Mapping) else None
    routing = semantic is not None or nearby_bucket_radius is not None
    routing = routing or require_all_terms is not None
    high_level = (
        mode is not None or match is not None or (max_candidates is not None and not routing)
    )
    if options is not None or high_level:
        if not isinstance(query_text_or_search, str):
            raise UsageTypeError("the high-level search (mode, match, options) needs text")
        if options is not None and (high_level or routing or max_candidates is not None):
            raise UsageTypeError("do not combine a search options mapping with search keywords")
        if routing:
            raise UsageTypeError("mode/match cannot be combined with semantic routing options")
        value = high_level_search_value(
            query_text_or_search,
            options,
            mode=mode,
            match=match,
            min_score=None if options is not None else min_score,
            max_candidates=max_candidates,
        )
        return Criterion(FULL_TEXT_FIELD, "SEARCH", value)
    if isinstance(query_text_or_search, str) and not routing and max_candidates is None:
        text = query_text_or_search
        if not text.strip():
            raise OnyxUsageError(f"search() needs non-empty query text, got {text!r}")
        if min_score is not None:
            _number(min_score, "min_score")
        return Criterion(FULL_TEXT_FIELD, "MATCHES", {"queryText": text, "minScore": min_score})
    chosen = {
        "min_score": min_score,
        "semantic": semantic,
        "nearby_bucket_radius": nearby_bucket_radius,
        "max_candidates": max_candidates,
        "require_all_terms": require_all_terms,
    }
    given = {key: value for key, value in chosen.items() if value is not None}
    if isinstance(query_text_or_search, str):
        value = vector_search_query(text=query_text_or_search, **given)
    else:
        value = vector_search_query(query_text_or_search, **given)
    return Criterion(FULL_TEXT_FIELD, "MATCHES", value)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OnyxUsageError(f"{what} must be a finite number or None, got {value!r}")
    return float(value)


def like(field: str, pattern: Any) -> Condition:
    """LIKE (the engine treats it as case-insensitive equality). ``like("name", "ada")``"""
    return _criterion(field, "LIKE", pattern)


def not_like(field: str, pattern: Any) -> Condition:
    """NOT LIKE. ``not_like("name", "ada")``"""
    return _criterion(field, "NOT_LIKE", pattern)


def contains(field: str, value: Any) -> Condition:
    """Substring test. ``contains("email", "@example.com")``"""
    return _criterion(field, "CONTAINS", value)


def not_contains(field: str, value: Any) -> Condition:
    """Negated substring test. ``not_contains("email", "@spam")``"""
    return _criterion(field, "NOT_CONTAINS", value)


def contains_ignore_case(field: str, value: Any) -> Condition:
    """Case-insensitive substring test. ``contains_ignore_case("name", "ADA")``"""
    return _criterion(field, "CONTAINS_IGNORE_CASE", value)


def not_contains_ignore_case(field: str, value: Any) -> Condition:
    """Negated case-insensitive substring test. ``not_contains_ignore_case("name", "ADA")``"""
    return _criterion(field, "NOT_CONTAINS_IGNORE_CASE", value)


def starts_with(field: str, prefix: Any) -> Condition:
    """Prefix test. ``starts_with("name", "Ad")``"""
    return _criterion(field, "STARTS_WITH", prefix)


def not_starts_with(field: str, prefix: Any) -> Condition:
    """Negated prefix test. ``not_starts_with("name", "Ad")``"""
    return _criterion(field, "NOT_STARTS_WITH", prefix)


def matches(field: str, regex: str) -> Condition:
    """Full-string regular expression match. ``matches("sku", r"[A-Z]{3}-\\d+")``"""
    return _criterion(field, "MATCHES", regex)


def not_matches(field: str, regex: str) -> Condition:
    """Negated full-string regex match. ``not_matches("sku", r"TMP-.*")``"""
    return _criterion(field, "NOT_MATCHES", regex)


def is_null(field: str) -> Condition:
    """``field`` is null or missing. ``is_null("deletedAt")``"""
    return Criterion(_field(field), "IS_NULL")


def not_null(field: str) -> Condition:
    """``field`` has a value. ``not_null("deletedAt")``"""
    return Criterion(_field(field), "NOT_NULL")


@dataclass(frozen=True, slots=True)
class Sort(_ReadsAsDict):
    """One sort key. Build it with :func:`asc` or :func:`desc`.

    >>> desc("createdAt").to_wire()
    {'field': 'createdAt', 'order': 'DESC'}

    It also reads as the official SDK's dict (``direction``, not ``order``):

    >>> desc("createdAt")["direction"], asc("id") == {"field": "id", "direction": "ASC"}
    ('DESC', True)
    """

    field: str
    order: Literal["ASC", "DESC"] = "ASC"

    def to_wire(self) -> dict[str, str]:
        return {"field": self.field, "order": self.order}

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "direction": self.order}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sort):
            return (self.field, self.order) == (other.field, other.order)
        same = self._same(other)
        return NotImplemented if same is None else same

    @classmethod
    def from_official(cls, value: Mapping[str, Any]) -> Sort:
        """The sort an official ``{"field", "direction"}`` dict (or a wire ``order``) names."""
        direction = value.get("direction", value.get("order", "ASC"))
        if not isinstance(direction, str) or direction.upper() not in ("ASC", "DESC"):
            raise OnyxUsageError(f"a sort direction is ASC or DESC, got {direction!r}")
        return cls(_field(value.get("field")), "ASC" if direction.upper() == "ASC" else "DESC")


def asc(field: str) -> Sort:
    """Ascending sort on ``field``. ``db.from_table("User").order_by(asc("name"))``"""
    return Sort(_field(field), "ASC")


def desc(field: str) -> Sort:
    """Descending sort on ``field``. ``db.from_table("User").order_by(desc("createdAt"))``"""
    return Sort(_field(field), "DESC")
