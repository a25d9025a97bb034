"""Malformed input never produces a 500, never crashes the server and never changes data."""

from __future__ import annotations

import msgpack
import pytest

from .conftest import Api

MSGPACK = {"Content-Type": "application/vnd.msgpack"}

BAD_JSON = [
    b"{",
    b"{'id': 'a'}",
    b'{"id": NaN}',
    b'{"id": "a", "qty": Infinity}',
    b"[" * 5000 + b"]" * 5000,
    b'{"id": "a", "qty": 1e400}',
    b'{"id": "a", "big": 123456789012345678901234567890}',
    b"\xff\xfe\x00",
    b'"just a string"',
    b"42",
]


@pytest.mark.parametrize("raw", BAD_JSON)
def test_malformed_json_save_is_4xx_and_changes_nothing(api: Api, raw: bytes) -> None:
    api.save("Item", {"id": "keep", "qty": 1})
    response = api.client.put(
        api.data("Item"), content=raw, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["message"]
    assert api.ids("Item") == ["keep"]


def test_deep_nesting_is_400(api: Api) -> None:
    nested: object = "x"
    for _ in range(200):
        nested = {"k": nested}
    response = api.save("Item", {"id": "deep", "meta": nested})
    assert response.status_code == 400
    assert "deeper" in response.json()["message"]
    assert api.count("Item") == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"\xc1",
        b"\x82\xa2id\xa1a\xa2id\xa1b",  # duplicate key
        msgpack.packb({"id": b"bytes"}, use_bin_type=True),
        msgpack.packb({1: "int key"}),
        b"\xdd\xff\xff\xff\xff",  # array header promising 4 billion items
        msgpack.packb({"id": "a", "qty": float("nan")}),
    ],
)
def test_malformed_msgpack_is_400(api: Api, raw: bytes) -> None:
    response = api.client.put(api.data("Item"), content=raw, headers=MSGPACK)
    assert response.status_code == 400, response.text
    assert api.count("Item") == 0


@pytest.mark.parametrize(
    "body",
    [
        {"id": {"nested": "id"}},
        {"id": ["a"]},
        {"id": "a", "qty": {"n": 1}},
        {"id": "a", "createdAt": "not a date"},
        {"id": "a", "createdAt": True},
        {"id": "a", "price": "cheap"},
        ["oops"],
        "string",
        17,
    ],
)
def test_wrong_types_are_4xx(api: Api, body: object) -> None:
    response = api.save("Item", body)
    assert 400 <= response.status_code < 500, response.text
    assert api.client.get(api.data("Item/a")).status_code == (
        200 if isinstance(body, list) and body and body[0] == {"id": "a"} else 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"conditions": {"criteria": "x"}},
        {"conditions": {"criteria": {"field": 1, "operator": "EQUAL"}}},
        {"conditions": {"criteria": {"field": "qty", "operator": None}}},
        {"conditions": {"conditionType": "CompoundCondition", "operator": "XOR", "conditions": []}},
        {
            "conditions": {
                "conditionType": "CompoundCondition",
                "operator": "AND",
                "conditions": "x",
            }
        },
        {"fields": "name"},
        {"fields": [1]},
        {"distinct": "yes"},
        {"partition": {"a": 1}},
        [1, 2, 3],
        {
            "conditions": {
                "criteria": {"field": "name", "operator": "MATCHES", "value": "x" * 20000}
            }
        },
    ],
)
def test_wrong_types_in_queries_are_400(api: Api, body: object) -> None:
    for path in ("query/Item", "query/count/Item"):
        response = api.client.put(api.data(path), json=body)
        assert response.status_code == 400, (path, response.text)


def test_huge_in_list_is_answered(api: Api) -> None:
    api.save("Item", [{"id": str(i), "qty": i} for i in range(10)])
    values = list(range(200_000))
    body = {"conditions": {"criteria": {"field": "qty", "operator": "IN", "value": values}}}
    assert api.count("Item", body) == 10


def test_oversized_body_is_413(api: Api) -> None:
    response = api.client.put(
        api.data("Item"),
        content=b" " * (64 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert api.client.get(f"/schemas/{api.db}").status_code == 200  # still alive


def test_invalid_percent_escapes_in_path(api: Api) -> None:
    response = api.client.get(api.data("Item/%ZZ%"))
    assert response.status_code == 404
