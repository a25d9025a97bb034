"""Conditions, sort orders and keyset positions compiled to parameterized SQL.

Every criterion SQL can decide with the engine's exact rules (section 2-3 of the engine reference)
becomes a WHERE term; criterion values were already coerced to the column's type when parsed, and
stored values are in their column's canonical form, so SQLite's comparisons agree with the
engine's. Nulls are minus infinity: ``a < x`` is ``(a IS NULL OR a < x)`` and SQLite orders NULL
first ascending, last descending, like the engine. What SQL cannot say exactly (resolver and
embedded paths, MATCHES, full-text, values whose coercion failed, strings the engine orders by
UTF-16 units differently from code points) is left to the Python evaluator, which then runs on the
rows the exact part of the WHERE let through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from ._engine import (
    COMPARISONS,
    MEMBERSHIP,
    NULL_TESTS,
    RANGES,
    STRING_OPERATORS,
    Criterion,
    Node,
    Query,
    SortKey,
    Value,
    equals_ignore_case,
)
from ._schema import PARTITION_COLUMN, Entity
from ._values import to_storage

__all__ = [
    "Order",
    "Where",
    "compile_order",
    "compile_where",
    "keyset_after",
    "keyset_phases",
    "q",
    "register",
]

_INT64: Final = (-(2**63), 2**63 - 1)
_TEXTS: Final = frozenset({"String", "Char"})
_INTEGERS: Final = frozenset({"Byte", "Short", "Int", "Long"})
_EMBEDDED: Final = frozenset({"EmbeddedObject", "EmbeddedList"})
# Where UTF-8 byte order (SQLite's BINARY) and Java's UTF-16 order can disagree.
_HIGH: Final = "\ue000"
_INLINE_LIST: Final = 50


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _icontains(text: object, needle: object) -> int:
    if not isinstance(text, str) or not isinstance(needle, str):
        return 0
    return int(needle.lower() in text.lower() or needle.upper() in text.upper())


def _ieq(text: object, other: object) -> int:
    if not isinstance(text, str) or not isinstance(other, str):
        return 0
    return int(equals_ignore_case(text, other))


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions compiled conditions call (Kotlin's ignore-case rules)."""
    conn.create_function("onyx_ieq", 2, _ieq, deterministic=True)
    conn.create_function("onyx_icontains", 2, _icontains, deterministic=True)


@dataclass(frozen=True)
class Where:
    """A WHERE expression and its parameters; ``exact`` when it alone decides the conditions."""

    sql: str
    params: tuple[Any, ...]
    exact: bool


_TRUE = ("1", ())
_FALSE = ("0", ())
Term = tuple[str, tuple[Any, ...]]


