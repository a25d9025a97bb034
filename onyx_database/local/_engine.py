"""Query semantics of the Onyx engine: conditions, coercion, null as minus infinity, sort, limit.

Conditions are parsed once into a small tree of :class:`Criterion` and :class:`Compound`
nodes (every validation error surfaces here, before any row is read). ``_sql`` compiles what
SQL can decide exactly into the WHERE; the evaluator here is the reference for the rest
(resolver and embedded paths, MATCHES, full-text, criteria whose coercion failed) and runs only
on the rows SQL let through, and on change events for live streams.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from ._errors import ApiError, bad_request
from ._functions import Selection, apply_scalar, parse_selection
from ._regex import SafePattern, compile_pattern
from ._schema import Entity
from ._values import FAILED, coerce_criterion, java_string

__all__ = [
    "Compound",
    "Criterion",
    "FullText",
    "Node",
    "Query",
    "Runtime",
    "SortKey",
    "check_selection",
    "compare_nulls_first",
    "criteria",
    "equals_ignore_case",
    "extract",
    "matches",
    "parse_query",
    "partition_shortcut",
    "pushdown_equalities",
    "sort_records",
]

COMPARISONS: Final = frozenset(
    {"EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_EQUAL", "LESS_THAN", "LESS_THAN_EQUAL"}
)
STRING_OPERATORS: Final = frozenset(
    {
        "LIKE", "NOT_LIKE", "CONTAINS", "NOT_CONTAINS", "CONTAINS_IGNORE_CASE",
        "NOT_CONTAINS_IGNORE_CASE", "STARTS_WITH", "NOT_STARTS_WITH", "MATCHES", "NOT_MATCHES",
    }
)  # fmt: skip
RANGES: Final = frozenset({"BETWEEN", "NOT_BETWEEN"})
MEMBERSHIP: Final = frozenset({"IN", "NOT_IN"})
_INTEGER_TYPES: Final = frozenset({"Byte", "Short", "Int", "Long"})
ALIASES: Final = {"WITHIN": "IN", "NOT_WITHIN": "NOT_IN"}
FULL_TEXT_FIELD: Final = "__full_text__"
SCORE_FIELD: Final = "__score__"
NULL_TESTS: Final = frozenset({"IS_NULL", "NOT_NULL"})
LATER: Final = frozenset({"SEARCH", "SEARCH_CANDIDATES", "HNSW_CANDIDATES", "CANDIDATES"})
VECTOR_QUERY: Final = frozenset({"text", "semantic", "nearbyBucketRadius", "requireAllTerms"})
MAX_REGEX: Final = 10_000


class _TypeClash(Exception):
    """Two values of classes the engine cannot order (it fails the query)."""


def _incomparable() -> ApiError:
    return bad_request("Invalid Data Type to be used for comparison operator")


@dataclass(frozen=True)
class Value:
    """A criterion value: ``coerced`` means it already has the attribute's declared type;
    otherwise the engine rule converts the record value to the criterion's class."""

    value: Any
    coerced: bool


@dataclass(frozen=True)
class FullText:
    """A full-text criterion, already searched: the score of every hit by (partition, id text)."""

    hits: Mapping[tuple[str, str], float]
    id_attribute: str
    id_type: str
    partition_attribute: str
    partition_type: str | None

    def score(self, record: Mapping[str, Any]) -> float | None:
        """The record's score, or ``None`` when the search did not hit it."""
        partition = ""
        if self.partition_attribute and record.get(self.partition_attribute) is not None:
            partition = java_string(record[self.partition_attribute], self.partition_type)
        return self.hits.get((partition, java_string(record.get(self.id_attribute), self.id_type)))


class Runtime(Protocol):
    """What parsing needs from the executor: sub-queries and full-text searches."""

    def subquery(self, raw: Mapping[str, Any]) -> list[Any]: ...

    def full_text(
        self, entity: Entity, text: str, min_score: float | None
    ) -> Mapping[tuple[str, str], float]: ...


