"""Selection helpers: aggregate and function expressions for ``select(...)``.

Each helper returns the exact string the official TypeScript and Python SDKs send, and the server
keys result rows by that string, so you can look values up with the same call::

    rows = db.select(avg("age"), "status").from_table("User").group_by("status").list()
    rows[0][avg("age")]

>>> substring("lastName", 0, 8), replace("lastName", "-", "_"), percentile("age", 75)
('substring(lastName,0,8)', "replace(lastName, '-', '_')", 'percentile(age, 75)')

``sum``, ``min``, ``max`` and ``format`` shadow Python builtins when star-imported or imported by
name, as in the official SDK; the aliases ``sum_``, ``min_``, ``max_`` and ``format_`` are the same
functions.
"""

from __future__ import annotations

import math

from ._errors import OnyxUsageError

__all__ = [
    "avg",
    "count",
    "format",
    "format_",
    "lower",
    "max",
    "max_",
    "median",
    "min",
    "min_",
    "percentile",
    "replace",
    "std",
    "substring",
    "sum",
    "sum_",
    "upper",
    "variance",
]


def _attribute(attribute: object, helper: str) -> str:
    if not isinstance(attribute, str) or not attribute.strip():
        raise OnyxUsageError(f"{helper}() needs a non-empty attribute name, got {attribute!r}")
    if any(char in attribute for char in "(),'\""):
        raise OnyxUsageError(
            f"{helper}() takes an attribute name (dotted paths allowed), got {attribute!r}"
        )
    return attribute


def _quoted(text: object, helper: str, what: str) -> str:
    if not isinstance(text, str):
        raise OnyxUsageError(f"{helper}() needs {what} as a string, got {type(text).__name__}")
    return "'" + text.replace("'", "\\'") + "'"


def _aggregate(name: str, attribute: object) -> str:
    return f"{name}({_attribute(attribute, name)})"


def avg(attribute: str) -> str:
    """Average of ``attribute``. ``avg("age")`` → ``'avg(age)'``"""
    return _aggregate("avg", attribute)


def sum(attribute: str) -> str:
    """Sum of ``attribute``. ``sum("total")`` → ``'sum(total)'``"""
    return _aggregate("sum", attribute)


def count(attribute: str) -> str:
    """Number of values of ``attribute``. ``count("id")`` → ``'count(id)'``"""
    return _aggregate("count", attribute)


def min(attribute: str) -> str:
    """Smallest value of ``attribute``. ``min("age")`` → ``'min(age)'``"""
    return _aggregate("min", attribute)


def max(attribute: str) -> str:
    """Largest value of ``attribute``. ``max("age")`` → ``'max(age)'``"""
    return _aggregate("max", attribute)


def median(attribute: str) -> str:
    """Median of ``attribute``. ``median("age")`` → ``'median(age)'``"""
    return _aggregate("median", attribute)


def std(attribute: str) -> str:
    """Population standard deviation. ``std("age")`` → ``'std(age)'``"""
    return _aggregate("std", attribute)


def variance(attribute: str) -> str:
    """Population variance. ``variance("age")`` → ``'variance(age)'``"""
    return _aggregate("variance", attribute)


def upper(attribute: str) -> str:
    """Upper-cased ``attribute``. ``upper("name")`` → ``'upper(name)'``"""
    return _aggregate("upper", attribute)


def lower(attribute: str) -> str:
    """Lower-cased ``attribute``. ``lower("name")`` → ``'lower(name)'``"""
    return _aggregate("lower", attribute)


def substring(attribute: str, start: int, length: int) -> str:
    """Part of ``attribute`` from ``start``.

    The SDKs call the third argument a length; the engine reads it as an end index. Both agree
    when ``start`` is 0.

    >>> substring("lastName", 0, 8)
    'substring(lastName,0,8)'
    """
    name = _attribute(attribute, "substring")
    for what, value in (("start", start), ("length", length)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise OnyxUsageError(f"substring() needs {what} as an int >= 0, got {value!r}")
    return f"substring({name},{start},{length})"


def replace(attribute: str, pattern: str, repl: str) -> str:
    """``attribute`` with every match of the regex ``pattern`` replaced (``'`` is escaped).

    >>> replace("lastName", "-", "_")
    "replace(lastName, '-', '_')"
    """
    name = _attribute(attribute, "replace")
    if pattern == "":
        raise OnyxUsageError("replace() needs a non-empty pattern")
    pattern_text = _quoted(pattern, "replace", "the pattern")
    replacement_text = _quoted(repl, "replace", "the replacement")
    return f"replace({name}, {pattern_text}, {replacement_text})"


def format(attribute: str, formatter: str) -> str:
    """``attribute`` formatted with ``formatter`` (dates: ``yyyy-MM-dd``; numbers: ``#.##``).

    >>> format("createdAt", "yyyy-MM-dd")
    "format(createdAt, 'yyyy-MM-dd')"
    """
    name = _attribute(attribute, "format")
    if not isinstance(formatter, str) or not formatter:
        raise OnyxUsageError(f"format() needs a non-empty pattern string, got {formatter!r}")
    return f"format({name}, {_quoted(formatter, 'format', 'the pattern')})"


def percentile(attribute: str, p: float) -> str:
    """The ``p``-th percentile (0..100) of ``attribute``.

    ``p`` is written as Python writes it, as the official SDK does: the server keys the result
    by this exact string, so ``75`` and ``75.0`` are different keys.

    >>> percentile("age", 75), percentile("age", 99.5), percentile("age", 75.0)
    ('percentile(age, 75)', 'percentile(age, 99.5)', 'percentile(age, 75.0)')
    """
    name = _attribute(attribute, "percentile")
    if isinstance(p, bool) or not isinstance(p, int | float) or not math.isfinite(p):
        raise OnyxUsageError(f"percentile() needs p as a number, got {p!r}")
    if not 0 <= p <= 100:
        raise OnyxUsageError(f"percentile() needs p between 0 and 100, got {p}")
    return f"percentile({name}, {p})"


sum_ = sum
min_ = min
max_ = max
format_ = format
