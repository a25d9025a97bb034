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
    "FieldTypes",
    "condition_for_kwargs",
    "condition_for_lookup",
    "condition_for_q",
]

FieldResolver = Callable[[str], str]
"""Maps a lookup's field part (``pk``, ``email``) to the Onyx field name, or raises FieldError."""


class FieldTypes:
    """How lookup values are checked: the default passes every value through unchanged.

    A queryset passes one bound to its model (see ``onyx_django._fields``), so ``age__gt="abc"``
    raises :class:`ValueError` and ``age__gt="7"`` sends ``7``.
    """

    def value(self, field: str, value: Any, lookup: str) -> Any:
        """``value`` as the field's type (or :class:`ValueError`)."""
        return value

    def is_text(self, field: str) -> bool:
        """Whether text lookups (``contains``, ``startswith``...) apply to the field."""
        return True


_ANY_TYPE = FieldTypes()


def _no_expression(field: str, value: Any) -> None:
    if hasattr(value, "resolve_expression"):
        raise NotSupportedError(
            f"{field!r}: expressions ({type(value).__name__}, e.g. F()) are not supported by "
            "Onyx; compare with a value, or evaluate the other queryset first (list(qs))"
        )


def _not_none(field: str, value: Any, lookup: str) -> None:
    if value is None:
        raise ValueError(
            f"Cannot use None as a query value ({field}__{lookup}); use {field}__isnull=True"
        )


def _exact(field: str, value: Any, types: FieldTypes) -> Condition:
    if value is None:
        return is_null(field)
    return eq(field, types.value(field, value, "exact"))


def _iexact(field: str, value: Any, types: FieldTypes) -> Condition:
    # Onyx's LIKE is case-insensitive equality (no wildcards), which is exactly iexact; a null
    # record reads as the string "null" to string operators, hence the explicit not_null.
    if value is None:
        return is_null(field)
    return like(field, _text(field, value, "iexact", types)) & not_null(field)


def _comparison(
    operator: Callable[[str, Any], Condition], lookup: str, nulls_match: bool
) -> Callable[[str, Any, FieldTypes], Condition]:
    # Onyx orders nulls below every value; SQL (and so Django) says NULL < x is not true.
    def build(field: str, value: Any, types: FieldTypes) -> Condition:
        _not_none(field, value, lookup)
        condition = operator(field, types.value(field, value, lookup))
        return condition & not_null(field) if nulls_match else condition

    return build


def _in(field: str, value: Any, types: FieldTypes) -> Condition:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise FieldError(f"the 'in' lookup of {field!r} needs a list of values, got {value!r}")
    if hasattr(value, "resolve_expression") or hasattr(value, "query"):
        raise NotSupportedError(
            f"{field}__in with a queryset is not supported; pass a list "
            "(e.g. list(qs.values_list('id', flat=True)))"
        )
    # SQL's ``x IN (1, NULL)`` never matches a null x, so None elements are dropped (Onyx would
    # match null records against them); an empty list matches nothing.
    values = [types.value(field, item, "in") for item in value if item is not None]
    return in_op(field, values)


def _range(field: str, value: Any, types: FieldTypes) -> Condition:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise FieldError(f"the 'range' lookup of {field!r} needs (low, high), got {value!r}")
    bounds = list(value)
    if len(bounds) != 2:
        raise FieldError(f"the 'range' lookup of {field!r} needs (low, high), got {value!r}")
    for bound in bounds:
        _not_none(field, bound, "range")
    low, high = (types.value(field, bound, "range") for bound in bounds)
    return between(field, low, high)


def _isnull(field: str, value: Any, types: FieldTypes) -> Condition:
    if not isinstance(value, bool):
        raise FieldError(f"the 'isnull' lookup of {field!r} needs True or False, got {value!r}")
    return is_null(field) if value else not_null(field)


def _text(field: str, value: Any, lookup: str, types: FieldTypes) -> str:
    _not_none(field, value, lookup)
    if not types.is_text(field):
        raise NotSupportedError(
            f"the {lookup!r} lookup needs a text field; {field!r} is not one (Onyx does not "
            "cast values to text)"
        )
    return value if isinstance(value, str) else str(types.value(field, value, lookup))


