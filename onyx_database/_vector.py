"""Onyx Cloud's bounded candidate searches (official SDK 2.5.2): lexical admission
(``SEARCH_CANDIDATES``), native HNSW nearest neighbours (``HNSW_CANDIDATES``) and ordinary-index
candidate routes (``CANDIDATES``), as conditions and their canonical query payloads.

>>> hnsw_search_query(calibration_id=7, vector=[0.5, 0.5])["efSearch"]
1000
>>> approximate_candidates("tenant", ["a", "b"], 10).to_wire()["criteria"]["value"]
{'values': ['a', 'b'], 'maxCandidates': 10}

Onyx Local answers 501 for these operators (it has no vector index). Semantic signatures
(``semantic_vector_signature`` and a ``semantic`` part in a vector query) are not built by
this SDK: they raise :class:`OnyxUsageError`.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from ._conditions import FULL_TEXT_FIELD, Condition, Criterion
from ._errors import OnyxUsageError
from ._types import (
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
)

__all__ = [
    "approximate_candidates",
    "approximate_index_candidate_query",
    "approximate_search",
    "hnsw_candidates",
    "hnsw_search_query",
    "vector_search_query",
]

_INT64 = (-(1 << 63), (1 << 63) - 1)


def _pick(values: Mapping[str, Any], given: Any, *names: str, default: Any = None) -> Any:
    if given is not None:
        return given
    for name in names:
        if name in values:
            return values[name]
    return default


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise OnyxUsageError(f"{what} must be a mapping")
    return value


def _int(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OnyxUsageError(f"{what} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise OnyxUsageError(f"{what} must be between {low} and {high}, got {value}")
    return value


def _float32(value: Any, what: str) -> tuple[float, float]:
    """The wire number and the value the server sees as a Float32 (both finite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OnyxUsageError(f"{what} must be a number, got {value!r}")
    number = float(value)
    try:
        narrowed: float = struct.unpack("!f", struct.pack("!f", number))[0]
    except OverflowError:
        narrowed = math.inf
    if not math.isfinite(number) or not math.isfinite(narrowed):
        raise OnyxUsageError(f"{what} must be finite as a 32-bit float, got {value!r}")
    return number, narrowed


def _int64_text(value: Any, what: str) -> str:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise OnyxUsageError(f"{what} must be a signed 64-bit integer (or its decimal text)")
    if not _INT64[0] <= value <= _INT64[1]:
        raise OnyxUsageError(f"{what} exceeds the signed 64-bit range")
    return str(value)


def vector_search_query(
    query: Mapping[str, Any] | None = None,
    *,
    text: str | None = None,
    semantic: Any = None,
    min_score: float | None = None,
    nearby_bucket_radius: int | None = None,
    max_candidates: int | None = None,
    require_all_terms: bool | None = None,
) -> dict[str, Any]:
    """A text ``VectorSearchQuery`` (snake_case or camelCase keys, or keywords).

    >>> vector_search_query(text="storm warning")["maxCandidates"]
    1000
    """
    values = _mapping(query, "VectorSearchQuery")
    text = _pick(values, text, "text", "queryText", "query_text")
    if _pick(values, semantic, "semantic", "semanticSignature", "semantic_signature"):
        raise OnyxUsageError("semantic vector signatures are not built by this SDK")
    if not isinstance(text, str) or not text.strip():
        raise OnyxUsageError("a VectorSearchQuery needs non-blank text")
    score = _pick(values, min_score, "minScore", "min_score")
    radius = _pick(
        values, nearby_bucket_radius, "nearbyBucketRadius", "nearby_bucket_radius", default=1
    )
    candidates = _pick(values, max_candidates, "maxCandidates", "max_candidates", default=1_000)
    all_terms = _pick(
        values, require_all_terms, "requireAllTerms", "require_all_terms", default=True
    )
    if not isinstance(all_terms, bool):
        raise OnyxUsageError("require_all_terms must be a bool")
    return {
        "text": text,
        "semantic": None,
        "minScore": None if score is None else _float32(score, "min_score")[0],
        "nearbyBucketRadius": _int(radius, "nearby_bucket_radius", 0, (1 << 31) - 1),
        "maxCandidates": _int(candidates, "max_candidates", 1, MAX_VECTOR_SEARCH_CANDIDATES),
        "requireAllTerms": all_terms,
    }


def hnsw_search_query(
    query: Mapping[str, Any] | None = None,
    *,
    calibration_id: int | str | None = None,
    vector: Sequence[float] | None = None,
    max_candidates: int | None = None,
    ef_search: int | None = None,
    min_score: float | None = None,
    format_version: int | None = None,
) -> dict[str, Any]:
    """A bounded native-HNSW request: a non-zero calibration id, a vector of 1..16384 finite
    Float32 values with a non-zero norm, ``max_candidates`` <= ``ef_search`` <= 20000."""
    values = _mapping(query, "HnswSearchQuery")
    version = _pick(values, format_version, "formatVersion", "format_version", default=1)
    if version != HNSW_QUERY_FORMAT_VERSION:
        raise OnyxUsageError(f"unsupported HNSW formatVersion {version!r}; expected 1")
    calibration = _int64_text(
        _pick(values, calibration_id, "calibrationId", "calibration_id"), "calibration_id"
    )
    if calibration == "0":
        raise OnyxUsageError("calibration_id must be non-zero")
    vector = _pick(values, vector, "vector")
    if not isinstance(vector, Sequence) or isinstance(vector, str | bytes):
        raise OnyxUsageError("vector must be a sequence of numbers")
    if not 1 <= len(vector) <= MAX_HNSW_VECTOR_DIMENSION:
        raise OnyxUsageError(f"vector must have 1 to {MAX_HNSW_VECTOR_DIMENSION} dimensions")
    pairs = [_float32(item, f"vector[{index}]") for index, item in enumerate(vector)]
    norm = math.fsum(narrowed * narrowed for _, narrowed in pairs)
    if not math.isfinite(norm) or norm <= 0:
        raise OnyxUsageError("vector must have a non-zero finite norm")
    candidates = _int(
        _pick(
            values,
            max_candidates,
            "maxCandidates",
            "max_candidates",
            default=DEFAULT_HNSW_CANDIDATES,
        ),
        "max_candidates",
        1,
        MAX_HNSW_CANDIDATES,
    )
    ef = _pick(
        values, ef_search, "efSearch", "ef_search", default=max(DEFAULT_HNSW_EF_SEARCH, candidates)
    )
    score = _pick(values, min_score, "minScore", "min_score")
    if score is not None and not -1 <= _float32(score, "min_score")[1] <= 1:
        raise OnyxUsageError("min_score must be between -1 and 1")
    return {
        "calibrationId": calibration,
        "vector": [wire for wire, _ in pairs],
        "maxCandidates": candidates,
        "efSearch": _int(ef, "ef_search", candidates, MAX_HNSW_EF_SEARCH),
        "minScore": None if score is None else float(score),
        "formatVersion": HNSW_QUERY_FORMAT_VERSION,
    }


def approximate_index_candidate_query(
    value_or_values: Any, max_candidates: int = DEFAULT_APPROXIMATE_INDEX_CANDIDATES
) -> dict[str, Any]:
    """One bounded ordinary-index route: ``{"values": [...], "maxCandidates": n}``."""
    count = _int(max_candidates, "max_candidates", 1, MAX_APPROXIMATE_INDEX_CANDIDATES)
    if isinstance(value_or_values, Sequence) and not isinstance(value_or_values, str | bytes):
        values = list(value_or_values)
    else:
        values = [value_or_values]
    if not 1 <= len(values) <= MAX_APPROXIMATE_INDEX_ROUTE_VALUES:
        raise OnyxUsageError(
            f"a candidate route takes 1 to {MAX_APPROXIMATE_INDEX_ROUTE_VALUES} values"
        )
    if any(value is None for value in values):
        raise OnyxUsageError("candidate route values cannot be None")
    return {"values": values, "maxCandidates": count}


def approximate_search(
    query_text_or_search: Any,
    min_score: Any = None,
    *,
    max_candidates: int = 1_000,
    require_all_terms: bool = True,
) -> Condition:
    """``SEARCH_CANDIDATES``: bounded lexical admission; the sole root of a query."""
    if isinstance(query_text_or_search, str):
        if isinstance(min_score, Mapping):
            query = vector_search_query(min_score, text=query_text_or_search)
        else:
            query = vector_search_query(
                text=query_text_or_search,
                min_score=min_score,
                max_candidates=max_candidates,
                require_all_terms=require_all_terms,
            )
    else:
        query = vector_search_query(query_text_or_search)
    return Criterion(FULL_TEXT_FIELD, "SEARCH_CANDIDATES", query)


def hnsw_candidates(search_query: Any) -> Condition:
    """``HNSW_CANDIDATES``: bounded nearest neighbours; the sole root of a query."""
    return Criterion(FULL_TEXT_FIELD, "HNSW_CANDIDATES", hnsw_search_query(search_query))


def approximate_candidates(
    attribute: str,
    value_or_values: Any,
    max_candidates: int = DEFAULT_APPROXIMATE_INDEX_CANDIDATES,
) -> Condition:
    """``CANDIDATES``: a bounded ordinary-index route, combinable with ``&``."""
    if not isinstance(attribute, str) or not attribute.strip():
        raise OnyxUsageError("the candidate attribute must be a non-empty field name")
    return Criterion(
        attribute, "CANDIDATES", approximate_index_candidate_query(value_or_values, max_candidates)
    )
