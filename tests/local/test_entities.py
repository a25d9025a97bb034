"""Save, insert, find and delete over raw HTTP: payload shapes, status codes, variants."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgpack
import pytest

from .conftest import Api

MSGPACK = "application/vnd.msgpack"


def test_save_one_returns_every_attribute_identifier_first(api: Api) -> None:
    response = api.save("Item", {"id": "a", "name": "Anvil", "qty": "3", "unknown": 1})
    assert response.status_code == 200
    body = response.json()
    assert next(iter(body)) == "id"
    assert body["qty"] == 3
    assert body["price"] is None
    assert set(body) == {
        "id", "name", "qty", "price", "active", "createdAt", "code", "big", "small", "tiny",
        "ratio", "tags", "meta",
    }  # fmt: skip


def test_save_many_returns_an_array_and_upsert_replaces(api: Api) -> None:
    response = api.save("Item", [{"id": "a", "name": "one"}, {"id": "b", "qty": 2}])
    assert [r["id"] for r in response.json()] == ["a", "b"]
    api.save("Item", {"id": "a", "qty": 7})
    found = api.client.get(api.data("Item/a")).json()
    assert found["qty"] == 7
    assert found["name"] is None  # a save replaces, it does not merge


def test_timestamps_come_back_iso_utc_with_millis(api: Api) -> None:
    forms = [
        "2025-09-04T18:08:18.345Z",
        1757009298345,
        "2025-09-04T20:08:18.345+02:00",
        "2025-09-04T18:08:18.345123456Z",
    ]
    for index, value in enumerate(forms):
        saved = api.save("Item", {"id": f"t{index}", "createdAt": value}).json()
        assert saved["createdAt"] == "2025-09-04T18:08:18.345Z", value
    kotlin = api.save("Item", {"id": "k", "createdAt": "08/27/2025 04:56:33 AM UTC"}).json()
    assert kotlin["createdAt"] == "2025-08-27T04:56:33.000Z"
    day = api.save("Item", {"id": "d", "createdAt": "2025-08-27"}).json()
    assert day["createdAt"] == "2025-08-27T00:00:00.000Z"


def test_save_coerces_types_and_rejects_impossible_values(api: Api) -> None:
    saved = api.save(
        "Item",
        {"id": "c", "active": "true", "price": 2, "big": "9007199254740993", "tags": ["x"]},
    ).json()
    assert saved["active"] is True
    assert saved["price"] == 2.0
    assert saved["big"] == 9007199254740993
    assert saved["tags"] == ["x"]
    for bad in ({"qty": "many"}, {"tiny": 300}, {"active": 3}, {"qty": 1.5}, {"tags": "x"}):
        response = api.save("Item", {"id": "bad", **bad})
        assert response.status_code == 422, bad
    assert api.client.get(api.data("Item/bad")).status_code == 404


def test_find_missing_is_404_with_the_canonical_error_body(api: Api) -> None:
    response = api.client.get(api.data("Item/nope"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == body["code"] == "NOT_FOUND"
    assert body["error"]["message"] == body["message"]


def test_delete_returns_true_or_the_entity_with_prefer(api: Api) -> None:
    api.save("Item", [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}])
    plain = api.client.delete(api.data("Item/a"))
    assert plain.status_code == 200
    assert plain.content == b"true"
    represented = api.client.delete(api.data("Item/b"), headers={"Prefer": "return=representation"})
    assert represented.json()["name"] == "B"
    assert api.client.delete(api.data("Item/a")).status_code == 404
    assert api.count("Item") == 0


def test_insert_creates_with_201_and_conflicts_with_409(api: Api) -> None:
    created = api.client.post(api.data("Item"), json={"id": "a", "name": "first"})
    assert created.status_code == 201
    assert created.json()["name"] == "first"
    again = api.client.post(api.data("Item"), json={"id": "a", "name": "second"})
    assert again.status_code == 409
    assert api.client.get(api.data("Item/a")).json()["name"] == "first"
    batch = api.client.post(
        api.data("Item"), json=[{"id": "b"}, {"id": "a", "name": "x"}, {"id": "c"}]
    )
    assert batch.status_code == 409
    assert sorted(api.ids("Item")) == ["a", "b"]  # sequential: b committed, c never ran


def test_insert_same_id_in_another_partition_is_allowed(api: Api) -> None:
    assert api.client.post(api.data("Note"), json={"id": "n", "tenant": "t1"}).status_code == 201
    assert api.client.post(api.data("Note"), json={"id": "n", "tenant": "t2"}).status_code == 201
    assert api.client.post(api.data("Note"), json={"id": "n", "tenant": "t2"}).status_code == 409


def test_identifier_generators(api: Api) -> None:
    assert api.save("Ticket", {"title": "a"}).json()["id"] == 1
    assert api.save("Ticket", {"id": 0, "title": "b"}).json()["id"] == 2
    assert api.save("Ticket", {"id": 10, "title": "c"}).json()["id"] == 10
    assert api.save("Ticket", [{"title": "d"}, {"id": None}]).json()[1]["id"] == 12
    event = api.save("Event", {"id": "", "kind": "x"}).json()["id"]
    other = api.save("Event", {"kind": "y"}).json()["id"]
    assert len(event) == 36
    assert event == event.lower()
    assert event != other
    missing = api.save("Item", {"name": "no id"})
    assert missing.status_code == 422
    assert "Identifier key is required : id" in missing.json()["error"]["message"]


def test_non_nullable_attribute_is_422_and_batch_stops_there(api: Api) -> None:
    response = api.save("Person", [{"id": "p1", "email": "a@b"}, {"id": "p2"}, {"id": "p3"}])
    assert response.status_code == 422
    assert "Attribute must not be null : email" in response.json()["message"]
    assert api.ids("Person") == ["p1"]


def test_unknown_table_is_404_with_its_own_code(api: Api) -> None:
    response = api.save("Nope", {"id": "a"})
    assert response.status_code == 404
    assert response.json()["code"] == "TABLE_NOT_FOUND"
    assert api.query("Nope").status_code == 404
    assert api.client.get(api.data("Nope/a")).status_code == 404


@pytest.mark.parametrize(
    "key", ["a/b", "what?", "hash#tag", "a&b=c", "50%off", "with space", "ünï©ødé", "plus+sign"]
)
def test_percent_encoded_ids_round_trip(api: Api, key: str) -> None:
    api.save("Item", {"id": key, "name": "odd"})
    path = api.data("Item/" + quote(key, safe=""))
    assert api.client.get(path).json()["id"] == key
    assert api.client.delete(path).status_code == 200
    assert api.count("Item") == 0


def test_kotlin_form_encoded_space_is_found(api: Api) -> None:
    api.save("Item", {"id": "with space"})
    assert api.client.get(api.data("Item/with+space")).json()["id"] == "with space"


def test_find_and_delete_look_only_in_the_given_partition(api: Api) -> None:
    api.save(
        "Note", [{"id": "n", "tenant": "t1", "rank": 1}, {"id": "n", "tenant": "t2", "rank": 2}]
    )
    assert api.client.get(api.data("Note/n")).status_code == 404
    assert api.client.get(api.data("Note/n"), params={"partition": "t2"}).json()["rank"] == 2
    assert api.client.delete(api.data("Note/n"), params={"partition": "t1"}).status_code == 200
    assert api.count("Note") == 1


def _packed(response: Any) -> Any:
    assert response.headers["content-type"] == MSGPACK
    return msgpack.unpackb(response.content, raw=False)


def test_msgpack_request_and_reply(api: Api) -> None:
    headers = {"Content-Type": MSGPACK, "Accept": f"{MSGPACK}, application/json;q=0.9"}
    body = msgpack.packb({"id": "m", "qty": 4, "createdAt": "2025-01-01T00:00:00Z"})
    saved = api.client.put(api.data("Item"), content=body, headers=headers)
    assert _packed(saved)["qty"] == 4
    found = api.client.get(api.data("Item/m"), headers={"Accept": headers["Accept"]})
    assert _packed(found)["createdAt"] == "2025-01-01T00:00:00.000Z"
    page = api.client.put(
        api.data("query/Item"), content=msgpack.packb({"type": "SelectQuery"}), headers=headers
    )
    assert [r["id"] for r in _packed(page)["records"]] == ["m"]
    count = api.client.put(api.data("query/count/Item"), content=msgpack.packb({}), headers=headers)
    assert _packed(count) == 1
    as_json = api.client.get(api.data("Item/m"), headers={"Accept": "application/json, " + MSGPACK})
    assert as_json.json()["id"] == "m"


def test_msgpack_errors_are_json(api: Api) -> None:
    response = api.client.get(api.data("Item/none"), headers={"Accept": MSGPACK})
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_batch_save_publishes_one_event_per_record_with_what_it_replaced(api: Api) -> None:
    api.save("Item", {"id": "a", "name": "stored", "active": True})
    subscription = api.server.changes.subscribe("Item")
    try:
        batch = [
            {"id": "a", "name": "a2", "createdAt": "2024-02-03T04:05:06.007Z"},
            {"id": "b", "name": "b1", "active": False},
            {"id": "b", "name": "b2"},
        ]
        saved = api.save("Item", batch).json()
        events = subscription.drain()
    finally:
        api.server.changes.unsubscribe(subscription)
    assert [(r["id"], r["name"]) for r in saved] == [("a", "a2"), ("b", "b1"), ("b", "b2")]
    assert saved[0]["createdAt"] == "2024-02-03T04:05:06.007Z"
    assert saved[1]["active"] is False
    assert [e.action for e in events] == ["UPDATE", "CREATE", "UPDATE"]
    assert [e.entity for e in events] == saved
    assert events[0].previous_entity is not None
    assert events[0].previous_entity["name"] == "stored"
    assert events[2].previous_entity is not None
    assert events[2].previous_entity["name"] == "b1"
    assert api.client.get(api.data("Item/b")).json()["name"] == "b2"


def test_a_batch_insert_conflicts_on_an_id_repeated_within_it(api: Api) -> None:
    response = api.client.post(api.data("Item"), json=[{"id": "x"}, {"id": "y"}, {"id": "x"}])
    assert response.status_code == 409
    assert "'x' already exists" in response.json()["error"]["message"]
    assert sorted(api.ids("Item")) == ["x", "y"]
