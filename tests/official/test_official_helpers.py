"""This SDK's helpers answer as the official 2.5.2 SDK's on every case of ``helper_cases.py``
(vector and candidate searches, conditions, sorts, selections): the same payload, read
through the returned object as the official dict, or an error of the same kind (``TypeError``
or ``ValueError``, ours also an :class:`OnyxUsageError`). The official answers come from
``helpers_script.py`` run in ``.venv-official``."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import helper_cases
import pytest

import onyx_database
from onyx_database import Condition, OnyxUsageError, Sort

pytestmark = pytest.mark.official

HERE = Path(__file__).parent
OFFICIAL_PYTHON = HERE.parents[1] / ".venv-official" / "bin" / "python"

FUNCTIONS = helper_cases.FUNCTIONS


def run_official(*args: str) -> Any:
    if not OFFICIAL_PYTHON.exists():
        pytest.fail("the official SDK virtualenv is missing: run python3 scripts/test.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONYX_", "PYTHON"))}
    out = subprocess.run(
        [str(OFFICIAL_PYTHON), str(HERE / "helpers_script.py"), *args],
        cwd=HERE,  # never the repository root: it holds our package
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


def plain(value: Any) -> Any:
    """Our condition or sort read as a dict, as code written for the official SDK reads it."""
    if isinstance(value, Condition | Sort):
        return dict(value)
    return value


def our_outcomes() -> list[str]:
    functions = {name: getattr(onyx_database, name) for name in FUNCTIONS}
    return helper_cases.run(functions, plain)


def describe(case: helper_cases.Case) -> str:
    name, args, kwargs = case
    return f"{name}(*{args!r}, **{kwargs!r})"[:300]


def test_helpers_answer_as_the_official_ones() -> None:
    cases = helper_cases.all_cases()
    theirs, ours = run_official(), our_outcomes()
    assert len(theirs) == len(ours) == len(cases)
    differ = [
        f"{describe(case)}\n  official {their}\n  ours     {our}"
        for case, their, our in zip(cases, theirs, ours, strict=True)
        if their != our
    ]
    assert not differ, f"{len(differ)} of {len(cases)} cases differ:\n" + "\n".join(differ[:20])
    kinds = {json.loads(outcome).get("error", "payload") for outcome in theirs}
    assert kinds == {"payload", "TypeError", "ValueError"}  # the spread covers all three


def raised(case: helper_cases.Case) -> Exception | None:
    name, args, kwargs = case
    try:
        getattr(onyx_database, name)(*args, **kwargs)
    except Exception as error:  # the point is which class it is
        return error
    return None


def test_every_error_is_a_usage_error_that_says_what_is_wrong() -> None:
    cases = [case for case in helper_cases.all_cases() if case[0] in FUNCTIONS]
    errors = [(describe(case), raised(case)) for case in cases]
    wrong = [
        (call, error)
        for call, error in errors
        if error is not None and not (isinstance(error, OnyxUsageError) and str(error))
    ]
    assert not wrong
    assert sum(error is not None for _, error in errors) > 150


def test_signature_edge_cases() -> None:
    sign = onyx_database.semantic_vector_signature
    base = dict(helper_cases.BASE)
    signature = sign(base)
    assert signature == {
        "calibrationId": "-7909761245221418085",
        "bucketId": 5,
        "cells": [1, 2],
        "cellCounts": [2, 3],
        "fingerprint": ["0x0123456789abcdef"],
        "bands": [
            "0x000000000000cdef",
            "0x00000000000089ab",
            "0x0000000000004567",
            "0x0000000000000123",
        ],
        "boundaryConfidence": 0.2,
    }
    four = sign(base, fingerprint=[1, -1, 0, "0x8000000000000000"])
    assert four["bands"] == [
        "0x0000000000000001",
        "0xffffffffffffffff",
        "0x0000000000000000",
        "0x8000000000000000",
    ]
    with pytest.raises(TypeError, match="fingerprint must be a sequence"):
        sign(base, fingerprint=None)
    with pytest.raises(OnyxUsageError, match="1 to 4 64-bit words, got 0"):
        sign(base, fingerprint=[])
    with pytest.raises(OnyxUsageError, match="1 to 4 64-bit words, got 5"):
        sign(base, fingerprint=[1] * 5)
    with pytest.raises(OnyxUsageError, match="boundaryConfidence must be finite"):
        sign(base, boundary_confidence=float("nan"))
    with pytest.raises(OnyxUsageError, match="32-bit float"):
        sign(base, boundary_confidence=3.5e38)
    with pytest.raises(OnyxUsageError, match="four equal quarters"):
        sign(base, bands=[1, 2, 3, 4])
    with pytest.raises(OnyxUsageError, match="mixed-radix"):
        sign(base, bucket_id=4)


def test_vector_edge_cases() -> None:
    hnsw = onyx_database.hnsw_search_query
    with pytest.raises(OnyxUsageError, match="all zeros"):
        hnsw(calibration_id=1, vector=[0.0, -0.0])
    with pytest.raises(OnyxUsageError, match=r"1 to 16384 dimensions, got 0"):
        hnsw(calibration_id=1, vector=[])
    with pytest.raises(OnyxUsageError, match=r"got 16385"):
        hnsw(calibration_id=1, vector=[1.0] * 16385)
    with pytest.raises(OnyxUsageError, match=r"vector\[1\] must be finite"):
        hnsw(calibration_id=1, vector=[1.0, float("inf")])
    with pytest.raises(TypeError, match="vector must be a sequence"):
        hnsw(calibration_id=1, vector=bytearray(b"\x01"))
    with pytest.raises(OnyxUsageError, match="cannot be negated"):
        ~onyx_database.approximate_candidates("tenantId", "a")
    query = hnsw(calibration_id=1, vector=[1e-45])  # a Float32 subnormal: non-zero
    assert query["vector"] == [1e-45]


def test_search_and_candidate_composition_is_refused_as_the_official_refuses_it() -> None:
    theirs: dict[str, str] = run_official("composition")
    with onyx_database.onyx.init(
        base_url=helper_cases.REFUSED, database_id="d", api_key="k", api_secret="s"
    ) as db:
        ours = helper_cases.composition(db, onyx_database)
    assert ours == theirs
    refused = [name for name, outcome in theirs.items() if outcome == "ValueError"]
    assert len(refused) >= 20  # the scenarios exercise the rules, not only the happy paths
