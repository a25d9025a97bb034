"""The official ``onyx_database.helpers.conditions``: condition helpers, including
``contains_ignore_case`` and ``not_contains_ignore_case``, which the official SDK exports only
from here.

>>> from onyx_database.helpers.conditions import not_contains_ignore_case
>>> dict(not_contains_ignore_case("email", "SPAM"))
{'field': 'email', 'operator': 'NOT_CONTAINS_IGNORE_CASE', 'value': 'SPAM'}
"""

from __future__ import annotations

from typing import Any, Protocol

from .._conditions import (
    Condition,
    SearchMatch,
    SearchMode,
    SearchOptions,
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
    neq,
    not_between,
    not_contains,
    not_contains_ignore_case,
    not_in,
    not_like,
    not_matches,
    not_null,
    not_starts_with,
    not_within,
    search,
    starts_with,
    within,
)
from .._types import DEFAULT_APPROXIMATE_INDEX_CANDIDATES
from .._vector import (
    approximate_candidates,
    approximate_index_candidate_query,
    approximate_search,
    hnsw_candidates,
    hnsw_search_query,
    vector_search_query,
)
from .candidate_search import high_level_search_query

__all__ = [
    "DEFAULT_APPROXIMATE_INDEX_CANDIDATES",
    "Condition",
    "QueryBuilderLike",
    "SearchMatch",
    "SearchMode",
    "SearchOptions",
    "approximate_candidates",
    "approximate_index_candidate_query",
    "approximate_search",
    "between",
    "contains",
    "contains_ignore_case",
    "eq",
    "gt",
    "gte",
    "high_level_search_query",
    "hnsw_candidates",
    "hnsw_search_query",
    "in_op",
    "is_null",
    "like",
    "lt",
    "lte",
    "matches",
    "neq",
    "not_between",
    "not_contains",
    "not_contains_ignore_case",
    "not_in",
    "not_like",
    "not_matches",
    "not_null",
    "not_starts_with",
    "not_within",
    "search",
    "starts_with",
    "vector_search_query",
    "within",
]


class QueryBuilderLike(Protocol):
    """The official SDK's type of a nested query argument (``within("id", query)``): this
    SDK's query builders are such objects."""

    def to_query_object(self) -> dict[str, Any]:
        """The query as a nested value, with its ``table``."""
        ...
