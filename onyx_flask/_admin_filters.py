"""Flask-Admin column filters compiled to Onyx conditions (sent to the server, never applied
in Python)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_admin.babel import lazy_gettext
from flask_admin.model import filters

from onyx_database import (
    Condition,
    between,
    contains_ignore_case,
    eq,
    gt,
    in_op,
    is_null,
    lt,
    neq,
    not_between,
    not_contains_ignore_case,
    not_in,
    not_null,
)

from ._admin_fields import ModelField

__all__ = ["OnyxFilter", "filters_for"]


class OnyxFilter(filters.BaseFilter):  # type: ignore[misc]
    """Base of the Onyx filters: ``apply`` adds :meth:`condition` to the list of conditions
    that the view ANDs into its query. Subclass it for a custom filter::

        class ActiveFilter(OnyxFilter):
            def condition(self, value):
                return eq("isActive", value == "1")

            def operation(self):
                return "is active"

        class UserView(OnyxModelView):
            column_filters = [
                "username",
                ActiveFilter("isActive", "Active", options=(("1", "Yes"), ("0", "No"))),
            ]
    """

    def __init__(
        self, column: str, name: str, options: Any = None, data_type: str | None = None
    ) -> None:
        super().__init__(name, options, data_type)
        self.column = column

    def condition(self, value: Any) -> Condition:
        """The Onyx condition for the cleaned ``value``."""
        raise NotImplementedError

    def apply(self, query: list[Condition], value: Any) -> list[Condition]:
        return [*query, self.condition(value)]


def _filter(
    label: str, build: Callable[[str, Any], Condition], *bases: type[Any]
) -> type[OnyxFilter]:
    """A filter class: ``build(column, value)`` is its condition, ``label`` its operation."""

    def condition(self: OnyxFilter, value: Any) -> Condition:
        return build(self.column, value)

    def operation(self: OnyxFilter) -> Any:
        return lazy_gettext(label)

    return type(
        f"Onyx{label.title().replace(' ', '')}Filter",
        (OnyxFilter, *bases),
        {"condition": condition, "operation": operation},
    )


def _empty(column: str, value: Any) -> Condition:
    return is_null(column) if value == "1" else not_null(column)


def _yes(column: str, value: Any) -> Condition:
    return eq(column, value == "1")


def _not_yes(column: str, value: Any) -> Condition:
    return neq(column, value == "1")


def _range(column: str, value: Any) -> Condition:
    return between(column, value[0], value[1])


def _not_range(column: str, value: Any) -> Condition:
    return not_between(column, value[0], value[1])


class _TextListFilter(filters.BaseFilter):  # type: ignore[misc]
    def __init__(self, name: str, options: Any = None, data_type: str | None = None) -> None:
        super().__init__(name, options, data_type or "select2-tags")

    def clean(self, value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]


class _UtcDateTimeFilter(filters.BaseDateTimeFilter):  # type: ignore[misc]
    def clean(self, value: str) -> dt.datetime:
        return super().clean(value).replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]


class _UtcDateTimeBetweenFilter(filters.BaseDateTimeBetweenFilter):  # type: ignore[misc]
    def clean(self, value: str) -> list[dt.datetime]:
        return [moment.replace(tzinfo=dt.UTC) for moment in super().clean(value)]


def _typed(
    base: type[Any], list_base: type[Any] | None, between_base: type[Any] | None = None
) -> tuple[type[OnyxFilter], ...]:
    made = [
        _filter("equals", eq, base),
        _filter("not equal", neq, base),
        _filter("greater than", gt, base),
        _filter("smaller than", lt, base),
    ]
    if between_base is not None:
        made += [
            _filter("between", _range, between_base),
            _filter("not between", _not_range, between_base),
        ]
    if list_base is not None:
        made += [_filter("in list", in_op, list_base), _filter("not in list", not_in, list_base)]
    return tuple(made)


_EMPTY = _filter("empty", _empty, filters.BaseBooleanFilter)
_BY_KIND: dict[str, tuple[type[OnyxFilter], ...]] = {
    "str": (
        _filter("contains", contains_ignore_case),
        _filter("not contains", not_contains_ignore_case),
        _filter("equals", eq),
        _filter("not equal", neq),
        _filter("in list", in_op, _TextListFilter),
        _filter("not in list", not_in, _TextListFilter),
    ),
    "bool": (
        _filter("equals", _yes, filters.BaseBooleanFilter),
        _filter("not equal", _not_yes, filters.BaseBooleanFilter),
    ),
    "int": _typed(filters.BaseIntFilter, filters.BaseIntListFilter),
    "float": _typed(filters.BaseFloatFilter, filters.BaseFloatListFilter),
    "datetime": _typed(_UtcDateTimeFilter, None, _UtcDateTimeBetweenFilter),
    "date": _typed(filters.BaseDateFilter, None, filters.BaseDateBetweenFilter),
}


class _ChoiceFilter(filters.BaseFilter):  # type: ignore[misc]
    field: ModelField

    def clean(self, value: str) -> Any:
        return self.field.coerce(value)


def _choice_filters(field: ModelField, name: str) -> list[OnyxFilter]:
    options = tuple((str(choice), str(choice)) for choice in field.choices)
    made: list[OnyxFilter] = []
    for label, build in (("equals", eq), ("not equal", neq)):
        kind = _filter(label, build, _ChoiceFilter)
        instance = kind(field.wire, name, options=options)
        instance.field = field
        made.append(instance)
    return made


def filters_for(field: ModelField, name: str) -> list[OnyxFilter] | None:
    """The filters Flask-Admin offers for ``field`` (labelled ``name``), or ``None`` when the
    field cannot be filtered on (embedded JSON, resolver relations)."""
    if field.kind == "choice":
        made = _choice_filters(field, name)
    elif field.kind in _BY_KIND:
        made = [kind(field.wire, name) for kind in _BY_KIND[field.kind]]
    else:
        return None
    if field.nullable:
        made.append(_EMPTY(field.wire, name))
    return made
