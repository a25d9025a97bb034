"""Query semantics over HTTP: operators, nulls as minus infinity, coercion, sort, paging."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, where

ITEMS = [
    {
        "id": "a", "name": "Apple", "qty": 1, "price": 1.5, "active": True,
        "createdAt": "2025-01-01T00:00:00Z", "meta": {"color": "red", "sizes": [{"n": 1}]},
    },
    {
        "id": "b", "name": "banana", "qty": 2, "price": 0.25, "active": False,
        "createdAt": "2025-02-01T00:00:00Z", "meta": {"color": "yellow"},
    },
    {
        "id": "c", "name": "Cherry", "qty": 3, "price": 10.0, "active": True,
        "createdAt": "2025-03-01T00:00:00Z", "tags": ["x", "y"],
    },
    {"id": "d", "name": None, "qty": None, "price": None, "active": None, "createdAt": None},
    {
        "id": "e", "name": "null", "qty": 5, "price": 2.0, "active": False,
        "createdAt": "2025-05-01T00:00:00Z",
    },
]  # fmt: skip


@pytest.fixture
def items(api: Api) -> Api:
    assert api.save("Item", ITEMS).status_code == 200
    return api


def ids(api: Api, body: dict[str, Any]) -> list[str]:
    return sorted(api.ids("Item", body))


CASES = [
    ("qty", "EQUAL", 2, ["b"]),
    ("qty", "EQUAL", "2", ["b"]),
    ("qty", "EQUAL", 2.0, ["b"]),
    ("qty", "EQUAL", None, ["d"]),
    ("qty", "NOT_EQUAL", 2, ["a", "c", "d", "e"]),
    ("qty", "NOT_EQUAL", None, ["a", "b", "c", "e"]),
    ("qty", "GREATER_THAN", 2, ["c", "e"]),
    ("qty", "GREATER_THAN", None, ["a", "b", "c", "e"]),
    ("qty", "GREATER_THAN_EQUAL", None, ["a", "b", "c", "d", "e"]),
    ("qty", "LESS_THAN", 3, ["a", "b", "d"]),
    ("qty", "LESS_THAN", None, []),
    ("qty", "LESS_THAN_EQUAL", None, ["d"]),
    ("qty", "LESS_THAN_EQUAL", 1, ["a", "d"]),
    ("qty", "GREATER_THAN", 2.5, ["c", "e"]),
    ("price", "GREATER_THAN_EQUAL", 2, ["c", "e"]),
    ("qty", "BETWEEN", [2, 3], ["b", "c"]),
    ("qty", "BETWEEN", {"from": 2, "to": 3}, ["b", "c"]),
    ("qty", "BETWEEN", [None, 2], ["a", "b"]),
    ("qty", "BETWEEN", [1, None], []),
    ("qty", "NOT_BETWEEN", [2, 3], ["a", "d", "e"]),
    ("qty", "IN", [1, "3", 99], ["a", "c"]),
    ("qty", "IN", [], []),
    ("qty", "NOT_IN", [1, 3], ["b", "d", "e"]),
    ("qty", "NOT_IN", [], ["a", "b", "c", "d", "e"]),
    ("qty", "IN", [None], ["d"]),
    ("name", "LIKE", "APPLE", ["a"]),
    ("name", "LIKE", "app%", []),
    ("name", "LIKE", "NULL", ["d", "e"]),
    ("name", "NOT_LIKE", "apple", ["b", "c", "d", "e"]),
    ("name", "CONTAINS", "an", ["b"]),
    ("name", "CONTAINS", "ul", ["d", "e"]),
    ("name", "NOT_CONTAINS", "a", ["a", "c", "d", "e"]),
    ("name", "CONTAINS_IGNORE_CASE", "CHE", ["c"]),
    ("name", "NOT_CONTAINS_IGNORE_CASE", "A", ["c", "d", "e"]),
    ("name", "STARTS_WITH", "B", []),
    ("name", "STARTS_WITH", "b", ["b"]),
    ("name", "NOT_STARTS_WITH", "A", ["b", "c", "d", "e"]),
    ("name", "MATCHES", "[A-C].*", ["a", "c"]),
    ("name", "MATCHES", "pple", []),
    ("name", "MATCHES", "(?i)apple", ["a"]),
    ("name", "NOT_MATCHES", "[A-C].*", ["b", "d", "e"]),
    ("name", "IS_NULL", None, ["d"]),
    ("name", "NOT_NULL", None, ["a", "b", "c", "e"]),
    ("name", "GREATER_THAN", "Z", ["b", "e"]),
    ("active", "EQUAL", True, ["a", "c"]),
    ("active", "EQUAL", "false", ["b", "e"]),
    ("createdAt", "GREATER_THAN", "2025-02-01T00:00:00.000Z", ["c", "e"]),
    ("createdAt", "LESS_THAN", 1738368000000, ["a", "d"]),
    ("createdAt", "BETWEEN", ["02/01/2025 12:00:00 AM UTC", "2025-03-01"], ["b", "c"]),
    ("createdAt", "EQUAL", "2025-01-01", ["a"]),
    ("meta.color", "EQUAL", "red", ["a"]),
    ("meta.sizes.n", "EQUAL", 1, ["a"]),
    ("tags", "CONTAINS", "x, y", ["c"]),
]


@pytest.mark.parametrize(("field", "operator", "value", "expected"), CASES)
def test_operator(items: Api, field: str, operator: str, value: Any, expected: list[str]) -> None:
    assert ids(items, where(field, operator, value)) == expected


def test_null_tests_accept_an_explicit_null_value(items: Api) -> None:
    assert ids(items, where("qty", "IS_NULL")) == ["d"]
    assert ids(items, where("qty", "IS_NULL", None)) == ["d"]


def test_conditions_without_condition_type(items: Api) -> None:
    body = {"conditions": {"criteria": {"field": "qty", "operator": "EQUAL", "value": 1}}}
    assert ids(items, body) == ["a"]


def test_compound_conditions_nest(items: Api) -> None:
    def single(field: str, operator: str, value: Any) -> dict[str, Any]:
        return where(field, operator, value)["conditions"]

    body = {
        "conditions": {
            "conditionType": "CompoundCondition",
            "operator": "OR",
            "conditions": [
                {
                    "conditionType": "CompoundCondition",
                    "operator": "AND",
                    "conditions": [
                        single("qty", "GREATER_THAN", 1),
                        single("active", "EQUAL", True),
                    ],
                },
                single("name", "EQUAL", "Apple"),
            ],
        }
    }
    assert ids(items, body) == ["a", "c"]
    empty_and = {
        "conditions": {"conditionType": "CompoundCondition", "operator": "AND", "conditions": []}
    }
    assert len(ids(items, empty_and)) == 5


@pytest.mark.parametrize("key", ["order", "direction"])
@pytest.mark.parametrize("word", ["DESC", "desc", "Desc"])
def test_sort_accepts_order_or_direction_in_any_case(items: Api, key: str, word: str) -> None:
    body = {"sort": [{"field": "qty", key: word}]}
    assert items.ids("Item", body) == ["e", "c", "b", "a", "d"]  # nulls last descending


def test_sort_ascending_puts_nulls_first_and_ties_break_by_id(items: Api) -> None:
    assert items.ids("Item", {"sort": [{"field": "qty", "order": "ASC"}]}) == [
        "d",
        "a",
        "b",
        "c",
        "e",
    ]
    by_active = items.ids(
        "Item", {"sort": [{"field": "active"}, {"field": "price", "order": "DESC"}]}
    )
    assert by_active == ["d", "e", "b", "c", "a"]
    assert items.ids("Item", {"sort": [{"field": "name", "order": "ASC"}]}) == [
        "d",
        "a",
        "c",
        "b",
        "e",
    ]


def test_limit_applies_before_paging_and_count_ignores_it(items: Api) -> None:
    response = items.query(
        "Item", {"limit": 3, "sort": [{"field": "id", "order": "ASC"}]}, pageSize=2
    )
    body = response.json()
    assert [r["id"] for r in body["records"]] == ["a", "b"]
    assert body["totalResults"] == 3
    rest = items.query(
        "Item",
        {"limit": 3, "sort": [{"field": "id", "order": "ASC"}]},
        pageSize=2,
        nextPage=body["nextPage"],
    )
    assert [r["id"] for r in rest.json()["records"]] == ["c"]
    assert rest.json()["nextPage"] is None
    assert items.count("Item", {"limit": 1}) == 5
    assert items.count("Item", where("qty", "GREATER_THAN", 1)) == 3


def test_paging_returns_every_row_exactly_once(api: Api) -> None:
    rows = [{"id": f"r{i:03d}", "qty": i % 7} for i in range(250)]
    api.save("Item", rows)
    body = {"sort": [{"field": "qty", "order": "DESC"}]}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"pageSize": 60}
        if token:
            params["nextPage"] = token
        page = api.query("Item", body, **params).json()
        assert page["totalResults"] == 250
        seen += [r["id"] for r in page["records"]]
        pages += 1
        token = page["nextPage"]
        if token is None:
            break
        assert all(c.isalnum() or c in "-_" for c in token)
    assert pages == 5
    assert sorted(seen) == sorted(r["id"] for r in rows)
    assert len(seen) == len(set(seen))


def test_default_page_is_1000_rows(api: Api) -> None:
    api.save("Ticket", [{"title": str(i)} for i in range(1001)])
    page = api.query("Ticket").json()
    assert len(page["records"]) == 1000
    assert page["nextPage"] is not None
    assert page["totalResults"] == 1001


@pytest.mark.parametrize("size", ["1001", "0", "-1", "ten"])
def test_bad_page_size_is_400(items: Api, size: str) -> None:
    assert items.query("Item", pageSize=size).status_code == 400


@pytest.mark.parametrize("token", ["garbage", "AAAAAAAAAAA", "x" * 200, "%%%"])
def test_forged_page_token_is_404(items: Api, token: str) -> None:
    assert items.query("Item", pageSize=2, nextPage=token).status_code == 404


def test_page_token_is_bound_to_its_query(items: Api) -> None:
    token = items.query("Item", pageSize=2).json()["nextPage"]
    assert (
        items.query("Item", where("qty", "NOT_NULL"), pageSize=2, nextPage=token).status_code == 404
    )


def test_partition_scope(api: Api) -> None:
    api.save(
        "Note",
        [
            {"id": "1", "tenant": "t1", "rank": 1},
            {"id": "2", "tenant": "t1", "rank": 2},
            {"id": "1", "tenant": "t2", "rank": 3},
            {"id": "3", "rank": 4},
        ],
    )
    assert api.count("Note") == 4
    assert api.count("Note", {"partition": "t1"}) == 2
    assert api.count("Note", partition="t2") == 1
    assert api.count("Note", where("tenant", "EQUAL", "t1")) == 2
    either = {
        "conditions": {
            "conditionType": "CompoundCondition",
            "operator": "OR",
            "conditions": [
                where("tenant", "EQUAL", "t1")["conditions"],
                where("rank", "EQUAL", 3)["conditions"],
            ],
        }
    }
    # The engine scopes to the partition named by an EQUAL even inside an OR.
    assert api.count("Note", either) == 2
    assert sorted(r["rank"] for r in api.records("Note", where("rank", "GREATER_THAN", 1))) == [
        2,
        3,
        4,
    ]


def test_projection_and_distinct(items: Api) -> None:
    rows = items.records(
        "Item", {"fields": ["active"], "distinct": True, "sort": [{"field": "active"}]}
    )
    assert rows == [{"active": None}, {"active": False}, {"active": True}]
    named = items.records("Item", {"fields": ["id", "meta.color"], **where("id", "EQUAL", "a")})
    assert named == [{"id": "a", "meta.color": "red"}]
    assert items.count("Item", {"fields": ["active"], "distinct": True}) == 3


def test_body_table_and_explicit_nulls_are_accepted(items: Api) -> None:
    body = {
        "type": "SelectQuery", "table": "Item", "fields": None, "conditions": None, "sort": None,
        "limit": None, "distinct": False, "groupBy": None, "partition": None, "resolvers": None,
    }  # fmt: skip
    assert len(items.ids("Item", body)) == 5


@pytest.mark.parametrize(
    "body",
    [
        where("nope", "EQUAL", 1),
        where("qty", "SIMILAR", 1),
        where("name", "MATCHES", "(unclosed"),
        where("qty", "IN", 3),
        where("qty", "BETWEEN", [1]),
        {"sort": [{"field": "nope"}]},
        {"sort": [{"field": "qty", "order": "SIDEWAYS"}]},
        {"sort": "qty"},
        {"limit": "ten"},
        {"conditions": {"conditionType": "Weird"}},
        {"conditions": [1, 2]},
        where("name.inner", "EQUAL", 1),
    ],
)
def test_invalid_queries_are_400(items: Api, body: dict[str, Any]) -> None:
    response = items.query("Item", body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"]


def test_incomparable_values_fail_the_query(items: Api) -> None:
    assert items.query("Item", where("meta", "GREATER_THAN", {"a": 1})).status_code == 400
