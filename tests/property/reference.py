"""A plain-Python reference evaluator of Onyx query semantics, written from
``reference/engine-semantics.md`` (sections 2-5) and independent of Onyx Local's engine.

It answers what a SelectQuery over a list of records must return: the matching records (conditions,
with coercion of criterion values to the declared attribute type, null as minus infinity and the
``"null"``-string quirk), sorted, limited and projected.

Records hold Python values already in their declared types: ``str``, ``int`` (Int, Long),
``float`` (Double), ``bool`` (Boolean), ``datetime`` in UTC with millisecond precision (Timestamp)
or ``None``.

Restrictions (documented, enforced by the generators in ``test_query_properties.py``):

* Doubles are 0 or have a magnitude in ``[1e-3, 1e7)``: there Java's ``Double.toString`` and
  Python's ``repr`` agree (``3.0``, ``0.125``); outside it Java switches to ``1.0E7``/``1.0E-4``.
* Strings stay in the Basic Multilingual Plane with simple case folding (ASCII plus ``é``/``É``), so
  code-point order equals Java's UTF-16 order and Python's ``lower()`` equals Kotlin's
  ``equals(ignoreCase = true)``.
* String operators (LIKE, CONTAINS, STARTS_WITH, MATCHES and negations) compare the
  ``toString()`` of the record with the ``toString()`` of the criterion *as sent*. The spec's
  "coerce the criterion to the declared type first" would change the criterion's rendering only
  for non-canonical spellings (``"5"`` on a Double would print ``5.0``), so the generators only send
  canonical spellings or non-numeric text, where both readings agree.
* BETWEEN with a null lower bound over a null record: the spec's table says "record null → false"
  and "null lower bound → no lower bound"; we take the record rule first (false).
* Comparison criteria on Int/Long attributes are whole numbers (or strings of them): whether
  ``intAttr > 2.5`` truncates the criterion is an open question (§13.1). IN/NOT_IN elements may
  be fractional: §3.5 converts each element to the record's type, truncating.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = [
    "FAILED",
    "And",
    "Leaf",
    "Node",
    "Or",
    "Query",
    "aggregate",
    "aggregate_rows",
    "coerce",
    "evaluate",
    "java_string",
    "matches",
    "parse_timestamp",
    "render",
    "run",
]


class _Failed:
    def __repr__(self) -> str:
        return "FAILED"


FAILED: Any = _Failed()
"""Marker: the criterion value cannot take the declared type (the engine rule then applies)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_KOTLIN = re.compile(r"^(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}):(\d{2}) (AM|PM) UTC$")


# -- values -------------------------------------------------------------------------------------
def parse_timestamp(value: object) -> datetime | None:
    """The forms §1 lists: ISO-8601 UTC (with or without millis), ``yyyy-MM-dd`` (midnight UTC),
    Kotlin's ``MM/dd/yyyy hh:mm:ss a z`` (UTC only here) and epoch millis."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _EPOCH + timedelta(milliseconds=value)
    if not isinstance(value, str):
        return None
    if m := _ISO.match(value):
        y, mo, d, h, mi, s, ms = m.groups()
        millis = int((ms or "0").ljust(3, "0"))
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), millis * 1000, UTC)
    if m := _DAY.match(value):
        return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
    if m := _KOTLIN.match(value):
        mo, d, y, h, mi, s, half = m.groups()
        hour = int(h) % 12 + (12 if half == "PM" else 0)
        return datetime(int(y), int(mo), int(d), hour, int(mi), int(s), tzinfo=UTC)
    return None


def iso(moment: datetime) -> str:
    """How the server prints a Timestamp: ISO-8601 UTC with milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def java_double(number: float) -> str:
    """``Double.toString`` within the restricted range (see the module docstring)."""
    if number == 0:
        return "0.0"
    assert 1e-3 <= abs(number) < 1e7, number
    text = repr(number)
    return text if "." in text else text + ".0"


