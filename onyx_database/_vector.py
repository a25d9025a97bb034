"""Onyx Cloud's vector and candidate searches (official SDK 2.5.2), as conditions and their
canonical payloads: semantic routing signatures, ``VectorSearchQuery`` (lexical, semantic or
both, sent with ``MATCHES``), bounded lexical admission (``SEARCH_CANDIDATES``), native HNSW
nearest neighbours (``HNSW_CANDIDATES``) and ordinary-index candidate routes (``CANDIDATES``).

>>> hnsw_search_query(calibration_id=7, vector=[0.5, 0.5])["efSearch"]
1000
>>> approximate_candidates("tenant", ["a", "b"], 10).to_wire()["criteria"]["value"]
{'values': ['a', 'b'], 'maxCandidates': 10}
>>> semantic_vector_signature(calibration_id=3, bucket_id=5, cells=[1, 2], cell_counts=[2, 3],
...                           fingerprint=["0x0123456789abcdef"])["bands"]
['0x000000000000cdef', '0x00000000000089ab', '0x0000000000004567', '0x0000000000000123']

Every payload is the official SDK's, byte for byte, for the same input. Invalid input raises
:class:`OnyxUsageError` (a ``ValueError``); where the official SDK raises ``TypeError`` (a value
of the wrong kind, a missing field), the error is also a ``TypeError``. Onyx Local answers 501
for all of these searches: it has no embedding model and no vector index.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from numbers import Real
from typing import Any, Final

from ._conditions import FULL_TEXT_FIELD, Compound, Condition, Criterion
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
    "UsageTypeError",
    "approximate_candidates",
    "approximate_index_candidate_query",
    "approximate_search",
    "check_composition",
    "high_level_search_value",
    "hnsw_candidates",
    "hnsw_search_query",
    "read_only_operator",
    "semantic_vector_signature",
    "vector_search_query",
]


class UsageTypeError(OnyxUsageError, TypeError):
    """An argument of the wrong kind: an :class:`OnyxUsageError` that is also a ``TypeError``
    (the official SDK raises ``TypeError`` there, so ``except TypeError`` keeps working)."""


class _Unset:
    """The default of a keyword that was not passed (``None`` is a value the caller chose)."""

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Final = _Unset()
_INT32: Final = (-(1 << 31), (1 << 31) - 1)
_INT64: Final = (-(1 << 63), (1 << 63) - 1)
_WORD_MASK: Final = (1 << 64) - 1
_BAND_COUNT: Final = 4
_DECIMAL: Final = re.compile(r"-?\d+")
_HEX_DIGITS: Final = re.compile(r"[0-9a-fA-F]+")
_TEXT_KINDS: Final = (str, bytes, bytearray)


# -- field access --------------------------------------------------------------------------------


def _fields(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UsageTypeError(f"{what} must be a mapping, got {type(value).__name__}")
    if not all(isinstance(key, str) for key in value):
        raise UsageTypeError(f"{what} field names must be strings")
    return value


def _field(values: Mapping[str, Any], given: Any, *aliases: str, default: Any = _UNSET) -> Any:
    """The keyword if it was passed (even ``None``), else the first alias present in the
    mapping, else ``default``; a required field (no default) that is absent is an error."""
    if given is not _UNSET:
        return given
    for alias in aliases:
        if alias in values:
            return values[alias]
    if default is _UNSET:
        raise UsageTypeError(f"{aliases[0]} is required")
    return default


def _sequence(value: Any, what: str) -> Sequence[Any]:
    if not isinstance(value, Sequence) or isinstance(value, _TEXT_KINDS):
        raise UsageTypeError(f"{what} must be a sequence (a list or tuple), got {value!r}")
    return value


# -- numbers -------------------------------------------------------------------------------------


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageTypeError(f"{what} must be an integer, got {value!r}")
    return value


def _bounded(value: Any, what: str, low: int, high: int) -> int:
    number = _integer(value, what)
    if not low <= number <= high:
        raise OnyxUsageError(f"{what} must be between {low} and {high}, got {number}")
    return number


def _int32(value: Any, what: str) -> int:
    number = _integer(value, what)
    if not _INT32[0] <= number <= _INT32[1]:
        raise OnyxUsageError(f"{what} is outside the signed 32-bit range, got {number}")
    return number


def _float32(value: Any, what: str) -> tuple[float, float]:
    """The number sent (a Python float) and the Float32 the server narrows it to; both finite."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise UsageTypeError(f"{what} must be a number, got {value!r}")
    try:
        number = float(value)
    except (OverflowError, ValueError):
        number = math.inf
    if not math.isfinite(number):
        raise OnyxUsageError(f"{what} must be finite, got {value!r}")
    try:
        narrowed: float = struct.unpack("!f", struct.pack("!f", number))[0]
    except OverflowError:
        narrowed = math.inf
    if not math.isfinite(narrowed):
        raise OnyxUsageError(f"{what} must be finite as a 32-bit float, got {value!r}")
    return number, narrowed


