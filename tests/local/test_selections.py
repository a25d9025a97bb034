"""Selections, functions, aggregates, groupBy and distinct (engine reference, section 5)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, where

ITEMS = [
    {"id": "a", "name": "Alpha-One", "qty": 21, "price": 2.0, "active": True,
     "createdAt": "2025-01-02T03:04:05.006Z"},
    {"id": "b", "name": "beta", "qty": 42, "price": 1.255, "active": True,
     "createdAt": "2025-02-01T00:00:00Z"},
    {"id": "c", "name": "Gamma", "qty": 63, "price": 1234567.891, "active": False,
     "createdAt": "2024-12-31T23:59:59Z"},
]  # fmt: skip


@pytest.fixture
def items(api: Api) -> Api:
    assert api.save("Item", ITEMS).status_code == 200
    return api


def select(api: Api, *fields: str, **extra: Any) -> list[dict[str, Any]]:
    return api.records("Item", {"fields": list(fields), **extra})


def test_aggregates_cast_back_and_use_population_statistics(items: Api) -> None:
    [row] = select(
        items, "avg(qty)", "sum(qty)", "count(id)", "min(qty)", "max(qty)", "median(qty)",
        "variance(qty)", "std(qty)", "percentile(qty, 75)", "percentile(qty,75.0)",
    )  # fmt: skip
    assert row["avg(qty)"] == 42
    assert row["sum(qty)"] == 126
    assert row["count(id)"] == 3
    assert (row["min(qty)"], row["max(qty)"], row["median(qty)"]) == (21, 63, 42)
    assert row["variance(qty)"] == 294.0
    assert row["std(qty)"] == pytest.approx(17.146, abs=1e-3)
    assert row["percentile(qty, 75)"] == 52
    assert row["percentile(qty,75.0)"] == 52
    assert list(row) == [
        "avg(qty)", "sum(qty)", "count(id)", "min(qty)", "max(qty)", "median(qty)",
        "variance(qty)", "std(qty)", "percentile(qty, 75)", "percentile(qty,75.0)",
    ]  # fmt: skip


def test_double_aggregates_stay_doubles(items: Api) -> None:
    [row] = select(items, "avg(price)", "median(price)")
    assert row["avg(price)"] == pytest.approx((2.0 + 1.255 + 1234567.891) / 3)
    assert row["median(price)"] == 2.0


def test_flat_aggregate_is_one_row_even_when_nothing_matches(items: Api) -> None:
    rows = select(items, "count(id)", "sum(qty)", "avg(qty)", **where("qty", "GREATER_THAN", 99))
    assert rows == [{"count(id)": 0, "sum(qty)": None, "avg(qty)": None}]


def test_non_aggregate_fields_come_from_the_min_max_winner(items: Api) -> None:
    assert select(items, "max(qty)", "name") == [{"max(qty)": 63, "name": "Gamma"}]
    assert select(items, "min(createdAt)", "id") == [
        {"min(createdAt)": "2024-12-31T23:59:59.000Z", "id": "c"}
    ]
    assert select(items, "count(id)", "name") == [{"count(id)": 3}]


def test_group_by_gives_one_row_per_group(items: Api) -> None:
    rows = select(items, "active", "count(id)", "sum(qty)", groupBy=["active"])
    assert rows == [
        {"active": True, "count(id)": 2, "sum(qty)": 63},
        {"active": False, "count(id)": 1, "sum(qty)": 63},
    ]
    ordered = select(
        items, "active", "count(id)", groupBy=["active"], sort=[{"field": "count(id)"}]
    )
    assert [r["count(id)"] for r in ordered] == [1, 2]
    by_function = select(items, "upper(active)", "count(id)", groupBy=["upper(active)"])
    assert by_function == [
        {"upper(active)": "TRUE", "count(id)": 2},
        {"upper(active)": "FALSE", "count(id)": 1},
    ]


def test_string_functions(items: Api) -> None:
    rows = select(
        items,
        "upper(name)",
        "lower(name)",
        "substring(name,2,4)",
        "substring(name,0,99)",
        "replace(name, '\\w', 'z')",
        "replace(name,(a)l,$1L)",
        sort=[{"field": "id", "order": "ASC"}],
    )
    assert rows[0] == {
        "upper(name)": "ALPHA-ONE",
        "lower(name)": "alpha-one",
        "substring(name,2,4)": "ph",
        "substring(name,0,99)": "Alpha-One",
        "replace(name, '\\w', 'z')": "zzzzz-zzz",
        "replace(name,(a)l,$1L)": "Alpha-One",
    }
    assert rows[1]["replace(name,(a)l,$1L)"] == "beta"


def test_format_patterns(items: Api) -> None:
    rows = select(
        items,
        "format(createdAt, 'yyyy-MM-dd')",
        "format(createdAt, 'dd/MM/yy HH:mm:ss.SSS')",
        "format(qty, '000')",
        "format(qty, '0000.0')",
        "format(price, '#.##')",
        "format(price)",
        "format(name, 'x')",
        sort=[{"field": "id"}],
    )
    assert rows[0] == {
        "format(createdAt, 'yyyy-MM-dd')": "2025-01-02",
        "format(createdAt, 'dd/MM/yy HH:mm:ss.SSS')": "02/01/25 03:04:05.006",
        "format(qty, '000')": "021",
        "format(qty, '0000.0')": "0021.0",
        "format(price, '#.##')": "2.00",
        "format(price)": "2.00",  # the default #.## contains ".", so every # becomes 0
        "format(name, 'x')": "Alpha-One",
    }
    assert rows[1]["format(price, '#.##')"] == "1.25"  # the double 1.255 is 1.25499...
    assert rows[2]["format(price)"] == "1234567.89"


def test_format_of_null_is_empty_and_upper_of_null_is_NULL(api: Api) -> None:
    api.save("Item", {"id": "n"})
    assert api.records("Item", {"fields": ["format(qty, '000')", "upper(name)", "name"]}) == [
        {"format(qty, '000')": "", "upper(name)": "NULL", "name": None}
    ]


def test_sort_by_a_function(items: Api) -> None:
    rows = select(items, "id", sort=[{"field": "lower(name)", "order": "DESC"}])
    assert [r["id"] for r in rows] == ["c", "b", "a"]


def test_distinct_and_count_of_distinct_rows(items: Api) -> None:
    assert select(items, "active", distinct=True) == [{"active": True}, {"active": False}]
    body = {"fields": ["active"], "distinct": True}
    assert items.count("Item", body) == 2
    assert items.count("Item", {"fields": ["count(id)"]}) == 1
    assert items.count("Item", {"fields": ["active", "count(id)"], "groupBy": ["active"]}) == 2
    assert select(items, "count(active)", distinct=True) == [{"count(active)": 2}]


@pytest.mark.parametrize(
    "fields",
    [
        ["frobnicate(qty)"],
        ["sum(nope)"],
        ["percentile(qty, 101)"],
        ["percentile(qty, x)"],
        ["substring(name,3,1)"],
        ["replace(name, '(', 'x')"],
        ["nope"],
    ],
)
def test_malformed_selections_are_400(items: Api, fields: list[str]) -> None:
    response = items.query("Item", {"fields": fields})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"]


def test_unknown_function_message(items: Api) -> None:
    response = items.query("Item", {"fields": ["frobnicate(qty)"]})
    assert "Query function not found" in response.json()["error"]["message"]