def java_string(value: Any) -> str:
    """Kotlin's ``toString()`` of a value, as the string operators see it (§2.2, §3.2)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, datetime):
        u = value.astimezone(UTC)
        return (
            f"{_DAYS[u.weekday()]} {_MONTHS[u.month - 1]} {u.day:02d} "
            f"{u.hour:02d}:{u.minute:02d}:{u.second:02d} UTC {u.year}"
        )
    if isinstance(value, date):  # pragma: no cover - not generated
        raise TypeError(value)
    return str(value)


def _parse_number(text: str) -> int | float | None:
    try:
        return int(text.strip())
    except ValueError:
        pass
    try:
        return float(text.strip())
    except ValueError:
        return None


def coerce(attr_type: str, value: Any, *, truncate: bool = False) -> Any:
    """``value`` in the declared type (§2.2 cloud recommendation), or :data:`FAILED`.

    ``truncate``: Int/Long conversion of a fractional number truncates (IN/NOT_IN elements,
    §3.5); otherwise fractions are kept so comparisons stay numeric.
    """
    if value is None:
        return None
    if attr_type == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return java_string(value)
        return FAILED
    if attr_type in ("Int", "Long"):
        number = _parse_number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int | float):
            return FAILED
        if isinstance(number, float) and (truncate or number.is_integer()):
            return int(number)
        return number
    if attr_type == "Double":
        number = _parse_number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int | float):
            return FAILED
        return float(number)
    if attr_type == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return FAILED
    if attr_type == "Timestamp":
        parsed = parse_timestamp(value)
        return FAILED if parsed is None else parsed
    raise ValueError(f"unsupported type {attr_type}")


def _engine_convert(record_value: Any, criterion: Any) -> Any:
    """The engine rule (§2.2) when coercion failed: the record value takes the criterion's class.
    Only String criteria are generated for failed coercions: the record becomes its toString()."""
    if record_value is None:
        return None
    if isinstance(criterion, str):
        return java_string(record_value)
    raise AssertionError(f"unexpected failed coercion of {criterion!r}")  # pragma: no cover


# -- conditions ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    field: str
    operator: str
    value: Any = None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Leaf | And | Or

_STRING_OPS = frozenset(
    {
        "LIKE",
        "NOT_LIKE",
        "CONTAINS",
        "NOT_CONTAINS",
        "CONTAINS_IGNORE_CASE",
        "NOT_CONTAINS_IGNORE_CASE",
        "STARTS_WITH",
        "NOT_STARTS_WITH",
        "MATCHES",
        "NOT_MATCHES",
    }
)


def _lt(a: Any, b: Any) -> bool:
    """``a < b`` with null as minus infinity."""
    if b is None:
        return False
    if a is None:
        return True
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    if a is None:
        return True
    if b is None:
        return False
    return bool(a <= b)


def _compare(operator: str, rec: Any, crit: Any) -> bool:
    if operator == "EQUAL":
        return rec == crit if rec is not None and crit is not None else rec is crit is None
    if operator == "NOT_EQUAL":
        return not _compare("EQUAL", rec, crit)
    if operator == "LESS_THAN":
        return _lt(rec, crit)
    if operator == "LESS_THAN_EQUAL":
        return _le(rec, crit)
    if operator == "GREATER_THAN":
        return _lt(crit, rec)
    if operator == "GREATER_THAN_EQUAL":
        return _le(crit, rec)
    raise ValueError(operator)


def _string_op(operator: str, text: str, pattern: str) -> bool:
    negated = operator.startswith("NOT_")
    base = operator[4:] if negated else operator
    if base == "LIKE":
        result = text.lower() == pattern.lower()
    elif base == "CONTAINS":
        result = pattern in text
    elif base == "CONTAINS_IGNORE_CASE":
        result = pattern.lower() in text.lower()
    elif base == "STARTS_WITH":
        result = text.startswith(pattern)
    elif base == "MATCHES":
        result = re.fullmatch(pattern, text) is not None
    else:  # pragma: no cover
        raise ValueError(operator)
    return result != negated


def matches(leaf: Leaf, record: Mapping[str, Any], types: Mapping[str, str]) -> bool:
    """One criterion against one record (§2-§3)."""
    attr_type = types[leaf.field]
    rec = record.get(leaf.field)
    op = leaf.operator
    if op == "IS_NULL":
        return rec is None
    if op == "NOT_NULL":
        return rec is not None
    if op in _STRING_OPS:
        pattern = leaf.value if isinstance(leaf.value, str) else java_string(leaf.value)
        return _string_op(op, java_string(rec), pattern)
    if op in ("IN", "NOT_IN"):
        values = [coerce(attr_type, v, truncate=True) for v in leaf.value]
        assert FAILED not in values, leaf
        found = any(_compare("EQUAL", rec, v) for v in values)
        return found if op == "IN" else not found
    if op in ("BETWEEN", "NOT_BETWEEN"):
        lo, hi = (coerce(attr_type, v) for v in leaf.value)
        assert FAILED not in (lo, hi), leaf
        # record null: false; null upper bound: nothing; null lower bound: no lower bound
        inside = rec is not None and hi is not None and (lo is None or lo <= rec) and rec <= hi
        return inside if op == "BETWEEN" else not inside
    crit = coerce(attr_type, leaf.value)
    if crit is FAILED:
        crit = leaf.value
        rec = _engine_convert(rec, crit)
    return _compare(op, rec, crit)


def evaluate(node: Node | None, record: Mapping[str, Any], types: Mapping[str, str]) -> bool:
    """A condition tree (§3.3): AND = all children, OR = any child, no tree = every record."""
    if node is None:
        return True
    if isinstance(node, Leaf):
        return matches(node, record, types)
    if isinstance(node, And):
        return all(evaluate(child, record, types) for child in node.children)
    return any(evaluate(child, record, types) for child in node.children)


# -- sort, limit, projection --------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    conditions: Node | None = None
    sort: tuple[tuple[str, str], ...] = ()  # (field, "ASC" | "DESC")
    limit: int | None = None
    fields: tuple[str, ...] | None = None
    distinct: bool = False


def _null_low(a: Any, b: Any) -> int:
    if a is None or b is None:
        return (a is not None) - (b is not None)
    return (a > b) - (a < b)


def sort_records(
    records: Sequence[Mapping[str, Any]], sort: Sequence[tuple[str, str]], key: str
) -> list[Mapping[str, Any]]:
    """§4.1: each key in order (null lowest: first ascending, last descending), then the
    primary key ascending."""

    def compare(left: Mapping[str, Any], right: Mapping[str, Any]) -> int:
        for name, order in sort:
            result = _null_low(left.get(name), right.get(name))
            if result:
                return -result if order == "DESC" else result
        return _null_low(left.get(key), right.get(key))

    return sorted(records, key=functools.cmp_to_key(compare))


def render_value(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def render(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the server answers it (Timestamps as ISO strings)."""
    return {name: render_value(value) for name, value in record.items()}


