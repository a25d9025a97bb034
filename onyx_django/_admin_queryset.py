"""The queryset class Django's admin ``ChangeList`` is given for an Onyx model."""

from __future__ import annotations

from typing import Any

__all__ = ["admin_queryset_class"]


class _AdminQuerySetMixin:
    """Answers the one question Django's ``ChangeList`` asks of ``qs.query`` that an Onyx query
    has no notion of: Onyx has no joins, so there is nothing more to ``select_related`` (the
    resolvers named in ``list_select_related`` are already requested by ``get_queryset``)."""

    @property
    def query(self) -> Any:
        query = super().query  # type: ignore[misc]
        query.select_related = True
        return query


_admin_classes: dict[type[Any], type[Any]] = {}


def admin_queryset_class(queryset_class: type[Any]) -> type[Any]:
    """``queryset_class`` (the model manager's, custom methods kept) as the changelist sees it."""
    if queryset_class not in _admin_classes:
        name = f"Admin{queryset_class.__name__}"
        _admin_classes[queryset_class] = type(name, (_AdminQuerySetMixin, queryset_class), {})
    return _admin_classes[queryset_class]