@dataclass(frozen=True)
class Criterion:
    path: tuple[str, ...]
    attr_type: str | None  # declared type when the path is a plain attribute
    operator: str
    value: Any  # Value, (Value, Value), tuple[Value, ...], str, re.Pattern or None


@dataclass(frozen=True)
class Compound:
    operator: str  # AND or OR
    children: tuple[Node, ...]


Node = Criterion | Compound


@dataclass(frozen=True)
class SortKey:
    path: tuple[str, ...]
    attr_type: str | None
    descending: bool
    selection: Selection | None = None  # a function or aggregate expression


@dataclass(frozen=True)
class Query:
    """A parsed SelectQuery; everything the engine needs, already validated."""

    conditions: Node | None
    sort: tuple[SortKey, ...]
    limit: int | None
    fields: tuple[str, ...] | None
    distinct: bool
    partition: str | None
    selections: tuple[Selection, ...] = ()
    group_by: tuple[Selection, ...] = ()
    resolvers: tuple[str, ...] = ()


# -- parsing ---------------------------------------------------------------------------------
def _resolve_path(entity: Entity, field: object) -> tuple[tuple[str, ...], str | None]:
    if not isinstance(field, str) or not field:
        raise bad_request("criteria field must be a non-empty string")
    path = tuple(field.split("."))
    attribute = entity.attributes.get(path[0])
    if attribute is None:
        if path[0] in entity.resolvers:
            return path, None
        raise bad_request(
            f"Entity attribute does not exist: {path[0]} not found on entity {entity.name}"
        )
    if len(path) == 1:
        return path, attribute.type
    if attribute.type not in ("EmbeddedObject", "EmbeddedList"):
        raise bad_request(
            f"Entity attribute does not exist: {field} not found on entity {entity.name}"
        )
    return path, None


def _value(attr_type: str | None, raw: object) -> Value:
    if attr_type is None:
        return Value(raw, False)
    coerced = coerce_criterion(attr_type, raw)
    if coerced is FAILED:
        return Value(raw, False)
    return Value(coerced, True)


def _compile_regex(pattern: str) -> SafePattern:
    # Time-limited and off the GIL (see _regex): one pattern must not stall the server.
    return compile_pattern(pattern, "MATCHES pattern")


def _full_text(entity: Entity, operator: str, value: object, runtime: Runtime | None) -> Criterion:
    if operator != "MATCHES":
        raise bad_request(f"{FULL_TEXT_FIELD} only supports MATCHES, got {operator}")
    if isinstance(value, str):
        value = {"queryText": value}
    if isinstance(value, Mapping) and "queryText" not in value and value.keys() & VECTOR_QUERY:
        # A VectorSearchQuery (official SDK 2.5.2): searching its missing queryText would be a
        # silent wrong answer.
        raise ApiError(
            501,
            "NOT_IMPLEMENTED",
            "vector search queries (text/semantic VectorSearchQuery) are not supported by "
            "Onyx Local: it has no embedding model or vector index",
        )
    if not isinstance(value, Mapping) or not isinstance(value.get("queryText"), str | None):
        raise bad_request(f"{FULL_TEXT_FIELD} MATCHES needs {{queryText, minScore}} as its value")
    min_score = value.get("minScore")
    if min_score is not None and (
        isinstance(min_score, bool) or not isinstance(min_score, int | float)
    ):
        raise bad_request("minScore must be a number or null")
    if runtime is None:
        raise ApiError(501, "NOT_IMPLEMENTED", "full-text search is not available here")
    hits = runtime.full_text(
        entity, value.get("queryText") or "", None if min_score is None else float(min_score)
    )
    partition_type = entity.attributes[entity.partition].type if entity.partition else None
    search = FullText(
        hits, entity.identifier, entity.id_attribute.type, entity.partition, partition_type
    )
    return Criterion((FULL_TEXT_FIELD,), None, "FULL_TEXT", search)