def run(
    query: Query, records: Sequence[Mapping[str, Any]], types: Mapping[str, str], key: str = "id"
) -> list[dict[str, Any]]:
    """Rows of ``query`` over ``records``: filtered, sorted, projected, de-duplicated (when
    ``distinct``: first occurrence kept), limited — in that order (§4.2, §5)."""
    hits = [r for r in records if evaluate(query.conditions, r, types)]
    ordered = sort_records(hits, query.sort, key)
    rows: list[dict[str, Any]]
    if query.fields is None:
        rows = [render(r) for r in ordered]
    else:
        rows = [{f: render_value(r.get(f)) for f in query.fields} for r in ordered]
        if query.distinct:
            unique: list[dict[str, Any]] = []
            for row in rows:
                if row not in unique:
                    unique.append(row)
            rows = unique
    if query.limit is not None:
        rows = rows[: query.limit]
    return rows


def count(query: Query, records: Sequence[Mapping[str, Any]], types: Mapping[str, str]) -> int:
    """§4.4: the number of matches, ignoring limit (distinct projection: distinct rows)."""
    return len(run(Query(query.conditions, (), None, query.fields, query.distinct), records, types))


# -- aggregates and grouping (§5.4, §5.5) -------------------------------------------------------
NUMERIC = frozenset({"Int", "Long", "Double"})


def _cast_back(number: float | None, attr_type: str) -> Any:
    """An aggregate result in its attribute's type: Int/Long truncate toward zero."""
    if number is None:
        return None
    return int(number) if attr_type in ("Int", "Long") else float(number)


def aggregate(function: str, values: Sequence[Any], attr_type: str) -> Any:
    """One aggregate over the values of the matching rows (``None`` for a null value)."""
    rows = len(values)
    as_numbers = [
        float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0 for v in values
    ]
    present = [v for v in values if v is not None]
    if function == "count":
        return rows
    if function == "min":
        if not present:
            return None
        return None if len(present) < rows else render_value(min(present))
    if function == "max":
        return render_value(max(present)) if present else None
    if rows == 0:
        return None
    if function == "sum":
        return _cast_back(sum(as_numbers), attr_type)
    if function == "avg":
        return _cast_back(sum(as_numbers) / rows, attr_type)
    if function in ("std", "variance"):
        mean = sum(as_numbers) / rows
        variance = max(sum(x * x for x in as_numbers) / rows - mean * mean, 0.0)
        return variance if function == "variance" else variance**0.5
    if function == "median":
        ordered = sorted(float(v) for v in present)
        if not ordered:
            return None
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return _cast_back(ordered[middle], attr_type)
        return _cast_back((ordered[middle - 1] + ordered[middle]) / 2, attr_type)
    raise ValueError(function)


def aggregate_rows(
    conditions: Node | None,
    selections: Sequence[tuple[str, str]],
    group_by: Sequence[str],
    records: Sequence[Mapping[str, Any]],
    types: Mapping[str, str],
) -> list[dict[str, Any]]:
    """``select(*group_by, *f"{fn}({field})") … group_by(*group_by)``: one row per group (in no
    particular order), or exactly one row without ``group_by``. Keys are the selection strings."""
    hits = [r for r in records if evaluate(conditions, r, types)]
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    if group_by:
        for record in hits:
            groups.setdefault(tuple(record.get(g) for g in group_by), []).append(record)
    else:
        groups[()] = hits
    out = []
    for key, members in groups.items():
        row: dict[str, Any] = {g: render_value(v) for g, v in zip(group_by, key, strict=True)}
        for function, name in selections:
            row[f"{function}({name})"] = aggregate(
                function, [m.get(name) for m in members], types[name]
            )
        out.append(row)
    return out