def _fits(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    return _INT64[0] <= value <= _INT64[1]


def _plain(node: Criterion) -> bool:
    return len(node.path) == 1 and node.attr_type is not None and node.attr_type not in _EMBEDDED


def _coerced(value: object) -> bool:
    return isinstance(value, Value) and value.coerced


def _ordered_ok(attr_type: str, value: Any) -> bool:
    """Whether SQLite's order of this column against ``value`` is the engine's."""
    return not (attr_type in _TEXTS and isinstance(value, str) and value and max(value) >= _HIGH)


def _comparison(column: str, attr_type: str, operator: str, value: Any) -> Term | None:
    if value is None:
        return {
            "EQUAL": (f"{column} IS NULL", ()),
            "NOT_EQUAL": (f"{column} IS NOT NULL", ()),
            "GREATER_THAN": (f"{column} IS NOT NULL", ()),
            "GREATER_THAN_EQUAL": _TRUE,
            "LESS_THAN": _FALSE,
            "LESS_THAN_EQUAL": (f"{column} IS NULL", ()),
        }[operator]
    if not _fits(value):
        # Beyond any stored integer: every non-null record is on one side of it.
        above = value > 0
        below_all = {"GREATER_THAN": False, "GREATER_THAN_EQUAL": False, "EQUAL": False}
        if operator in below_all:
            return _FALSE if above else (f"{column} IS NOT NULL", ())
        if operator == "NOT_EQUAL":
            return _TRUE
        return _TRUE if above else (f"{column} IS NULL", ())
    if operator not in ("EQUAL", "NOT_EQUAL") and not _ordered_ok(attr_type, value):
        return None
    param = (to_storage(attr_type, value),)
    return {
        "EQUAL": (f"{column} = ?", param),
        "NOT_EQUAL": (f"{column} IS NOT ?", param),
        "GREATER_THAN": (f"{column} > ?", param),
        "GREATER_THAN_EQUAL": (f"{column} >= ?", param),
        "LESS_THAN": (f"({column} IS NULL OR {column} < ?)", param),
        "LESS_THAN_EQUAL": (f"({column} IS NULL OR {column} <= ?)", param),
    }[operator]


def _text_of(column: str, attr_type: str) -> str | None:
    """SQL for Kotlin's ``toString()`` of a column value (``"null"`` for null)."""
    if attr_type in _TEXTS:
        return f"COALESCE({column}, 'null')"
    if attr_type in _INTEGERS:
        return f"COALESCE(CAST({column} AS TEXT), 'null')"
    if attr_type == "Boolean":
        return (
            f"(CASE WHEN {column} IS NULL THEN 'null' WHEN {column} THEN 'true' ELSE 'false' END)"
        )
    return None


def _string_test(column: str, attr_type: str, operator: str, text: Any) -> Term | None:
    if not isinstance(text, str):
        return None  # MATCHES: a compiled pattern, evaluated in Python
    source = _text_of(column, attr_type)
    if source is None:
        return None
    negate = operator.startswith("NOT_")
    base = operator[4:] if negate else operator
    if base == "LIKE":
        term: Term = (f"onyx_ieq({source}, ?)", (text,))
    elif base == "CONTAINS":
        term = (f"instr({source}, ?) > 0", (text,))
    elif base == "CONTAINS_IGNORE_CASE":
        term = (f"onyx_icontains({source}, ?)", (text,))
    elif base == "STARTS_WITH":
        term = (f"substr({source}, 1, ?) = ?", (len(text), text))
    else:
        return None
    return (f"NOT ({term[0]})", term[1]) if negate else term


def _between(column: str, attr_type: str, operator: str, low: Any, high: Any) -> Term | None:
    if high is None:
        inside: Term = _FALSE
    elif not all(_fits(v) and _ordered_ok(attr_type, v) for v in (low, high)):
        return None
    elif low is None:
        inside = (f"{column} <= ?", (to_storage(attr_type, high),))
    else:
        inside = (
            f"({column} >= ? AND {column} <= ?)",
            (to_storage(attr_type, low), to_storage(attr_type, high)),
        )
    if operator == "BETWEEN":
        return inside
    if inside == _FALSE:
        return _TRUE
    # Null records are outside every range (null is minus infinity, below any lower bound).
    return (f"({column} IS NULL OR NOT {inside[0]})", inside[1])


def _membership(column: str, attr_type: str, operator: str, items: Sequence[Any]) -> Term:
    has_null = any(item is None for item in items)
    values = [to_storage(attr_type, v) for v in items if v is not None and _fits(v)]
    if not values:
        found: Term = (f"{column} IS NULL", ()) if has_null else _FALSE
    else:
        if len(values) <= _INLINE_LIST:
            listed: Term = (", ".join("?" * len(values)), tuple(values))
        else:
            listed = ("SELECT value FROM json_each(?)", (orjson.dumps(values).decode(),))
        found = (f"{column} IN ({listed[0]})", listed[1])
        if has_null:
            found = (f"({column} IS NULL OR {found[0]})", found[1])
    if operator == "IN":
        return found
    if found == _FALSE:
        return _TRUE
    if has_null:
        return (f"({column} IS NOT NULL AND NOT {found[0]})", found[1])
    return (f"({column} IS NULL OR NOT {found[0]})", found[1])


def _criterion(node: Criterion) -> Term | None:
    if not _plain(node):
        return None
    assert node.attr_type is not None
    column, attr_type, operator, value = q(node.path[0]), node.attr_type, node.operator, node.value
    if operator in NULL_TESTS:
        return (f"{column} {'IS' if operator == 'IS_NULL' else 'IS NOT'} NULL", ())
    if operator in COMPARISONS:
        return _comparison(column, attr_type, operator, value.value) if _coerced(value) else None
    if operator in STRING_OPERATORS:
        return _string_test(column, attr_type, operator, value)
    if operator in RANGES:
        low, high = value
        if not (_coerced(low) and _coerced(high)):
            return None
        return _between(column, attr_type, operator, low.value, high.value)
    if operator in MEMBERSHIP:
        if not all(_coerced(item) for item in value):
            return None
        return _membership(column, attr_type, operator, [item.value for item in value])
    return None


def _node(node: Node) -> tuple[Term, bool]:
    """A term that every match satisfies, and whether it is exactly the condition."""
    if isinstance(node, Criterion):
        term = _criterion(node)
        return (_TRUE, False) if term is None else (term, True)
    parts = [_node(child) for child in node.children]
    exact = all(e for _, e in parts)
    if node.operator == "AND":
        kept = [t for t, _ in parts if t != _TRUE]
        if not kept:
            return _TRUE, exact
        if _FALSE in kept:
            return _FALSE, exact
    else:
        if not exact:  # one undecidable child makes the whole OR undecidable in SQL
            return _TRUE, False
        kept = [t for t, _ in parts if t != _FALSE]
        if not kept:
            return _FALSE, True
        if _TRUE in kept:
            return _TRUE, True
    joiner = " AND " if node.operator == "AND" else " OR "
    sql = "(" + joiner.join(t[0] for t in kept) + ")"
    return (sql, tuple(p for t in kept for p in t[1])), exact


def compile_where(entity: Entity, query: Query, scope: str | None) -> Where:
    """The WHERE of a query: partition scope first (so ``(_partition, col)`` indexes serve),
    then the conditions."""
    terms: list[Term] = []
    if scope is not None:
        terms.append((f"{q(PARTITION_COLUMN)} = ?", (scope,)))
    elif not entity.partition:
        terms.append((f"{q(PARTITION_COLUMN)} = ''", ()))
    exact = True
    if query.conditions is not None:
        term, exact = _node(query.conditions)
        if term != _TRUE:
            terms.append(term)
    sql = " AND ".join(t[0] for t in terms) if terms else "1"
    return Where(sql, tuple(p for t in terms for p in t[1]), exact)


@dataclass(frozen=True)
class Order:
    """ORDER BY expressions with their direction; the last two are the identifier and the
    partition, which make the order total. ``columns`` maps each to the selected column index
    that carries its value (or -1 for "is not null" keys over embedded values)."""

    expressions: tuple[tuple[str, bool], ...]
    sources: tuple[tuple[str, bool], ...]  # (column name, presence-only)

    def sql(self) -> str:
        return ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d in self.expressions)