def _criterion(entity: Entity, raw: object, runtime: Runtime | None) -> Criterion:
    if not isinstance(raw, Mapping):
        raise bad_request("criteria must be an object with field, operator and value")
    operator = raw.get("operator")
    if not isinstance(operator, str):
        raise bad_request("criteria operator must be a string")
    operator = operator.upper()
    operator = ALIASES.get(operator, operator)
    if operator in LATER:
        raise ApiError(
            501, "NOT_IMPLEMENTED", f"operator {operator} is not supported by Onyx Local yet"
        )
    if raw.get("field") == FULL_TEXT_FIELD:
        return _full_text(entity, operator, raw.get("value"), runtime)
    path, attr_type = _resolve_path(entity, raw.get("field"))
    value = raw.get("value")
    if operator in NULL_TESTS:
        return Criterion(path, attr_type, operator, None)
    if operator in COMPARISONS:
        return Criterion(path, attr_type, operator, _value(attr_type, value))
    if operator in STRING_OPERATORS:
        text = java_string(value)
        if operator.endswith("MATCHES"):
            return Criterion(path, attr_type, operator, _compile_regex(text))
        return Criterion(path, attr_type, operator, text)
    if operator in RANGES:
        if isinstance(value, list) and len(value) == 2:
            low, high = value
        elif isinstance(value, Mapping) and set(value) >= {"from", "to"}:
            low, high = value["from"], value["to"]
        else:
            raise bad_request(f'{operator} needs [from, to] or {{"from", "to"}} as its value')
        return Criterion(
            path, attr_type, operator, (_value(attr_type, low), _value(attr_type, high))
        )
    if operator in MEMBERSHIP:
        if isinstance(value, Mapping):
            if runtime is None:
                raise ApiError(501, "NOT_IMPLEMENTED", "sub-queries are not available here")
            value = runtime.subquery(value)
        if not isinstance(value, list):
            raise bad_request(
                f"{operator} needs a list value "
                "(Invalid Data Type to be used for comparison operator)"
            )
        return Criterion(
            path,
            attr_type,
            operator,
            tuple(_value(attr_type, _member(attr_type, v)) for v in value),
        )
    raise bad_request(f"Unknown query operator {operator!r}")


def _member(attr_type: str | None, value: object) -> object:
    """IN elements are converted to the record's type: 3.7 against an Int column is 3."""
    if (
        attr_type in _INTEGER_TYPES
        and isinstance(value, float)
        and math.isfinite(value)
        and not value.is_integer()
    ):
        return math.trunc(value)
    return value


