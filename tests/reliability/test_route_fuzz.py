"""Property-based fuzzing of every route of Onyx Local, one axis the semantic fuzz in
``tests/local/test_fuzz.py`` leaves out: the *transport* shape of a request. Every route gets
bodies from that module's strategies, sent with any content type, in any text encoding (or
invalid bytes), at sizes from empty to 1 MB, nested up to 3,000 levels, with junk query strings.

Each example reuses ``test_fuzz``'s checks (``send``): never a 5xx, errors in the canonical
shape, a write route answered 4xx leaves every table, document and secret unchanged, and the
server answers a normal request afterwards (a crash or a hang fails the example: the client's
timeout is 20 s).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from local.test_fuzz import Fuzz, fuzz, json_bodies, send  # reused, not duplicated

from onyx_database.local._app import _ROUTES

from .conftest import Figure

pytestmark = pytest.mark.reliability

__all__ = ["fuzz"]  # the module-scoped server fixture of test_fuzz

EXAMPLES_PER_ROUTE = 10
ROUTES = [(method, pattern) for method, pattern, _handler in _ROUTES]
PLACEHOLDERS = {
    "{table}": "AllTypes",
    "{pk}": "a1",
    "{key}": "k1",
    "{id*}": "doc/1",
    "{model}": "onyx",
}
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "application/vnd.msgpack",
    "application/x-ndjson",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "",
    "application/json; charset=../../etc/passwd",
]
ENCODINGS = ["utf-8", "utf-16", "utf-32", "latin-1", "invalid"]


def _path(fuzz: Fuzz, pattern: tuple[str, ...]) -> str:
    parts = [fuzz.db if part == "{db}" else PLACEHOLDERS.get(part, part) for part in pattern]
    return "/" + "/".join(parts)


def _encode(value: Any, depth: int, encoding: str, padding: int) -> bytes:
    text = json.dumps(value, allow_nan=True)
    if padding:
        text = f'{{"pad": "{"x" * padding}", "value": {text}}}'
    text = "[" * depth + text + "]" * depth  # built as text: json.dumps would recurse
    if encoding == "invalid":
        return text.encode() + b"\xff\xfe\xc3("
    return text.encode(encoding, errors="replace")


def test_every_route_with_any_body_shape(fuzz: Fuzz, figure: Figure) -> None:
    statuses: Counter[str] = Counter()
    routes_hit: set[int] = set()

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        body=json_bodies,
        content_type=st.sampled_from(CONTENT_TYPES),
        encoding=st.sampled_from(ENCODINGS),
        depth=st.sampled_from([0, 0, 1, 50, 500, 3000]),
        padding=st.sampled_from([0, 0, 0, 10, 100_000, 1_000_000]),
        empty=st.booleans(),
        query=st.sampled_from(["", "pageSize=-1", "nextPage=%ZZ", "partition=", "a=b&a=c", "%"]),
    )
    def example(
        route: int,
        body: Any,
        content_type: str,
        encoding: str,
        depth: int,
        padding: int,
        empty: bool,
        query: str,
    ) -> None:
        method, pattern = ROUTES[route]
        path = _path(fuzz, pattern)
        if "stream" in pattern:
            query = "keepAlive=false"  # a live stream would wait for changes, by design
        content = b"" if empty else _encode(body, depth, encoding, padding)
        response = send(
            fuzz,
            method,
            path + ("?" + query if query else ""),
            content=content,
            content_type=content_type,
            write=method != "GET",
        )
        routes_hit.add(route)
        # 501: routes Onyx Local does not offer (AI, fenced writes) say so honestly
        code = response.status_code
        statuses["501" if code == 501 else f"{code // 100}xx"] += 1

    for route in range(len(ROUTES)):  # every route gets its own examples
        example(route)
    assert statuses["5xx"] == 0
    figure(
        f"hypothesis fuzz of every route ({len(ROUTES)} routes): content types, encodings, "
        "sizes up to 1 MB, nesting up to 3,000, junk query strings",
        f"{sum(statuses.values())} requests on {len(routes_hit)} routes: "
        + ", ".join(f"{count} x {kind}" for kind, count in sorted(statuses.items()))
        + "; 0 x 5xx, 0 hangs, 0 crashes, 0 partial writes",
    )
