"""Update and delete by query, atomicity, and the change bus on every write path."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, where

ITEMS = [
    {"id": "a", "name": "Apple", "qty": 1, "price": 1.5, "active": True},
    {"id": "b", "name": "Banana", "qty": 2, "price": 0.25, "active": False},
    {"id": "c", "name": "Cherry", "qty": 3, "price": 10.0, "active": True},
]


def update(api: Api, table: str, body: dict[str, Any], **params: Any) -> Any:
    return api.client.put(api.data(f"query/update/{table}"), json=body, params=params)


def delete(api: Api, table: str, body: dict[str, Any], **params: Any) -> Any:
    return api.client.put(api.data(f"query/delete/{table}"), json=body, params=params)


@pytest.fixture
def items(api: Api) -> Api:
    assert api.save("Item", ITEMS).status_code == 200
    return api


def test_update_by_query_returns_a_bare_count_and_coerces_strings(items: Api) -> None:
    body = {
        "type": "UpdateQuery",
        **where("active", "EQUAL", True),
        "updates": {"qty": "30", "active": "false", "createdAt": "Wed Aug 27 04:56:33 UTC 2025"},
    }
    response = update(items, "Item", body)
    assert response.status_code == 200
    assert response.json() == 2
    rows = {r["id"]: r for r in items.records("Item")}
    assert rows["a"]["qty"] == 30 and rows["a"]["active"] is False
    assert rows["a"]["createdAt"] == "2025-08-27T04:56:33.000Z"
    assert rows["a"]["name"] == "Apple"  # only the listed fields change
    assert rows["b"]["qty"] == 2


def test_update_respects_sort_and_limit(items: Api) -> None:
    body = {"updates": {"name": "top"}, "sort": [{"field": "qty", "order": "DESC"}], "limit": 1}
    assert update(items, "Item", body).json() == 1
    assert [r["id"] for r in items.records("Item", where("name", "EQUAL", "top"))] == ["c"]


@pytest.mark.parametrize(
    ("updates", "status"),
    [
        ({"nope": 1}, 400),
        ({"id": "z"}, 400),
        ({"ID": "z"}, 400),
        ({"qty": "many"}, 422),
        ({"email": None}, 422),
    ],
)
def test_update_validation_fails_even_when_nothing_matches(
    items: Api, updates: dict[str, Any], status: int
) -> None:
    table = "Person" if "email" in updates else "Item"
    body = {**where("id", "EQUAL", "missing"), "updates": updates}
    response = update(items, table, body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]


def test_update_that_matches_nothing_returns_zero(items: Api) -> None:
    assert update(items, "Item", {**where("qty", "GREATER_THAN", 99), "updates": {}}).json() == 0


def test_update_of_the_partition_field_moves_the_row(api: Api) -> None:
    api.save("Note", [{"id": "n1", "tenant": "t1", "rank": 1}])
    body = {**where("id", "EQUAL", "n1"), "updates": {"tenant": "t2"}}
    assert update(api, "Note", body).json() == 1
    assert api.client.get(api.data("Note/n1"), params={"partition": "t1"}).status_code == 404
    moved = api.client.get(api.data("Note/n1"), params={"partition": "t2"})
    assert moved.json()["tenant"] == "t2"


def test_delete_by_query_counts_and_truncates(items: Api) -> None:
    assert delete(items, "Item", where("qty", "LESS_THAN", 3)).json() == 2
    assert items.ids("Item") == ["c"]
    items.save("Item", ITEMS)
    assert delete(items, "Item", {"limit": 1}).json() == 3  # no criteria: truncate, limit ignored
    assert items.count("Item") == 0


def test_delete_by_query_in_a_partition(api: Api) -> None:
    api.save("Note", [{"id": "n", "tenant": "t1"}, {"id": "n", "tenant": "t2"}])
    assert delete(api, "Note", {}, partition="t1").json() == 1
    assert api.count("Note") == 1


def test_bad_criteria_delete_nothing(items: Api) -> None:
    response = delete(items, "Item", where("nope", "EQUAL", 1))
    assert response.status_code == 400
    assert items.count("Item") == 3
    assert delete(items, "Nope", {}).status_code == 404


def test_every_write_path_publishes_in_commit_order(items: Api) -> None:
    subscription = items.server.changes.subscribe("Item")
    try:
        items.save("Item", {"id": "d", "name": "Date", "qty": 4})
        items.save("Item", {"id": "d", "name": "Date", "qty": 5})
        items.client.post(items.data("Item"), json={"id": "e", "qty": 1})
        update(items, "Item", {**where("id", "EQUAL", "a"), "updates": {"qty": 9}})
        delete(items, "Item", where("id", "EQUAL", "b"))
        items.client.delete(items.data("Item/c"))
        delete(items, "Item", {})  # truncate: no events
        events = subscription.drain()
    finally:
        items.server.changes.unsubscribe(subscription)
    seen = [(e.action, e.entity["id"]) for e in events]
    assert seen == [
        ("CREATE", "d"),
        ("UPDATE", "d"),
        ("CREATE", "e"),
        ("UPDATE", "a"),
        ("DELETE", "b"),
        ("DELETE", "c"),
    ]
    assert events[1].previous_entity is not None and events[1].previous_entity["qty"] == 4
    assert events[3].entity["qty"] == 9


def test_failed_writes_publish_nothing(items: Api) -> None:
    subscription = items.server.changes.subscribe()
    try:
        update(items, "Item", {"updates": {"qty": "x"}})
        items.save("Person", [{"id": "p"}])
        assert subscription.drain() == []
    finally:
        items.server.changes.unsubscribe(subscription)


def test_a_full_subscription_overflows_instead_of_blocking(items: Api) -> None:
    subscription = items.server.changes.subscribe("Item", maxsize=1)
    try:
        items.save("Item", [{"id": "x1"}, {"id": "x2"}])
        assert subscription.overflowed
        assert len(subscription.drain()) == 1
    finally:
        items.server.changes.unsubscribe(subscription)


def test_stream_route_errors_are_plain_json_before_streaming(items: Api) -> None:
    missing = items.client.put(items.data("query/stream/Nope"), json={})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")
    bad = items.client.put(items.data("query/stream/Item"), json={"limit": "x"})
    assert bad.status_code == 400
    done = items.client.put(items.data("query/stream/Item"), params={"keepAlive": "false"}, json={})
    assert done.status_code == 200
    assert done.headers["content-type"] == "application/x-ndjson"
