"""The official ``onyx_database.helpers.aggregates``: selection strings for ``select()``.

>>> from onyx_database.helpers.aggregates import avg, percentile
>>> avg("age"), percentile("age", 75.0)
('avg(age)', 'percentile(age, 75.0)')
"""

from __future__ import annotations

from .._selections import (
    avg,
    count,
    format,
    lower,
    max,
    median,
    min,
    percentile,
    replace,
    std,
    substring,
    sum,
    upper,
    variance,
)

__all__ = [
    "avg",
    "count",
    "format",
    "lower",
    "max",
    "median",
    "min",
    "percentile",
    "replace",
    "std",
    "substring",
    "sum",
    "upper",
    "variance",
]