def _sortable(entity: Entity, key: SortKey) -> bool:
    return (
        key.selection is None
        and len(key.path) == 1
        and key.path[0] in entity.attributes
        and key.path[0] not in entity.resolvers
    )


def compile_order(entity: Entity, keys: Sequence[SortKey]) -> Order | None:
    """The SQL order of sort keys (then identifier and partition), or ``None`` when a key needs
    Python (functions, resolver or embedded paths, the search score)."""
    expressions: list[tuple[str, bool]] = []
    sources: list[tuple[str, bool]] = []
    for key in keys:
        if not _sortable(entity, key):
            return None
        name = key.path[0]
        if entity.attributes[name].type in _EMBEDDED:
            # Maps and lists do not compare (the engine's sort ties them): only null comes first.
            expressions.append((f"({q(name)} IS NOT NULL)", key.descending))
            sources.append((name, True))
        else:
            expressions.append((q(name), key.descending))
            sources.append((name, False))
    expressions += [(q(entity.identifier), False), (q(PARTITION_COLUMN), False)]
    sources += [(entity.identifier, False), (PARTITION_COLUMN, False)]
    return Order(tuple(expressions), tuple(sources))


def keyset_after(order: Order, position: Sequence[Any]) -> Term:
    """Rows strictly after ``position`` (one stored value per order expression) in ``order``."""

    def after(index: int) -> Term:
        if index == len(order.expressions):
            return _FALSE
        expression, descending = order.expressions[index]
        value = position[index]
        rest = after(index + 1)
        if value is None:
            beyond: Term = _FALSE if descending else (f"{expression} IS NOT NULL", ())
            same: Term = (f"{expression} IS NULL", ())
        else:
            op = "<" if descending else ">"
            beyond = (f"{expression} {op} ?", (value,))
            if descending:
                beyond = (f"({expression} < ? OR {expression} IS NULL)", (value,))
            same = (f"{expression} = ?", (value,))
        if rest == _FALSE:
            return beyond
        tail = (f"({same[0]} AND {rest[0]})", same[1] + rest[1])
        if beyond == _FALSE:
            return tail
        return (f"({beyond[0]} OR {tail[0]})", beyond[1] + tail[1])

    term = after(0)
    expression, descending = order.expressions[0]
    if position[0] is not None and not descending:
        # A range the first key's index can seek to; the disjunction alone would scan.
        term = (f"{expression} >= ? AND {term[0]}", (position[0], *term[1]))
    return term


def keyset_phases(order: Order, position: Sequence[Any]) -> list[Term]:
    """:func:`keyset_after` split so that each part is an index range: after a non-null value of
    a descending first key, the smaller values (a range), then the nulls (last descending);
    after a null of an ascending first key, the rest of the nulls, then every non-null value.
    Running the parts in turn gives the rows in order."""
    term = keyset_after(order, position)
    expression, descending = order.expressions[0]
    if position[0] is not None and descending:
        return [
            (f"{expression} <= ? AND {term[0]}", (position[0], *term[1])),
            (f"{expression} IS NULL", ()),
        ]
    if position[0] is None and not descending:
        return [(f"{expression} IS NULL AND {term[0]}", term[1]), (f"{expression} IS NOT NULL", ())]
    return [term]
