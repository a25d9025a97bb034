"""Django field lookups and ``Q`` trees translated to Onyx conditions (pure, no I/O).

>>> from django.db.models import Q
>>> condition_for_lookup("age__gte", 18).to_wire()["criteria"]
{'field': 'age', 'operator': 'GREATER_THAN_EQUAL', 'value': 18}
>>> condition_for_q(Q(name="a") | ~Q(age__lt=3)).to_wire()["operator"]
'OR'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldError
from django.db.models import Q

from onyx_database import (
    Condition,
    between,
    contains,
    contains_ignore_case,
    eq,
    gt,
    gte,
    in_op,
    is_null,
    like,
    lt,
    lte,
    matches,
    not_null,
    starts_with,
)

from ._errors import NotSupportedError

__all__ = [
    "LOOKUPS",
    "FieldResolver",
    "condition_for_kwargs",
    "condition_for_lookup",
    "condition_for_q",
]

FieldResolver = Callable[[str], str]
"""Maps a lookup's field part (``pk``, ``email``) to the Onyx field name, or raises FieldError."""


def _exact(field: str, value: Any) -> Condition:
    return is_null(field) if value is None else eq(field, value)


def _iexact(field: str, value: Any) -> Condition:
    # Onyx's LIKE is case-insensitive equality (no wildcards), which is exactly iexact.
    return is_null(field) if value is None else like(field, value)


# Onyx orders nulls below every value; SQL (and so Django) says NULL < x is not true.
def _lt(field: str, value: Any) -> Condition:
    return lt(field, value) & not_null(field)


def _lte(field: str, value: Any) -> Condition:
    return lte(field, value) & not_null(field)


def _in(field: str, value: Any) -> Condition:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise FieldError(f"the 'in' lookup of {field!r} needs a list of values, got {value!r}")
    return in_op(field, list(value))


def _range(field: str, value: Any) -> Condition:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise FieldError(f"the 'range' lookup of {field!r} needs (low, high), got {value!r}")
    bounds = list(value)
    if len(bounds) != 2:
        raise FieldError(f"the 'range' lookup of {field!r} needs (low, high), got {value!r}")
    return between(field, bounds[0], bounds[1])


def _isnull(field: str, value: Any) -> Condition:
    if not isinstance(value, bool):
        raise FieldError(f"the 'isnull' lookup of {field!r} needs True or False, got {value!r}")
    return is_null(field) if value else not_null(field)


def _text(value: Any, lookup: str, field: str) -> str:
    if not isinstance(value, str):
        raise FieldError(f"the {lookup!r} lookup of {field!r} needs a string, got {value!r}")
    return value


# Onyx MATCHES is a full-string match; Django's regex lookups search, hence the ``.*`` frame.
def _regex(field: str, value: Any) -> Condition:
    return matches(field, f"(?s).*(?:{_text(value, 'regex', field)}).*")


def _iregex(field: str, value: Any) -> Condition:
    return matches(field, f"(?is).*(?:{_text(value, 'iregex', field)}).*")


def _istartswith(field: str, value: Any) -> Condition:
    return matches(field, f"(?is){re.escape(_text(value, 'istartswith', field))}.*")


def _endswith(field: str, value: Any) -> Condition:
    return matches(field, f"(?s).*{re.escape(_text(value, 'endswith', field))}")


def _iendswith(field: str, value: Any) -> Condition:
    return matches(field, f"(?is).*{re.escape(_text(value, 'iendswith', field))}")


LOOKUPS: Mapping[str, Callable[[str, Any], Condition]] = {
    "exact": _exact,
    "iexact": _iexact,
    "contains": contains,
    "icontains": contains_ignore_case,
    "in": _in,
    "gt": gt,
    "gte": gte,
    "lt": _lt,
    "lte": _lte,
    "startswith": starts_with,
    "istartswith": _istartswith,
    "endswith": _endswith,
    "iendswith": _iendswith,
    "range": _range,
    "isnull": _isnull,
    "regex": _regex,
    "iregex": _iregex,
}
"""Every supported lookup and the Onyx condition it becomes."""

# Django lookups and transforms Onyx cannot express: a clear error instead of "unknown field".
_UNSUPPORTED = frozenset(
    {
        "date", "time", "year", "iso_year", "month", "day", "quarter", "week", "week_day",
        "iso_week_day", "hour", "minute", "second", "has_key", "has_keys", "has_any_keys",
        "contained_by", "search", "trigram_similar", "unaccent",
    }
)  # fmt: skip


def _same_field(name: str) -> str:
    return name


def condition_for_lookup(key: str, value: Any, resolve: FieldResolver = _same_field) -> Condition:
    """The condition for one ``field__lookup=value`` keyword (``exact`` when no lookup)."""
    parts = key.split("__")
    lookup = "exact"
    if len(parts) > 1 and (parts[-1] in LOOKUPS or parts[-1] in _UNSUPPORTED):
        lookup = parts.pop()
    if lookup in _UNSUPPORTED:
        raise NotSupportedError(
            f"the {lookup!r} lookup ({key!r}) is not supported by Onyx; supported lookups: "
            f"{', '.join(LOOKUPS)}"
        )
    if len(parts) > 1:
        raise FieldError(
            f"Unsupported lookup {parts[-1]!r} for field {parts[0]!r} in {key!r} (relation "
            f"spanning is not supported either); supported lookups: {', '.join(LOOKUPS)}"
        )
    return LOOKUPS[lookup](resolve(parts[0]), value)


def condition_for_kwargs(
    lookups: Mapping[str, Any], resolve: FieldResolver = _same_field
) -> Condition | None:
    """``AND`` of the conditions of ``filter(**lookups)``; ``None`` when there are none."""
    result: Condition | None = None
    for key, value in lookups.items():
        condition = condition_for_lookup(key, value, resolve)
        result = condition if result is None else result & condition
    return result


def condition_for_q(q: Q, resolve: FieldResolver = _same_field) -> Condition | None:
    """A Django ``Q`` tree (``&``, ``|``, ``~``) as one condition; ``None`` for an empty ``Q()``."""
    if q.connector not in (Q.AND, Q.OR):
        raise NotSupportedError(f"Q objects combined with {q.connector} are not supported")
    result: Condition | None = None
    for child in q.children:
        if isinstance(child, Q):
            part = condition_for_q(child, resolve)
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            part = condition_for_lookup(child[0], child[1], resolve)
        else:
            raise NotSupportedError(f"unsupported Q child {child!r}")
        if part is None:
            continue
        if result is None:
            result = part
        else:
            result = result & part if q.connector == Q.AND else result | part
    if result is not None and q.negated:
        result = ~result
    return result