def parse_condition(entity: Entity, raw: object, runtime: Runtime | None = None) -> Node | None:
    """The condition tree of a request (``None`` when there is none)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise bad_request("conditions must be an object")
    kind = raw.get("conditionType")
    if kind == "SingleCondition" or (kind is None and "criteria" in raw):
        return _criterion(entity, raw.get("criteria"), runtime)
    if kind == "CompoundCondition" or (kind is None and "conditions" in raw):
        operator = raw.get("operator", "AND")
        if not isinstance(operator, str) or operator.upper() not in ("AND", "OR"):
            raise bad_request(f"compound operator must be AND or OR, got {operator!r}")
        children = raw.get("conditions")
        if children is None:
            children = []
        if not isinstance(children, list):
            raise bad_request("compound conditions must be a list")
        parsed = [parse_condition(entity, child, runtime) for child in children]
        return Compound(operator.upper(), tuple(c for c in parsed if c is not None))
    raise bad_request(f"unknown conditionType {kind!r}")


def _sort(entity: Entity, raw: object) -> tuple[SortKey, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise bad_request("sort must be a list of {field, order}")
    keys = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise bad_request("sort items must be objects with field and order")
        field = item.get("field")
        selection = None
        if isinstance(field, str) and "(" in field:
            selection = check_selection(entity, field)
            path, attr_type = selection.path, _type_of(entity, selection.path)
        elif field == SCORE_FIELD:
            path, attr_type = (SCORE_FIELD,), None
        else:
            path, attr_type = _resolve_path(entity, field)
        direction = item.get("order", item.get("direction"))
        if direction is None:
            direction = "ASC"
        if not isinstance(direction, str) or direction.upper() not in ("ASC", "DESC"):
            raise bad_request(f"sort order must be ASC or DESC, got {direction!r}")
        keys.append(SortKey(path, attr_type, direction.upper() == "DESC", selection))
    return tuple(keys)


def _type_of(entity: Entity, path: tuple[str, ...]) -> str | None:
    attribute = entity.attributes.get(path[0])
    return attribute.type if attribute is not None and len(path) == 1 else None


def check_selection(entity: Entity, text: str) -> Selection:
    """A selection (plain path or function) whose attribute exists on the entity."""
    selection = parse_selection(text)
    if selection.path in (("*",), (SCORE_FIELD,)) and selection.function in (None, "count"):
        return selection
    _resolve_path(entity, ".".join(selection.path))
    return selection


def _strings(body: Mapping[str, Any], key: str) -> list[str]:
    raw = body.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise bad_request(f"{key} must be a list of strings")
    return list(raw)


def parse_query(
    entity: Entity, body: object, partition_param: str | None, runtime: Runtime | None = None
) -> Query:
    """Validate a SelectQuery body (every key optional) against an entity."""
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise bad_request("the query body must be a JSON object")
    limit = body.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise bad_request("limit must be an integer")
    if isinstance(limit, int) and limit < 0:
        limit = None
    fields = _strings(body, "fields")
    selections = tuple(check_selection(entity, name) for name in fields)
    group_by = tuple(check_selection(entity, name) for name in _strings(body, "groupBy"))
    for group in group_by:
        if group.is_aggregate:
            raise bad_request(f"cannot group by an aggregate: {group.text!r}")
    resolvers = tuple(_strings(body, "resolvers"))
    for name in resolvers:
        if name.split(".")[0] not in entity.resolvers:
            raise bad_request(f"Resolver {name.split('.')[0]!r} is not defined on {entity.name}")
    distinct = body.get("distinct")
    if distinct is not None and not isinstance(distinct, bool):
        raise bad_request("distinct must be a boolean")
    partition = body.get("partition")
    if partition is not None and not isinstance(partition, str | int):
        raise bad_request("partition must be a string")
    if partition in (None, ""):
        partition = partition_param or None
    return Query(
        conditions=parse_condition(entity, body.get("conditions"), runtime),
        sort=_sort(entity, body.get("sort")),
        limit=limit,
        fields=tuple(fields) if fields else None,
        distinct=bool(distinct),
        partition=None if partition is None else str(partition),
        selections=selections,
        group_by=group_by,
        resolvers=resolvers,
    )


# -- partition scope and SQL prefilter -------------------------------------------------------
def _walk(node: Node | None) -> Iterable[Criterion]:
    if isinstance(node, Criterion):
        yield node
    elif isinstance(node, Compound):
        for child in node.children:
            yield from _walk(child)


def partition_shortcut(entity: Entity, node: Node | None) -> str | None:
    """The engine scopes a query to the partition named by any EQUAL on the partition attribute."""
    if not entity.partition:
        return None
    for criterion in _walk(node):
        if criterion.operator == "EQUAL" and criterion.path == (entity.partition,):
            value = criterion.value
            if isinstance(value, Value) and value.value is not None:
                attribute = entity.attributes[entity.partition]
                return java_string(value.value, attribute.type if value.coerced else None)
    return None


def pushdown_equalities(node: Node | None) -> list[tuple[str, Any]]:
    """EQUALs on plain attributes that every match must satisfy (a safe SQL prefilter)."""
    if isinstance(node, Compound) and node.operator == "AND":
        found: list[tuple[str, Any]] = []
        for child in node.children:
            found += pushdown_equalities(child) if isinstance(child, Criterion) else []
        return found
    if isinstance(node, Criterion) and node.operator == "EQUAL" and len(node.path) == 1:
        value = node.value
        if (
            isinstance(value, Value)
            and value.coerced
            and value.value is not None
            and node.attr_type not in ("EmbeddedObject", "EmbeddedList", "Float", "Double")
            and not (isinstance(value.value, int) and not -(2**63) <= value.value < 2**63)
            and not (isinstance(value.value, float) and not value.value.is_integer())
        ):
            return [(node.path[0], value.value)]
    return []


# -- evaluation ------------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)


def _order(a: Any, b: Any) -> int:
    """Compare two non-null values of one class, like ``compareTo``."""
    if isinstance(a, str) and isinstance(b, str):
        if a.isascii() and b.isascii():
            return (a > b) - (a < b)
        ka, kb = a.encode("utf-16-be"), b.encode("utf-16-be")
        return (ka > kb) - (ka < kb)
    if isinstance(a, bool) and isinstance(b, bool):
        return int(a) - int(b)
    numeric = (int, float)
    if (
        isinstance(a, numeric)
        and isinstance(b, numeric)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return (a > b) - (a < b)
    raise _TypeClash


def _convert(record_value: Any, criterion: Any, attr_type: str | None) -> Any:
    """The engine rule: the record value takes the class of the criterion value."""
    if record_value is None or criterion is None:
        return record_value
    if isinstance(criterion, bool):
        return record_value if isinstance(record_value, bool) else None
    if isinstance(criterion, int | float):
        if isinstance(record_value, bool) or not isinstance(record_value, int | float):
            return None
        if isinstance(criterion, int) and isinstance(record_value, float):
            return int(record_value) if math.isfinite(record_value) else None
        return record_value
    if isinstance(criterion, str):
        return java_string(record_value, attr_type)
    return record_value


def _prepare(record_value: Any, value: Value, attr_type: str | None) -> tuple[Any, Any]:
    if value.coerced:
        return record_value, value.value
    return _convert(record_value, value.value, attr_type), value.value


def _compare(operator: str, rec: Any, crit: Any) -> bool:
    if operator == "EQUAL":
        return _same(rec, crit)
    if operator == "NOT_EQUAL":
        return not _same(rec, crit)
    if operator == "GREATER_THAN":
        return rec is not None and (crit is None or _order(rec, crit) > 0)
    if operator == "GREATER_THAN_EQUAL":
        return crit is None or (rec is not None and _order(rec, crit) >= 0)
    if operator == "LESS_THAN":
        return crit is not None and (rec is None or _order(rec, crit) < 0)
    # LESS_THAN_EQUAL
    if crit is None:
        return rec is None
    return rec is None or _order(rec, crit) <= 0


def equals_ignore_case(a: str, b: str) -> bool:
    """Kotlin's ``equals(ignoreCase = true)``: per character, upper or lower case equal."""
    if len(a) != len(b):
        return False
    return all(
        x == y or x.upper() == y.upper() or x.lower() == y.lower()
        for x, y in zip(a, b, strict=True)
    )


