"""The inputs on which this SDK's helpers must answer as the official 2.5.2 SDK's: the vector
and candidate search helpers, and the condition, sort and selection helpers.

Imported by ``helpers_script.py`` (run in ``.venv-official`` with the official functions) and by
``test_official_helpers.py`` (in-process, with ours); :func:`run` gives one JSON text per case:
the payload, or the kind of error raised (``TypeError`` or ``ValueError``). The cases are a
fixed, seeded spread of valid inputs (every fingerprint word format, 1 to 4 words, 1 to 4 axes)
and the edge cases: empty, zeros, NaN and infinities, Float32 overflow and underflow, wrong
dimensions and lengths, out-of-range integers, values of the wrong kind, conflicting aliases.
Nothing here imports either SDK.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

Case = tuple[str, tuple[Any, ...], dict[str, Any]]

NAN, INF = math.nan, math.inf
REFUSED = "http://127.0.0.1:9"  # the discard port: nothing listens, a request is refused
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def _packed(cells: list[int], counts: list[int]) -> int:
    bucket = 0
    for cell, count in zip(cells, counts, strict=True):
        bucket = bucket * count + cell
    return bucket


def _word_text(rng: random.Random, word: int) -> Any:
    """One 64-bit word in one of the accepted spellings."""
    unsigned = word & ((1 << 64) - 1)
    style = rng.randrange(6)
    if style == 0:
        return word
    if style == 1:
        return f"0x{unsigned:x}"
    if style == 2:
        return f"0X{unsigned:016X}"
    if style == 3:
        return f"  {word} "
    if style == 4:
        return str(word)
    return f"0x{unsigned:016x}"


def _random_signature(rng: random.Random) -> dict[str, Any]:
    axes = rng.randint(1, 4)
    counts = [rng.randint(2, 40) for _ in range(axes)]
    cells = [rng.randrange(count) for count in counts]
    words = [rng.randint(INT64_MIN, INT64_MAX) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.2:
        words[0] = 0
    calibration = rng.choice([rng.randint(1, INT64_MAX), -rng.randint(1, INT64_MAX)])
    return {
        "calibrationId": calibration if rng.random() < 0.5 else str(calibration),
        "bucketId": _packed(cells, counts),
        "cells": cells,
        "cellCounts": counts,
        "fingerprint": [_word_text(rng, word) for word in words],
        "boundaryConfidence": rng.choice([0, 1, 0.0, 1.0, rng.random(), 0.1, 1 / 3]),
    }


def _snake(signature: dict[str, Any]) -> dict[str, Any]:
    names = {
        "calibrationId": "calibration_id",
        "bucketId": "bucket_id",
        "cellCounts": "cell_counts",
        "fingerprint": "fingerprint_words",
        "boundaryConfidence": "boundary_confidence",
    }
    return {names.get(key, key): value for key, value in signature.items()}


BASE = {
    "calibrationId": "-7909761245221418085",
    "bucketId": 5,
    "cells": [1, 2],
    "cellCounts": [2, 3],
    "fingerprint": ["0x0123456789abcdef"],
    "boundaryConfidence": 0.2,
}


def _with(**changes: Any) -> dict[str, Any]:
    signature = dict(BASE)
    for key, value in changes.items():
        if value is _DROP:
            signature.pop(key, None)
        else:
            signature[key] = value
    return signature


_DROP = object()


def signature_cases() -> list[Case]:
    rng = random.Random(20261201)
    cases: list[Case] = []
    for _ in range(120):
        signature = _random_signature(rng)
        cases.append(("semantic_vector_signature", (signature,), {}))
        if rng.random() < 0.3:
            cases.append(("semantic_vector_signature", (_snake(signature),), {}))
        if rng.random() < 0.3:
            keywords = _snake(signature)
            keywords["fingerprint"] = keywords.pop("fingerprint_words")
            cases.append(("semantic_vector_signature", (), keywords))
    signature = {
        "calibration_id": 9,
        "bucket_id": 0,
        "cells": [0],
        "cell_counts": [2],
        "fingerprint": [0],
    }
    cases.append(("semantic_vector_signature", (), signature))
    edge: list[dict[str, Any]] = [
        _with(fingerprint=[INT64_MIN, INT64_MAX, -1, 0]),
        _with(fingerprint=["0xFFFFFFFFFFFFFFFF", "ff", "FF", "-1"]),
        _with(fingerprint=["0x" + "f" * 17]),
        _with(fingerprint=["1" * 20]),
        _with(fingerprint=["1" * 5000]),
        _with(fingerprint=["0x" + "0" * 5000 + "1"]),
        _with(calibrationId="9" * 5000),
        _with(fingerprint=[1 << 63]),
        _with(fingerprint=[INT64_MIN - 1]),
        _with(fingerprint=["0x"]),
        _with(fingerprint=["xyz"]),
        _with(fingerprint=["-ff"]),
        _with(fingerprint=["1e5"]),
        _with(fingerprint=[""]),
        _with(fingerprint=[None]),
        _with(fingerprint=[1.0]),
        _with(fingerprint=[True]),
        _with(fingerprint=[]),
        _with(fingerprint=[1, 2, 3, 4, 5]),
        _with(fingerprint="0x01"),
        _with(fingerprint=b"\x01"),
        _with(fingerprint=(7,)),
        _with(fingerprint=None),
        _with(fingerprint=_DROP),
        _with(fingerprint=_DROP, fingerprintWords=[1]),
        _with(fingerprint=[1], fingerprintWords=["zz"]),
        _with(bands=None),
        _with(bands=["0x000000000000cdef"] * 3),
        _with(bands=[1, 2, 3, 4]),
        _with(bands="abcd"),
        _with(bands=["0xcdef", "0x89ab", "0x4567", "0x123"]),
        _with(bands=[0xCDEF, 0x89AB, 0x4567, 0x123]),
        _with(bands=[0xCDEF, 0x89AB, 0x4567, 0x124]),
        _with(semanticBands=["0xcdef", "0x89ab", "0x4567", "0x123"]),
        _with(calibrationId=0),
        _with(calibrationId="0"),
        _with(calibrationId="-0"),
        _with(calibrationId=" -5 "),
        _with(calibrationId="1e3"),
        _with(calibrationId="--5"),
        _with(calibrationId="+5"),
        _with(calibrationId=INT64_MAX),
        _with(calibrationId=INT64_MAX + 1),
        _with(calibrationId=str(INT64_MIN)),
        _with(calibrationId=True),
        _with(calibrationId=1.0),
        _with(calibrationId=None),
        _with(calibrationId=_DROP),
        _with(calibrationId=_DROP, calibration_id=4),
        _with(bucketId=-1, cells=[0], cellCounts=[2]),
        _with(bucketId=4),
        _with(bucketId=5.0),
        _with(bucketId=True),
        _with(bucketId=1 << 31),
        _with(bucketId=0, cells=[], cellCounts=[]),
        _with(bucketId=0, cells=[0], cellCounts=[1]),
        _with(bucketId=0, cells=[0, 0], cellCounts=[2]),
        _with(bucketId=2, cells=[2], cellCounts=[2]),
        _with(bucketId=-1, cells=[-1], cellCounts=[2]),
        _with(cells="12"),
        _with(cells=(1, 2)),
        _with(cells=[1, True]),
        _with(cellCounts=[2, 1 << 31]),
        _with(bucketId=0, cells=[0, 0, 0], cellCounts=[2000, 2000, 2000]),
        _with(bucketId=1, cells=[0, 1], cellCounts=[46340, 46340]),
        _with(boundaryConfidence=NAN),
        _with(boundaryConfidence=INF),
        _with(boundaryConfidence=-INF),
        _with(boundaryConfidence=-0.0),
        _with(boundaryConfidence=1.0000001),
        _with(boundaryConfidence=1 + 1e-9),
        _with(boundaryConfidence=-1e-50),
        _with(boundaryConfidence=3.5e38),
        _with(boundaryConfidence=Fraction(1, 3)),
        _with(boundaryConfidence=True),
        _with(boundaryConfidence="0.5"),
        _with(boundaryConfidence=None),
        _with(boundaryConfidence=10**400),
        {1: 2, **BASE},
    ]
    cases += [("semantic_vector_signature", (signature,), {}) for signature in edge]
    for _ in range(20):
        cases.append(("semantic_vector_signature_given_bands", (_random_signature(rng),), {}))
    cases += [
        ("semantic_vector_signature", (), {}),
        ("semantic_vector_signature", (None,), {}),
        ("semantic_vector_signature", ([("calibrationId", 1)],), {}),
        ("semantic_vector_signature", ("x",), {}),
        ("semantic_vector_signature", (BASE,), {"calibration_id": "12"}),
        ("semantic_vector_signature", (BASE,), {"bands": None}),
        ("semantic_vector_signature", (BASE,), {"boundary_confidence": None}),
        ("semantic_vector_signature", (BASE,), {"cells": [0, 0], "bucket_id": 0}),
    ]
    return cases


def vector_query_cases() -> list[Case]:
    rng = random.Random(7)
    cases: list[Case] = []
    for _ in range(30):
        query: dict[str, Any] = {}
        if rng.random() < 0.7:
            query[rng.choice(["text", "queryText", "query_text"])] = "storm warning"
        if not query or rng.random() < 0.5:
            query[rng.choice(["semantic", "semanticSignature", "semantic_signature"])] = (
                _random_signature(rng)
            )
        if rng.random() < 0.5:
            query["minScore"] = rng.choice([0.5, -3, 7, 1e-30])
        if rng.random() < 0.5:
            query["nearbyBucketRadius"] = rng.randint(0, 9)
        if rng.random() < 0.5:
            query["max_candidates"] = rng.randint(1, 5000)
        if rng.random() < 0.5:
            query["requireAllTerms"] = rng.random() < 0.5
        cases.append(("vector_search_query", (query,), {}))
    keyword_cases: list[dict[str, Any]] = [
        {"text": "storm"},
        {"text": "storm", "semantic": BASE},
        {"semantic": BASE},
        {"text": "  "},
        {"text": ""},
        {"text": 5},
        {"text": None},
        {},
        {"text": "a", "min_score": NAN},
        {"text": "a", "min_score": INF},
        {"text": "a", "min_score": 1e39},
        {"text": "a", "min_score": -2.5},
        {"text": "a", "min_score": True},
        {"text": "a", "nearby_bucket_radius": -1},
        {"text": "a", "nearby_bucket_radius": 1 << 31},
        {"text": "a", "nearby_bucket_radius": (1 << 31) - 1},
        {"text": "a", "nearby_bucket_radius": None},
        {"text": "a", "max_candidates": 0},
        {"text": "a", "max_candidates": 5000},
        {"text": "a", "max_candidates": 5001},
        {"text": "a", "max_candidates": True},
        {"text": "a", "max_candidates": 10.0},
        {"text": "a", "require_all_terms": "yes"},
        {"text": "a", "require_all_terms": False},
        {"text": "a", "require_all_terms": None},
        {"text": "a", "semantic": "sig"},
        {"text": "a", "semantic": _with(bucketId=4)},
    ]
    cases += [("vector_search_query", (), kwargs) for kwargs in keyword_cases]
    cases += [
        ("vector_search_query", (BASE,), {}),
        ("vector_search_query", ({**BASE, "text": "storm"},), {}),
        ("vector_search_query", ({**BASE, "semantic": None, "text": "x"},), {}),
        ("vector_search_query", ({"text": "x", "maxCandidates": 3},), {"max_candidates": 4}),
        ("vector_search_query", ({"text": "x"},), {"text": None}),
        ("vector_search_query", ({"text": "x", "queryText": "y"},), {}),
        ("vector_search_query", ("x",), {}),
        ("vector_search_query", ({"text": "x", 2: 1},), {}),
        ("vector_search_query", ({"semantic": {"bucketId": 1}},), {}),
    ]
    return cases


def hnsw_cases() -> list[Case]:
    rng = random.Random(11)
    cases: list[Case] = []
    for _ in range(30):
        dims = rng.choice([1, 2, 3, 8, 384])
        vector = [rng.uniform(-1, 1) for _ in range(dims)]
        query: dict[str, Any] = {
            rng.choice(["calibrationId", "calibration_id"]): rng.choice(
                [rng.randint(1, INT64_MAX), str(-rng.randint(1, INT64_MAX))]
            ),
            "vector": vector if rng.random() < 0.7 else tuple(vector),
        }
        if rng.random() < 0.5:
            query["maxCandidates"] = rng.randint(1, 5000)
        if rng.random() < 0.3:
            query["efSearch"] = rng.randint(5000, 20000)
        if rng.random() < 0.4:
            query["minScore"] = rng.uniform(-1, 1)
        cases.append(("hnsw_search_query", (query,), {}))
    vectors: list[Any] = [
        [],
        [0.0],
        [0.0, -0.0, 0],
        [1e-45],
        [1e-46],
        [3.4e38, 3.4e38],
        [3.5e38],
        [NAN, 1.0],
        [1.0, INF],
        [-INF],
        [1, 2, 3],
        [True, 1.0],
        ["1.0"],
        [None],
        [Fraction(1, 3), 2],
        [10**400],
        [0.5] * 16384,
        [0.5] * 16385,
        (0.25, -0.5),
        bytearray(b"\x01\x02"),
        b"\x01\x02",
        "0.5",
        None,
        {"a": 1},
    ]
    cases += [("hnsw_search_query", (), {"calibration_id": 73, "vector": v}) for v in vectors]
    variants: list[dict[str, Any]] = [
        {"calibration_id": 0},
        {"calibration_id": "0"},
        {"calibration_id": "-7"},
        {"calibration_id": " 42 "},
        {"calibration_id": INT64_MIN},
        {"calibration_id": INT64_MAX + 1},
        {"calibration_id": 1.0},
        {"max_candidates": 0},
        {"max_candidates": 5000},
        {"max_candidates": 5001},
        {"max_candidates": 2000},
        {"max_candidates": 2000, "ef_search": 1999},
        {"max_candidates": 10, "ef_search": 10},
        {"ef_search": 20000},
        {"ef_search": 20001},
        {"ef_search": None},
        {"min_score": -1},
        {"min_score": 1},
        {"min_score": 1.0000001},
        {"min_score": 1 + 1e-9},
        {"min_score": NAN},
        {"min_score": None},
        {"format_version": 1},
        {"format_version": 2},
        {"format_version": True},
        {"format_version": 1.0},
        {"format_version": None},
    ]
    for variant in variants:
        kwargs = {"calibration_id": 73, "vector": [0.25, -0.5], **variant}
        cases.append(("hnsw_search_query", (), kwargs))
    cases += [
        ("hnsw_search_query", ({"vector": [1.0]},), {}),
        ("hnsw_search_query", ({"calibrationId": 5},), {}),
        ("hnsw_search_query", ({"calibrationId": 5, "vector": [1.0]},), {"vector": [2.0]}),
        ("hnsw_search_query", ({"calibrationId": 5, "vector": [1.0], "efSearch": 3000},), {}),
        ("hnsw_search_query", ([1.0],), {}),
    ]
    return cases


def candidate_cases() -> list[Case]:
    values: list[Any] = [
        "tenant-a",
        ["a", "b"],
        ("a", 1, True, 2.5),
        [],
        [None],
        None,
        0,
        b"ab",
        bytearray(b"ab"),
        ["x"] * 5000,
        ["x"] * 5001,
        {"a": 1},
    ]
    cases: list[Case] = [("approximate_index_candidate_query", (v,), {}) for v in values]
    for count in (1, 200, 5000, 0, 5001, True, 2.0, None):
        cases.append(("approximate_index_candidate_query", ("a", count), {}))
    return cases


def condition_cases() -> list[Case]:
    cases: list[Case] = []
    search_calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("remote engineer",), {"mode": "lexical"}),
        (("remote engineer",), {"mode": "semantic", "max_candidates": 1}),
        (("remote engineer",), {"mode": "hybrid", "max_candidates": 1}),
        (("remote engineer",), {"match": "all"}),
        (("remote engineer",), {"max_candidates": 10}),
        (("remote engineer", 0.5), {"mode": "lexical"}),
        (("remote engineer", 1.5), {"mode": "lexical"}),
        (("remote engineer", NAN), {"mode": "lexical"}),
        (("remote engineer",), {"mode": "fuzzy"}),
        (("remote engineer",), {"match": "most"}),
        (("remote engineer",), {"mode": 3}),
        (("  ",), {"mode": "lexical"}),
        ((5,), {"mode": "lexical"}),
        (("q", {"mode": "lexical", "minScore": 0.5}), {}),
        (("q", {"mode": "semantic", "max_candidates": 7, "match": "all"}), {}),
        (("q", {}), {}),
        (("q", {"mode": None}), {}),
        (("q", {"match": None}), {}),
        (("q", {"maxCandidates": None}), {}),
        (("q", {"minScore": 0.5, "min_score": 0.5}), {}),
        (("q", {"limit": 3}), {}),
        (("q", {"mode": "lexical"}), {"mode": "lexical"}),
        (("q", {"mode": "lexical"}), {"require_all_terms": True}),
        (("q",), {"mode": "lexical", "semantic": BASE}),
        (("q",), {"semantic": BASE}),
        (("q", 0.5), {"semantic": BASE, "nearby_bucket_radius": 2}),
        (("q",), {"require_all_terms": False}),
        (("q",), {"nearby_bucket_radius": 0, "max_candidates": 9}),
        (({"text": "q", "semantic": BASE},), {}),
        ((BASE,), {}),
        (({"text": "q"},), {"max_candidates": 3}),
        (({"text": "q"},), {"mode": "lexical"}),
        (("q",), {"semantic": {"bucketId": 1}}),
        (("engineer AND remote", 4.4), {}),
        (("engineer",), {}),
    ]
    cases += [("search", args, kwargs) for args, kwargs in search_calls]
    approximate_calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("storm",), {}),
        (("storm", 0.5), {"max_candidates": 5, "require_all_terms": False}),
        (("storm", {"maxCandidates": 5}), {}),
        (("storm", {"maxCandidates": 5}), {"max_candidates": 6}),
        (({"text": "storm", "requireAllTerms": False},), {}),
        (({"text": "storm"}, 0.5), {}),
        (({"text": "storm"},), {"require_all_terms": False}),
        (({"semantic": BASE},), {}),
        (({"text": "storm", "semantic": BASE},), {}),
        ((BASE,), {}),
        (("  ",), {}),
        (("storm",), {"max_candidates": 0}),
        ((None,), {}),
    ]
    cases += [("approximate_search", args, kwargs) for args, kwargs in approximate_calls]
    cases += [
        ("hnsw_candidates", ({"calibrationId": "73", "vector": [0.25, -0.5]},), {}),
        ("hnsw_candidates", ({"calibrationId": "73", "vector": []},), {}),
        ("hnsw_candidates", (None,), {}),
        ("approximate_candidates", ("tenantId", ["a", "b"], 200), {}),
        ("approximate_candidates", ("tenantId", "a"), {}),
        ("approximate_candidates", (" ", "a"), {}),
        ("approximate_candidates", (5, "a"), {}),
        ("approximate_candidates", ("tenantId", []), {}),
    ]
    return cases


SIMPLE_HELPERS = [
    "eq", "neq", "gt", "gte", "lt", "lte", "like", "not_like", "contains", "not_contains",
    "starts_with", "not_starts_with", "matches", "not_matches",
]  # fmt: skip
SELECTIONS = ["avg", "sum", "count", "min", "max", "std", "variance", "median", "upper", "lower"]


def helper_cases() -> list[Case]:
    """The other helpers: conditions, sorts and selection strings (where this SDK is not
    deliberately stricter: it rejects blank names and invalid numbers the official sends)."""
    values: list[Any] = ["x", "", 0, -1.5, 2**40, True, None, ["a", 1], {"k": "v"}]
    cases: list[Case] = [
        (name, ("field", value), {}) for name in SIMPLE_HELPERS for value in values
    ]
    cases += [(name, ("a.b",), {}) for name in [*SELECTIONS, "asc", "desc", "is_null", "not_null"]]
    cases += [("count", ("*",), {})]
    for name in ("within", "not_within", "in_op", "not_in"):
        for listed in ("x, y ,,z", "x", ["x", 1], ("x", 1), []):
            cases.append((name, ("a", listed), {}))
    cases += [
        ("between", ("a", 1, 2), {}),
        ("not_between", ("a", "a", "z"), {}),
        ("between", ("a", None, 2.5), {}),
        ("substring", ("a", 0, 8), {}),
        ("substring", ("a", 3, 0), {}),
        ("replace", ("a", "it's", "b'c"), {}),
        ("replace", ("a", "-", ""), {}),
        ("format", ("a", "%tF"), {}),
        ("format", ("a", "x'y"), {}),
    ]
    cases += [("percentile", ("a", p), {}) for p in (75, 75.0, 99.5, 0, 0.0, 100, 1e-5, 33.3)]
    cases += [("search", args, {}) for args in [("engineer",), ("engineer", 0), ("a b", 4.4)]]
    return cases


def all_cases() -> list[Case]:
    return (
        signature_cases()
        + vector_query_cases()
        + hnsw_cases()
        + candidate_cases()
        + condition_cases()
        + helper_cases()
    )


FUNCTIONS = [
    "semantic_vector_signature",
    "vector_search_query",
    "hnsw_search_query",
    "approximate_index_candidate_query",
    "search",
    "approximate_search",
    "hnsw_candidates",
    "approximate_candidates",
    *SIMPLE_HELPERS,
    *SELECTIONS,
    "asc", "desc", "is_null", "not_null", "within", "not_within", "in_op", "not_in", "between",
    "not_between", "substring", "replace", "format", "percentile",
]  # fmt: skip
"""Every helper the cases call, by its name in ``onyx_database``."""


def outcome(function: Callable[..., Any], case: Case, plain: Callable[[Any], Any]) -> str:
    """The JSON text of what one call gave: its payload, or the kind of error it raised."""
    _, args, kwargs = case
    try:
        result = plain(function(*args, **kwargs))
    except TypeError:
        return json.dumps({"error": "TypeError"})
    except ValueError:
        return json.dumps({"error": "ValueError"})
    return json.dumps({"result": result}, sort_keys=True, default=repr)


def run(functions: dict[str, Callable[..., Any]], plain: Callable[[Any], Any]) -> list[str]:
    """Every case's outcome, with ``functions`` (name -> the SDK's function) and ``plain`` (a
    condition or payload -> its plain JSON data)."""

    def given_bands(signature: dict[str, Any]) -> Any:
        # The bands the SDK computes, given back as ints and as text, must be accepted.
        build = functions["semantic_vector_signature"]
        bands = build(signature)["bands"]
        build(signature, bands=[int(band, 16) for band in bands])
        return build({**signature, "bands": [band.upper().replace("0X", "0x") for band in bands]})

    calls = {**functions, "semantic_vector_signature_given_bands": given_bands}
    return [outcome(calls[case[0]], case, plain) for case in all_cases()]


def composition(db: Any, sdk: Any) -> dict[str, str]:
    """How a builder of ``db`` (an ``onyx.init`` client of ``sdk``, never reached: its address
    refuses connections) composes the search and candidate conditions: the conditions it would
    send, or the kind of error it raises when the query is built or its terminal is called."""
    hnsw = {"calibrationId": 5, "vector": [1.0]}
    eq = sdk.eq

    def users() -> Any:
        return db.from_table("User")

    scenarios: dict[str, Callable[[], Any]] = {
        "where hnsw, then where": lambda: (
            users().where(sdk.hnsw_candidates(hnsw)).where(eq("a", 1))
        ),
        "where, then where hnsw": lambda: (
            users().where(eq("a", 1)).where(sdk.hnsw_candidates(hnsw))
        ),
        "hnsw, then and_": lambda: users().hnsw_candidates(hnsw).and_(eq("a", 1)),
        "hnsw, then limit": lambda: users().hnsw_candidates(hnsw).limit(3),
        "hnsw alone": lambda: users().where(sdk.hnsw_candidates(hnsw)),
        "approximate, then where": lambda: users().approximate_search("x").where(eq("a", 1)),
        "approximate, then or_": lambda: users().approximate_search("x").or_(eq("a", 1)),
        "candidates, then or_": lambda: (
            users().where(sdk.approximate_candidates("t", "a")).or_(eq("a", 1))
        ),
        "where, then candidates": lambda: (
            users().where(eq("a", 1)).approximate_candidates("t", "a")
        ),
        "candidates twice": lambda: (
            users().approximate_candidates("t", "a").approximate_candidates("u", "b")
        ),
        "candidates, then and_": lambda: (
            users().approximate_candidates("t", "a").and_(eq("a", 1)).and_(eq("b", 2))
        ),
        "search twice": lambda: users().search("x", mode="lexical").search("y", mode="lexical"),
        "search and full-text": lambda: users().search("x", mode="lexical").search("y"),
        "search or_": lambda: users().search("x", mode="lexical").or_(eq("a", 1)),
        "where, then search": lambda: users().where(eq("a", 1)).search("x", mode="lexical"),
        "vector search, then where": lambda: users().search({"text": "x"}).where(eq("a", 1)),
        "full-text twice": lambda: users().search("x").search("y"),
    }
    out: dict[str, str] = {}
    for name, build in scenarios.items():
        try:
            conditions = build().to_select_query()["conditions"]
            out[name] = json.dumps(conditions, sort_keys=True)
        except ValueError:
            out[name] = "ValueError"
    terminals: dict[str, Callable[[Any], Any]] = {
        "update": lambda q: q.set_updates({"a": 1}).update(),
        "delete": lambda q: q.delete(),
        "stream": lambda q: q.stream(include_query_results=True, keep_alive=False),
    }
    roots: dict[str, Callable[[], Any]] = {
        "SEARCH": lambda: users().search("x", mode="lexical"),
        "SEARCH_CANDIDATES": lambda: users().approximate_search("x"),
        "HNSW_CANDIDATES": lambda: users().hnsw_candidates(hnsw),
        "CANDIDATES": lambda: users().approximate_candidates("t", "a"),
    }
    for root, build in roots.items():
        for terminal, call in terminals.items():
            try:
                call(build())
                out[f"{terminal} with {root}"] = "sent"
            except ValueError:
                out[f"{terminal} with {root}"] = "ValueError"
            except Exception:  # a request was attempted: the address refuses it
                out[f"{terminal} with {root}"] = "sent"
    try:  # a plain full-text search is not read-only: the delete is sent
        users().search("x").delete()
        out["delete with full-text"] = "sent"
    except ValueError:
        out["delete with full-text"] = "ValueError"
    except Exception:
        out["delete with full-text"] = "sent"
    return out
