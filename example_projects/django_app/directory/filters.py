"""One django-filter ``FilterSet`` for the HTML list and the JSON API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q

from .models import Role, User, UserRole


def role_choices() -> list[tuple[str, str]]:
    return [(role.pk, role.name) for role in Role.onyx.order_by("name")]


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    isActive = django_filters.BooleanFilter(label="Active")
    role = django_filters.ChoiceFilter(method="with_role", choices=role_choices, label="Role")

    class Meta:
        model = User
        fields = ["q", "isActive", "role"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(Q(username__icontains=value) | Q(email__icontains=value))

    def with_role(self, queryset: Any, name: str, value: str) -> Any:
        # Onyx has no joins: read the user ids of the role first (one request), then filter.
        user_ids = UserRole.onyx.filter(roleId=value).values_list("userId", flat=True)
        return queryset.filter(id__in=list(user_ids))