def _decimal_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:  # beyond Python's digit limit for int(): far outside 64 bits anyway
        raise OnyxUsageError(f"{what} exceeds the signed 64-bit range") from None


def _int64_text(value: Any, what: str) -> str:
    """A signed 64-bit integer (or its decimal text) as canonical decimal text."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = _decimal_int(value.strip(), what)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageTypeError(f"{what} must be a signed 64-bit integer or its decimal text")
    if not _INT64[0] <= value <= _INT64[1]:
        raise OnyxUsageError(f"{what} exceeds the signed 64-bit range")
    return str(value)


def _word(value: Any, what: str) -> int:
    """One 64-bit fingerprint word as an unsigned integer.

    Accepted: a signed 64-bit int (two's complement), ``0x``-prefixed hex, bare hex that has a
    letter a-f (``"ff"``), or signed decimal text (``"255"``, ``"-1"``).
    """
    if isinstance(value, str):
        text = value.strip()
        prefixed = text[:2].lower() == "0x"
        digits = text[2:] if prefixed else text
        if prefixed or any(letter in "abcdefABCDEF" for letter in text):
            if not _HEX_DIGITS.fullmatch(digits):
                raise UsageTypeError(f"{what} is not hexadecimal: {value!r}")
            word = int(digits, 16)
            if word > _WORD_MASK:
                raise OnyxUsageError(f"{what} exceeds 64 bits: {value!r}")
            return word
        if not _DECIMAL.fullmatch(text):
            raise UsageTypeError(f"{what} must be signed decimal or unsigned hexadecimal text")
        value = _decimal_int(text, what)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageTypeError(f"{what} must be an integer or its decimal or hexadecimal text")
    if not _INT64[0] <= value <= _INT64[1]:
        raise OnyxUsageError(f"{what} exceeds the signed 64-bit range")
    return value & _WORD_MASK


def _hex_word(word: int) -> str:
    return f"0x{word:016x}"


def _bands(words: Sequence[int]) -> list[int]:
    """The fingerprint cut into four equal bands: word ``i`` holds bits ``64*i ..`` of one
    little-endian bit string, and band ``j`` is its ``j``-th quarter."""
    bits = 16 * len(words)
    joined = sum(word << (64 * index) for index, word in enumerate(words))
    return [(joined >> (bits * band)) & ((1 << bits) - 1) for band in range(_BAND_COUNT)]


# -- semantic signatures and vector search queries -----------------------------------------------


def semantic_vector_signature(
    signature: Mapping[str, Any] | None = None,
    *,
    calibration_id: Any = _UNSET,
    bucket_id: Any = _UNSET,
    cells: Any = _UNSET,
    cell_counts: Any = _UNSET,
    fingerprint: Any = _UNSET,
    bands: Any = _UNSET,
    boundary_confidence: Any = _UNSET,
) -> dict[str, Any]:
    """One semantic routing signature in its canonical wire form.

    Fields come from a mapping (Onyx Cloud's camelCase names or snake_case) or keywords (which
    win). ``bucket_id`` must be the mixed-radix packing of ``cells`` over ``cell_counts``; the
    1 to 4 fingerprint words (ints or hex/decimal text) are sent as 16-digit hex, and ``bands``
    (the fingerprint's four equal quarters) are computed, or checked when given.

    >>> signature = semantic_vector_signature({
    ...     "calibrationId": "-42", "bucketId": 5, "cells": [1, 2], "cellCounts": [2, 3],
    ...     "fingerprint": [-1], "boundaryConfidence": 0.25})
    >>> signature["calibrationId"], signature["fingerprint"], signature["bands"][0]
    ('-42', ['0xffffffffffffffff'], '0x000000000000ffff')
    """
    values = _fields(signature, "SemanticVectorSignature")
    calibration_id = _field(values, calibration_id, "calibrationId", "calibration_id")
    bucket_id = _field(values, bucket_id, "bucketId", "bucket_id")
    cells = _field(values, cells, "cells")
    cell_counts = _field(values, cell_counts, "cellCounts", "cell_counts")
    fingerprint = _field(
        values, fingerprint, "fingerprint", "fingerprintWords", "fingerprint_words"
    )
    bands = _field(values, bands, "bands", "semanticBands", "semantic_bands", default=None)
    confidence = _field(
        values, boundary_confidence, "boundaryConfidence", "boundary_confidence", default=0.0
    )

    calibration = _int64_text(calibration_id, "calibrationId")
    if calibration == "0":
        raise OnyxUsageError("calibrationId must be non-zero")
    bucket = _int32(bucket_id, "bucketId")
    if bucket < 0:
        raise OnyxUsageError(f"bucketId must be non-negative, got {bucket}")
    cell_list = _sequence(cells, "cells")
    count_list = _sequence(cell_counts, "cellCounts")
    cell_values = [_int32(cell, f"cells[{axis}]") for axis, cell in enumerate(cell_list)]
    counts = [_int32(count, f"cellCounts[{axis}]") for axis, count in enumerate(count_list)]
    if not cell_values:
        raise OnyxUsageError("a semantic signature needs at least one product cell")
    if len(cell_values) != len(counts):
        raise OnyxUsageError(
            f"cellCounts must give one cardinality per cell: {len(cell_values)} cells, "
            f"{len(counts)} counts"
        )
    packed, space = 0, 1
    for axis, (cell, count) in enumerate(zip(cell_values, counts, strict=True)):
        if count < 2:
            raise OnyxUsageError(f"cellCounts[{axis}] must be at least 2, got {count}")
        if not 0 <= cell < count:
            raise OnyxUsageError(f"cells[{axis}] = {cell} is outside 0..{count - 1}")
        space *= count
        if space > _INT32[1]:
            raise OnyxUsageError("the product-cell space exceeds the 32-bit bucket range")
        packed = packed * count + cell
    if bucket != packed:
        raise OnyxUsageError(
            f"bucketId {bucket} is not the mixed-radix packing of the cells ({packed})"
        )

    word_list = _sequence(fingerprint, "fingerprint")
    if not 1 <= len(word_list) <= 4:
        raise OnyxUsageError(f"fingerprint must have 1 to 4 64-bit words, got {len(word_list)}")
    words = [_word(word, f"fingerprint[{index}]") for index, word in enumerate(word_list)]
    computed = _bands(words)
    if bands is not None:
        band_list = _sequence(bands, "bands")
        if len(band_list) != _BAND_COUNT:
            raise OnyxUsageError(f"bands must have exactly 4 values, got {len(band_list)}")
        if [_word(band, f"bands[{index}]") for index, band in enumerate(band_list)] != computed:
            raise OnyxUsageError("bands are not the four equal quarters of the fingerprint")
    sent, narrowed = _float32(confidence, "boundaryConfidence")
    if not 0 <= narrowed <= 1:
        raise OnyxUsageError(f"boundaryConfidence must be between 0 and 1, got {confidence!r}")
    return {
        "calibrationId": calibration,
        "bucketId": bucket,
        "cells": cell_values,
        "cellCounts": counts,
        "fingerprint": [_hex_word(word) for word in words],
        "bands": [_hex_word(band) for band in computed],
        "boundaryConfidence": sent,
    }


def _is_bare_signature(values: Mapping[str, Any]) -> bool:
    """A vector query given as just a signature (calibration, bucket and fingerprint)."""
    return all(
        any(name in values for name in aliases)
        for aliases in (
            ("calibrationId", "calibration_id"),
            ("bucketId", "bucket_id"),
            ("fingerprint", "fingerprintWords", "fingerprint_words"),
        )
    )


def vector_search_query(
    query: Mapping[str, Any] | None = None,
    *,
    text: Any = _UNSET,
    semantic: Any = _UNSET,
    min_score: Any = _UNSET,
    nearby_bucket_radius: Any = _UNSET,
    max_candidates: Any = _UNSET,
    require_all_terms: Any = _UNSET,
) -> dict[str, Any]:
    """A ``VectorSearchQuery``: text, a semantic signature, or both (snake_case or camelCase
    keys, or keywords, which win). A mapping that is itself a signature is its ``semantic``.

    >>> vector_search_query(text="storm warning")["maxCandidates"]
    1000
    """
    values = _fields(query, "VectorSearchQuery")
    if "semantic" not in values and _is_bare_signature(values):
        values = {"semantic": values}
    text = _field(values, text, "text", "queryText", "query_text", default=None)
    semantic = _field(
        values, semantic, "semantic", "semanticSignature", "semantic_signature", default=None
    )
    min_score = _field(values, min_score, "minScore", "min_score", default=None)
    radius = _field(
        values, nearby_bucket_radius, "nearbyBucketRadius", "nearby_bucket_radius", default=1
    )
    candidates = _field(values, max_candidates, "maxCandidates", "max_candidates", default=1_000)
    all_terms = _field(
        values, require_all_terms, "requireAllTerms", "require_all_terms", default=True
    )
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise UsageTypeError(f"a VectorSearchQuery's text must be non-blank text, got {text!r}")
    signature = None if semantic is None else semantic_vector_signature(semantic)
    if text is None and signature is None:
        raise OnyxUsageError("a VectorSearchQuery needs text, a semantic signature, or both")
    score = None if min_score is None else _float32(min_score, "minScore")[0]
    radius = _int32(radius, "nearbyBucketRadius")
    if radius < 0:
        raise OnyxUsageError(f"nearbyBucketRadius must be non-negative, got {radius}")
    count = _bounded(candidates, "maxCandidates", 1, MAX_VECTOR_SEARCH_CANDIDATES)
    if not isinstance(all_terms, bool):
        raise UsageTypeError(f"requireAllTerms must be a bool, got {all_terms!r}")
    return {
        "text": text,
        "semantic": signature,
        "minScore": score,
        "nearbyBucketRadius": radius,
        "maxCandidates": count,
        "requireAllTerms": all_terms,
    }


def hnsw_search_query(
    query: Mapping[str, Any] | None = None,
    *,
    calibration_id: Any = _UNSET,
    vector: Any = _UNSET,
    max_candidates: Any = _UNSET,
    ef_search: Any = _UNSET,
    min_score: Any = _UNSET,
    format_version: Any = _UNSET,
) -> dict[str, Any]:
    """A bounded native-HNSW request: a non-zero calibration id, a vector of 1..16384 finite
    Float32 values with a non-zero norm, ``max_candidates`` <= ``ef_search`` <= 20000.

    >>> hnsw_search_query({"calibrationId": "73", "vector": [0.25, -0.5]})["calibrationId"]
    '73'
    """
    values = _fields(query, "HnswSearchQuery")
    calibration_id = _field(values, calibration_id, "calibrationId", "calibration_id")
    vector = _field(values, vector, "vector")
    candidates = _field(
        values, max_candidates, "maxCandidates", "max_candidates", default=DEFAULT_HNSW_CANDIDATES
    )
    version = _field(
        values,
        format_version,
        "formatVersion",
        "format_version",
        default=HNSW_QUERY_FORMAT_VERSION,
    )
    min_score = _field(values, min_score, "minScore", "min_score", default=None)
    if _integer(version, "formatVersion") != HNSW_QUERY_FORMAT_VERSION:
        raise OnyxUsageError(f"unsupported HNSW formatVersion {version}; expected 1")
    calibration = _int64_text(calibration_id, "calibrationId")
    if calibration == "0":
        raise OnyxUsageError("calibrationId must be non-zero")
    items = _sequence(vector, "vector")
    if not 1 <= len(items) <= MAX_HNSW_VECTOR_DIMENSION:
        raise OnyxUsageError(
            f"vector must have 1 to {MAX_HNSW_VECTOR_DIMENSION} dimensions, got {len(items)}"
        )
    pairs = [_float32(item, f"vector[{index}]") for index, item in enumerate(items)]
    # Float32 values are at most ~3.4e38: 16384 squares of them stay finite in a Python float.
    if not any(narrowed for _, narrowed in pairs):
        raise OnyxUsageError("vector must have a non-zero finite norm (it is all zeros)")
    count = _bounded(candidates, "maxCandidates", 1, MAX_HNSW_CANDIDATES)
    ef = _field(
        values, ef_search, "efSearch", "ef_search", default=max(DEFAULT_HNSW_EF_SEARCH, count)
    )
    ef = _bounded(ef, "efSearch", count, MAX_HNSW_EF_SEARCH)
    score = None
    if min_score is not None:
        score, narrowed = _float32(min_score, "minScore")
        if not -1 <= narrowed <= 1:
            raise OnyxUsageError(f"minScore must be between -1 and 1, got {min_score!r}")
    return {
        "calibrationId": calibration,
        "vector": [sent for sent, _ in pairs],
        "maxCandidates": count,
        "efSearch": ef,
        "minScore": score,
        "formatVersion": HNSW_QUERY_FORMAT_VERSION,
    }


def approximate_index_candidate_query(
    value_or_values: Any, max_candidates: int = DEFAULT_APPROXIMATE_INDEX_CANDIDATES
) -> dict[str, Any]:
    """One bounded ordinary-index route: ``{"values": [...], "maxCandidates": n}``.

    >>> approximate_index_candidate_query("tenant-a", 200)
    {'values': ['tenant-a'], 'maxCandidates': 200}
    """
    count = _bounded(max_candidates, "maxCandidates", 1, MAX_APPROXIMATE_INDEX_CANDIDATES)
    if isinstance(value_or_values, Sequence) and not isinstance(value_or_values, _TEXT_KINDS):
        values = list(value_or_values)
    else:
        values = [value_or_values]
    if not 1 <= len(values) <= MAX_APPROXIMATE_INDEX_ROUTE_VALUES:
        raise OnyxUsageError(
            f"a candidate route takes 1 to {MAX_APPROXIMATE_INDEX_ROUTE_VALUES} values, "
            f"got {len(values)}"
        )
    if any(value is None for value in values):
        raise UsageTypeError("candidate route values cannot be None")
    return {"values": values, "maxCandidates": count}


# -- conditions ----------------------------------------------------------------------------------

_SEARCH_OPTIONS: Final = frozenset(
    {"mode", "match", "minScore", "min_score", "maxCandidates", "max_candidates"}
)


def _one_of(values: Mapping[str, Any], wire: str, snake: str, default: Any) -> Any:
    if wire in values and snake in values:
        raise UsageTypeError(f"give only one of {wire} and {snake}")
    return values[wire] if wire in values else values.get(snake, default)


def high_level_search_value(
    text: Any, options: Mapping[str, Any] | None = None, **keywords: Any
) -> dict[str, Any]:
    """The value of the high-level ``SEARCH`` condition, from a :class:`SearchOptions` mapping
    or the ``mode`` / ``match`` / ``min_score`` / ``max_candidates`` keywords (not both)."""
    if not isinstance(text, str):
        raise UsageTypeError(f"search text must be a string, got {text!r}")
    if not text.strip():
        raise OnyxUsageError("search text must not be blank")
    values = _fields(options, "SearchOptions")
    unknown = sorted(set(values) - _SEARCH_OPTIONS)
    if unknown:
        raise UsageTypeError(f"unknown search option {unknown[0]!r}")
    if options is not None:
        if any(value is not None for value in keywords.values()):
            raise UsageTypeError("do not combine a search options mapping with search keywords")
        mode = values.get("mode", "hybrid")
        if mode is None:
            raise UsageTypeError("search mode must be a string, got None")
        match = values.get("match", "any")
        min_score = _one_of(values, "minScore", "min_score", None)
        candidates = _one_of(values, "maxCandidates", "max_candidates", 1_000)
    else:
        # An omitted keyword and None are the same: the default.
        mode, match = keywords.get("mode"), keywords.get("match")
        mode, match = "hybrid" if mode is None else mode, "any" if match is None else match
        min_score, candidates = keywords.get("min_score"), keywords.get("max_candidates")
        candidates = 1_000 if candidates is None else candidates
    if not isinstance(mode, str):
        raise UsageTypeError(f"search mode must be a string, got {mode!r}")
    if mode not in ("lexical", "semantic", "hybrid"):
        raise OnyxUsageError(f"search mode must be lexical, semantic or hybrid, got {mode!r}")
    if not isinstance(match, str):
        raise UsageTypeError(f"search match must be a string, got {match!r}")
    if match not in ("all", "any"):
        raise OnyxUsageError(f"search match must be all or any, got {match!r}")
    score = None
    if min_score is not None:
        score = _float32(min_score, "min_score")[0]
        if not 0 <= score <= 1:
            raise OnyxUsageError(f"min_score must be between 0 and 1, got {min_score!r}")
    count = _bounded(candidates, "max_candidates", 1, MAX_VECTOR_SEARCH_CANDIDATES)
    if mode == "hybrid" and count < 2:
        raise OnyxUsageError("max_candidates must be at least 2 for hybrid search")
    return {"text": text, "mode": mode, "match": match, "minScore": score, "maxCandidates": count}


def approximate_search(
    query_text_or_search: Any,
    min_score: Any = None,
    *,
    max_candidates: int = 1_000,
    require_all_terms: bool = True,
) -> Condition:
    """``SEARCH_CANDIDATES``: bounded lexical admission (text only); the sole root of a query.

    >>> approximate_search("storm", max_candidates=5).to_wire()["criteria"]["value"]["text"]
    'storm'
    """
    defaults = max_candidates == 1_000 and require_all_terms is True
    if isinstance(query_text_or_search, str) and isinstance(min_score, Mapping):
        if not defaults:
            raise UsageTypeError("do not combine an options mapping with approximate keywords")
        query = vector_search_query(min_score, text=query_text_or_search)
    elif isinstance(query_text_or_search, str):
        query = vector_search_query(
            text=query_text_or_search,
            min_score=min_score,
            max_candidates=max_candidates,
            require_all_terms=require_all_terms,
        )
    else:
        if min_score is not None or not defaults:
            raise UsageTypeError("give approximate search options inside the query mapping")
        query = vector_search_query(query_text_or_search)
    if query["text"] is None or query["semantic"] is not None:
        raise OnyxUsageError("SEARCH_CANDIDATES takes a text-only VectorSearchQuery")
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
        raise UsageTypeError("the candidate attribute must be a non-empty field name")
    return Criterion(
        attribute, "CANDIDATES", approximate_index_candidate_query(value_or_values, max_candidates)
    )


# -- where these conditions may stand in a query -------------------------------------------------

SOLE_ROOT_OPERATORS: Final = frozenset({"SEARCH_CANDIDATES", "HNSW_CANDIDATES"})
READ_ONLY_OPERATORS: Final = SOLE_ROOT_OPERATORS | {"SEARCH", "CANDIDATES"}


def _criteria(condition: Condition | None) -> Iterator[Criterion]:
    if isinstance(condition, Criterion):
        yield condition
    elif isinstance(condition, Compound):
        for part in condition.conditions:
            yield from _criteria(part)


def _all_and(condition: Condition) -> bool:
    if isinstance(condition, Compound):
        return condition.operator == "AND" and all(_all_and(part) for part in condition.conditions)
    return True


def check_composition(condition: Condition | None) -> None:
    """Refuse, when the query is built, a condition tree Onyx Cloud rejects (the official
    builders refuse the same): ``SEARCH_CANDIDATES`` / ``HNSW_CANDIDATES`` other than as the
    only condition, more than one ``CANDIDATES`` or one under an ``OR``, more than one
    ``SEARCH`` or one next to another full-text condition.

    >>> check_composition(approximate_candidates("tenant", "a") | Criterion("id", "EQUAL", 1))
    Traceback (most recent call last):
    ...
    onyx_database._errors.OnyxUsageError: CANDIDATES can only be combined with AND
    """
    criteria = list(_criteria(condition))
    for criterion in criteria:
        if criterion.operator in SOLE_ROOT_OPERATORS and not isinstance(condition, Criterion):
            raise OnyxUsageError(
                f"{criterion.operator} must be the sole root condition of the query"
            )
    candidates = sum(criterion.operator == "CANDIDATES" for criterion in criteria)
    if candidates > 1:
        raise OnyxUsageError("a query may have only one CANDIDATES condition")
    if candidates and condition is not None and not _all_and(condition):
        raise OnyxUsageError("CANDIDATES can only be combined with AND")
    searches = [criterion for criterion in criteria if criterion.operator == "SEARCH"]
    if any(criterion.field != FULL_TEXT_FIELD for criterion in searches):
        raise OnyxUsageError(f"SEARCH must target {FULL_TEXT_FIELD}")
    if len(searches) > 1:
        raise OnyxUsageError("a query may have only one SEARCH condition")
    full_text = sum(criterion.field == FULL_TEXT_FIELD for criterion in criteria)
    if searches and full_text > 1:
        raise OnyxUsageError("SEARCH cannot be combined with another full-text condition")


def read_only_operator(condition: Condition | None) -> str | None:
    """The search or candidate operator that makes this query read-only (no update, delete or
    live stream), if any."""
    return next(
        (c.operator for c in _criteria(condition) if c.operator in READ_ONLY_OPERATORS), None
    )