def _string_test(operator: str, text: str, criterion: Any) -> bool:
    negate = operator.startswith("NOT_")
    base = operator[4:] if negate else operator
    if base == "LIKE":
        result = equals_ignore_case(text, criterion)
    elif base == "CONTAINS":
        result = criterion in text
    elif base == "CONTAINS_IGNORE_CASE":
        result = criterion.lower() in text.lower() or criterion.upper() in text.upper()
    elif base == "STARTS_WITH":
        result = text.startswith(criterion)
    else:
        result = criterion.fullmatch(text) is not None
    return result != negate


def _test_value(criterion: Criterion, rec: Any) -> bool:
    operator = criterion.operator
    attr_type = criterion.attr_type
    if operator == "IS_NULL":
        return rec is None
    if operator == "NOT_NULL":
        return rec is not None
    if operator in STRING_OPERATORS:
        return _string_test(operator, java_string(rec, attr_type), criterion.value)
    if operator in COMPARISONS:
        left, right = _prepare(rec, criterion.value, attr_type)
        return _compare(operator, left, right)
    if operator in RANGES:
        low, high = criterion.value
        inside = False
        if rec is not None and high.value is not None:
            left, upper = _prepare(rec, high, attr_type)
            lower_rec, lower = _prepare(rec, low, attr_type)
            inside = (
                left is not None
                and _order(left, upper) <= 0
                and (lower is None or (lower_rec is not None and _order(lower_rec, lower) >= 0))
            )
        return inside != (operator == "NOT_BETWEEN")
    found = any(_same(*_prepare(rec, item, attr_type)) for item in criterion.value)
    return found != (operator == "NOT_IN")


