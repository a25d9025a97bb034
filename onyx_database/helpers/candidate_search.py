"""The official ``onyx_database.helpers.candidate_search``: vector and candidate search payloads.

>>> from onyx_database.helpers.candidate_search import high_level_search_query
>>> high_level_search_query("storm", mode="lexical")["mode"]
'lexical'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._conditions import SearchMatch, SearchMode
from .._types import (
    DEFAULT_APPROXIMATE_INDEX_CANDIDATES,
    DEFAULT_HNSW_CANDIDATES,
    DEFAULT_HNSW_EF_SEARCH,
    HNSW_QUERY_FORMAT_VERSION,
    MAX_APPROXIMATE_INDEX_CANDIDATES,
    MAX_APPROXIMATE_INDEX_ROUTE_VALUES,
    MAX_HNSW_CANDIDATES,
    MAX_HNSW_EF_SEARCH,
    MAX_HNSW_VECTOR_DIMENSION,
    MAX_VECTOR_SEARCH_CANDIDATES,
    ApproximateIndexCandidateQuery,
    HnswSearchQuery,
    Int64WireInput,
    SemanticVectorSignature,
    VectorSearchQuery,
)
from .._vector import (
    approximate_index_candidate_query,
    high_level_search_value,
    hnsw_search_query,
    semantic_vector_signature,
    vector_search_query,
)

__all__ = [
    "DEFAULT_APPROXIMATE_INDEX_CANDIDATES",
    "DEFAULT_HNSW_CANDIDATES",
    "DEFAULT_HNSW_EF_SEARCH",
    "HNSW_QUERY_FORMAT_VERSION",
    "MAX_APPROXIMATE_INDEX_CANDIDATES",
    "MAX_APPROXIMATE_INDEX_ROUTE_VALUES",
    "MAX_HNSW_CANDIDATES",
    "MAX_HNSW_EF_SEARCH",
    "MAX_HNSW_VECTOR_DIMENSION",
    "MAX_VECTOR_SEARCH_CANDIDATES",
    "ApproximateIndexCandidateQuery",
    "HnswSearchQuery",
    "Int64WireInput",
    "SearchMatch",
    "SearchMode",
    "SemanticVectorSignature",
    "VectorSearchQuery",
    "approximate_index_candidate_query",
    "high_level_search_query",
    "hnsw_search_query",
    "semantic_vector_signature",
    "vector_search_query",
]


def high_level_search_query(
    text: Any,
    options: Mapping[str, Any] | None = None,
    *,
    mode: Any = None,
    match: Any = None,
    min_score: Any = None,
    max_candidates: Any = None,
) -> dict[str, Any]:
    """The value of the high-level ``SEARCH`` condition (what ``search(text, mode=...)``
    sends), from a ``SearchOptions`` mapping or keywords (not both)."""
    return high_level_search_value(
        text, options, mode=mode, match=match, min_score=min_score, max_candidates=max_candidates
    )