def _string(
    build: Callable[[str, str], Condition], lookup: str
) -> Callable[[str, Any, FieldTypes], Condition]:
    # String operators read a null record as the text "null" (engine-semantics 3.2), and SQL's
    # ``NULL LIKE '%%'`` is not true: every text lookup also requires a non-null value, so
    # ``bio__contains=""`` skips null bios and ``exclude(bio__contains="x")`` keeps them.
    def text_lookup(field: str, value: Any, types: FieldTypes) -> Condition:
        return build(field, _text(field, value, lookup, types)) & not_null(field)

    return text_lookup


# Onyx MATCHES is a full-string match; Django's regex lookups search, hence the ``.*`` frame.
def _regex(field: str, value: str) -> Condition:
    return matches(field, f"(?s).*(?:{value}).*")


def _iregex(field: str, value: str) -> Condition:
    return matches(field, f"(?is).*(?:{value}).*")


def _istartswith(field: str, value: str) -> Condition:
    return matches(field, f"(?is){re.escape(value)}.*")


def _endswith(field: str, value: str) -> Condition:
    return matches(field, f"(?s).*{re.escape(value)}")


def _iendswith(field: str, value: str) -> Condition:
    return matches(field, f"(?is).*{re.escape(value)}")


LOOKUPS: Mapping[str, Callable[[str, Any, FieldTypes], Condition]] = {
    "exact": _exact,
    "iexact": _iexact,
    "contains": _string(contains, "contains"),
    "icontains": _string(contains_ignore_case, "icontains"),
    "in": _in,
    "gt": _comparison(gt, "gt", nulls_match=False),
    "gte": _comparison(gte, "gte", nulls_match=False),
    "lt": _comparison(lt, "lt", nulls_match=True),
    "lte": _comparison(lte, "lte", nulls_match=True),
    "startswith": _string(starts_with, "startswith"),
    "istartswith": _string(_istartswith, "istartswith"),
    "endswith": _string(_endswith, "endswith"),
    "iendswith": _string(_iendswith, "iendswith"),
    "range": _range,
    "isnull": _isnull,
    "regex": _string(_regex, "regex"),
    "iregex": _string(_iregex, "iregex"),
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


def condition_for_lookup(
    key: str, value: Any, resolve: FieldResolver = _same_field, types: FieldTypes = _ANY_TYPE
) -> Condition:
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
    field = resolve(parts[0])
    _no_expression(key, value)
    return LOOKUPS[lookup](field, value, types)


def condition_for_kwargs(
    lookups: Mapping[str, Any], resolve: FieldResolver = _same_field, types: FieldTypes = _ANY_TYPE
) -> Condition | None:
    """``AND`` of the conditions of ``filter(**lookups)``; ``None`` when there are none."""
    result: Condition | None = None
    for key, value in lookups.items():
        condition = condition_for_lookup(key, value, resolve, types)
        result = condition if result is None else result & condition
    return result


def condition_for_q(
    q: Q, resolve: FieldResolver = _same_field, types: FieldTypes = _ANY_TYPE
) -> Condition | None:
    """A Django ``Q`` tree (``&``, ``|``, ``^``, ``~``) as one condition; ``None`` for an empty
    ``Q()``. ``a ^ b`` becomes ``(a AND NOT b) OR (NOT a AND b)`` (odd parity for more)."""
    if q.connector not in (Q.AND, Q.OR, "XOR"):
        raise NotSupportedError(f"Q objects combined with {q.connector} are not supported")
    result: Condition | None = None
    for child in q.children:
        if isinstance(child, Q):
            part = condition_for_q(child, resolve, types)
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            part = condition_for_lookup(child[0], child[1], resolve, types)
        else:
            raise NotSupportedError(f"unsupported Q child {child!r}")
        if part is None:
            continue
        if result is None:
            result = part
        elif q.connector == Q.AND:
            result = result & part
        elif q.connector == Q.OR:
            result = result | part
        else:
            result = (result & ~part) | (~result & part)
    if result is not None and q.negated:
        result = ~result
    return result