def _extract(record: Mapping[str, Any], path: Sequence[str]) -> tuple[Any, bool]:
    """The value at a path and whether it fans out over a list (any element may match)."""
    value: Any = record.get(path[0])
    for depth, segment in enumerate(path[1:], start=1):
        if isinstance(value, list):
            # Engine quirk: at a list the next segment maps over the elements and the walk stops.
            return [_step(item, segment) for item in value], True
        value = _step(value, segment)
        if value is None:
            return None, False
        if depth == len(path) - 1 and isinstance(value, list):
            return value, True
    return value, False


def _step(value: Any, segment: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(segment)
    # ASCII only: "²" is a digit to isdigit() but not to int(); 19+ digits are out of range.
    if isinstance(value, list) and segment.isascii() and segment.isdigit():
        index = int(segment) if len(segment) < 19 else len(value)
        return value[index] if index < len(value) else None
    return None


def _test(criterion: Criterion, record: Mapping[str, Any]) -> bool:
    if isinstance(criterion.value, FullText):
        return criterion.value.score(record) is not None
    value, fans_out = _extract(record, criterion.path)
    if fans_out:
        return any(_test_value(criterion, item) for item in value)
    return _test_value(criterion, value)


def _evaluate(node: Node, record: Mapping[str, Any]) -> bool:
    if isinstance(node, Criterion):
        return _test(node, record)
    if node.operator == "AND":
        return all(_evaluate(child, record) for child in node.children)
    return any(_evaluate(child, record) for child in node.children)


def matches(node: Node | None) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate for records; incomparable values fail the query with 400 like the engine."""
    if node is None:
        return lambda record: True

    def predicate(record: Mapping[str, Any]) -> bool:
        try:
            return _evaluate(node, record)
        except _TypeClash:
            raise _incomparable() from None
        except RecursionError:
            raise bad_request("the condition tree is too deep") from None

    return predicate


# -- sort --------------------------------------------------------------------------------------
def _sort_value(record: Mapping[str, Any], key: SortKey) -> Any:
    value, _ = _extract(record, key.path)
    if key.selection is not None and not key.selection.is_aggregate:
        return apply_scalar(key.selection, value, key.attr_type)
    return value


def _null_first(a: Any, b: Any) -> int:
    if a is None or b is None:
        return (b is None) - (a is None)
    try:
        return _order(a, b)
    except _TypeClash:
        return 0


def sort_records(
    entity: Entity, rows: list[tuple[str, dict[str, Any]]], keys: Sequence[SortKey]
) -> list[tuple[str, dict[str, Any]]]:
    """Sort by the requested keys (nulls first ascending, last descending), then by primary key
    and partition so that the order is total and pages are stable."""
    identifier = entity.identifier

    def compare(left: tuple[str, dict[str, Any]], right: tuple[str, dict[str, Any]]) -> int:
        for key in keys:
            result = _null_first(_sort_value(left[1], key), _sort_value(right[1], key))
            if result:
                return -result if key.descending else result
        result = _null_first(left[1].get(identifier), right[1].get(identifier))
        if result:
            return result
        return (left[0] > right[0]) - (left[0] < right[0])

    return sorted(rows, key=functools.cmp_to_key(compare))


def extract(record: Mapping[str, Any], path: Sequence[str]) -> tuple[Any, bool]:
    """The value at a path and whether it fans out over a list (the engine's walk, section 3.4)."""
    return _extract(record, path)


def criteria(node: Node | None) -> list[Criterion]:
    """Every criterion of a condition tree."""
    return list(_walk(node))


def compare_nulls_first(a: Any, b: Any) -> int:
    """The sort order: null below everything, incomparable values tie."""
    return _null_first(a, b)
