"""Drop-in shapes of the official SDK against Onyx Local: ``init(schema=...)``, records, pages,
stream handles, results, keyword names, the executor methods and ``search`` options."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import onyx_database
from onyx_database import (
    OnyxConfigError,
    OnyxDatabase,
    OnyxServerError,
    OnyxUsageError,
    Record,
    WireFormat,
    eq,
    like,
    onyx,
    onyx_async,
    starts_with,
    within,
)
from onyx_database.local import LocalServer
from onyx_database.testing.plugin import _client_config


class User:
    """Like the official generated stubs: a plain class taking the fields as keywords."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


class Role(BaseModel):
    id: str
    name: str | None = None


SCHEMA = {"User": User, "Role": Role}
NOW = {"createdAt": "2025-01-01T00:00:00.000Z", "updatedAt": "2025-01-01T00:00:00.000Z"}
USERS = [
    {"id": f"u{i}", "username": f"user{i}", "email": f"u{i}@example.com", "isActive": i % 2 == 0}
    | NOW
    for i in range(5)
]


@pytest.fixture
def db(onyx_server: LocalServer, tmp_path: Path) -> Any:
    onyx_server.reset_data()
    config = _client_config(onyx_server, tmp_path)
    with onyx.init(config=config) as plain:
        plain.save("User", USERS)
        plain.save("Role", {"id": "admin", "name": "Admin", "isSystem": False} | NOW)
        plain.save("UserRole", {"id": "ur1", "userId": "u0", "roleId": "admin"} | NOW)
    mapped = onyx.init(**_options(onyx_server), schema=SCHEMA)
    with mapped:
        yield mapped


def _options(server: LocalServer) -> dict[str, Any]:
    config = server.config()
    return {
        "database_id": config["databaseId"],
        "base_url": config["baseUrl"],
        "api_key": config["apiKey"],
        "api_secret": config["apiSecret"],
    }


def test_records_are_instances_of_the_schema_classes(db: OnyxDatabase) -> None:
    users = db.from_table("User").where(eq("isActive", True)).order_by("id").list()
    assert [type(user) for user in users] == [User, User, User]
    assert [user.email for user in users] == ["u0@example.com", "u2@example.com", "u4@example.com"]
    found = db.find_by_id("User", "u1")
    assert isinstance(found, User) and found.username == "user1"
    role = db.find_by_id("Role", "admin")
    assert isinstance(role, Role) and role.name == "Admin"
    assert db.get_model_for_table("User") is User
    # resolver values ride along, also on a pydantic model that does not declare them
    user = db.from_table("User").where(eq("id", "u0")).resolve("roles").first_or_none()
    assert [r["id"] for r in user.roles] == ["admin"]
    typed = db.from_table("User").where(eq("id", "u0")).resolve(("roles", Role)).first_or_none()
    assert isinstance(typed.roles[0], Role)
    # a table without a class, and projections: Record dicts (attribute and item access)
    link = db.find_by_id("UserRole", "ur1")
    assert isinstance(link, Record) and link.roleId == link["roleId"] == "admin"
    projected = db.select("id", "email").from_table("User").where(eq("id", "u3")).list()
    assert projected[0].email == projected[0]["email"] == "u3@example.com"


def test_saving_plain_objects_sends_their_attributes(db: OnyxDatabase) -> None:
    nine = User(id="u9", username="nine", email="n@example.com", isActive=True, **NOW)
    saved = db.save("User", nine)
    assert isinstance(saved, User) and saved.username == "nine"
    assert db.find_by_id("User", "u9").email == "n@example.com"


def test_schema_option_forms(onyx_server: LocalServer) -> None:
    module = type("stubs", (), {"MODEL_MAP": SCHEMA})
    for option in ({"schema": module}, {"model_map": SCHEMA}, {"models": module}):
        with onyx.init(**_options(onyx_server), **option) as client:
            assert client.config.models["User"] is User
    with pytest.raises(OnyxConfigError, match="SCHEMA or MODEL_MAP"):
        onyx.init(**_options(onyx_server), schema=object())
    with pytest.raises(OnyxConfigError, match="maps table names to classes"):
        onyx.init(**_options(onyx_server), schema={"User": "not a class"})


def test_pages_read_as_the_official_dict(db: OnyxDatabase) -> None:
    query = db.from_table("User").order_by("id")
    first = query.page(page_size=2)
    assert [u.id for u in first.get("records", [])] == ["u0", "u1"]
    token = first.get("nextPage") or first.get("next_page")
    assert token == first["nextPage"] == first.next_page
    second = query.page(2, token)
    assert [u.id for u in second["records"]] == ["u2", "u3"]
    assert [u.id for u in query.page_size(2).next_page(token).page()] == ["u2", "u3"]
    assert [u.id for u in query.page(token, model=Record)] and query.page(token, model=Record)
    assert isinstance(query.page(2, token, Record).records[0], Record)
    assert set(dict(first)) == {"records", "nextPage"}
    raw = db.query_page("User", query.to_select_query(), {"pageSize": 2, "nextPage": token})
    assert [r["id"] for r in raw["records"]] == ["u2", "u3"]


def test_list_returns_every_record_with_the_official_helpers(db: OnyxDatabase) -> None:
    results = db.from_table("User").order_by("id").list(page_size=2)
    assert results.size() == 5 and results.values("id") == [f"u{i}" for i in range(5)]
    assert results.first_or_none().id == "u0"
    assert results.page() is None  # every page is already here
    assert db.from_table("User").list(model=Record)[0]["id"]
    first = db.from_table("User").where(eq("id", "u4")).first_or_none(model=Record)
    assert isinstance(first, Record) and first.username == "user4"


def test_official_keyword_names(db: OnyxDatabase) -> None:
    q = db.from_table("User")
    assert q.limit(n=2).page_size(n=2).spec.limit == 2
    assert q.where(eq("isActive", True)).and_where(starts_with("id", prefix="u")).count() == 3
    assert q.where(like("username", pattern="user1")).count() == 1
    assert q.where(within("id", values=["u1", "u2"])).count() == 2
    assert q.ensure_table() == "User"
    assert q.where(eq("id", "u1")).to_query_object()["table"] == "User"
    with pytest.raises(OnyxUsageError, match="no table"):
        db.select("id").ensure_table()


def test_executor_methods_take_wire_bodies(db: OnyxDatabase) -> None:
    active = db.from_table("User").where(eq("isActive", False))
    assert db.count("User", active.to_select_query(), None) == 2
    update = active.set_updates({"username": "off"}).to_update_query()
    assert db.update("User", update, None) == 2
    assert db.delete_by_query("User", active.to_select_query(), None) == 2
    assert db.from_table("User").count() == 3


def _until_open(server: LocalServer, count: int) -> None:
    tick = threading.Event()
    for _ in range(1500):
        if server.open_streams == count:
            return
        tick.wait(0.01)
    raise AssertionError(f"{count} stream(s) never opened")


def test_stream_handles_read_as_the_official_dict(
    db: OnyxDatabase, onyx_server: LocalServer
) -> None:
    seen = threading.Event()
    handle = db.stream(
        "User",
        db.from_table("User").where(eq("isActive", True)).to_select_query(),
        False,
        True,
        {"on_item_added": lambda user: seen.set()},
    )
    assert "cancel" in handle and callable(handle.get("cancel"))
    _until_open(onyx_server, 1)
    db.save("User", {"id": "u7", "username": "seven", "email": "s@x", "isActive": True} | NOW)
    assert seen.wait(15)
    handle["cancel"]()
    handle.join(10)
    assert not handle.is_running
    second = db.from_table("User").on_item_added(fn=lambda user: None).stream(False, True)
    db.clear()  # cancels the client's live streams
    second.join(10)
    assert not second.is_running


def test_search_options_send_search_and_onyx_local_answers_501(db: OnyxDatabase) -> None:
    query = db.from_table("User").search("engineer remote", mode="lexical", max_candidates=10)
    criteria = query.to_select_query()["conditions"]["criteria"]
    assert criteria["operator"] == "SEARCH"
    assert criteria["value"] == {
        "text": "engineer remote",
        "mode": "lexical",
        "match": "any",
        "minScore": None,
        "maxCandidates": 10,
    }
    with pytest.raises(OnyxServerError) as info:
        query.list()
    assert info.value.status == 501 and "SEARCH" in str(info.value)
    with pytest.raises(OnyxServerError):
        db.search("engineer", {"mode": "hybrid", "minScore": 0.5}).list()
    with pytest.raises(OnyxUsageError, match="calibrationId is required"):
        db.from_table("User").search("x", semantic={"bucketId": 1})
    with pytest.raises(OnyxUsageError, match="between 0 and 1"):
        db.search("x", {"min_score": 3})


def test_vector_search_queries_are_sent_and_onyx_local_answers_501(db: OnyxDatabase) -> None:
    signature = {
        "calibrationId": -42,
        "bucketId": 5,
        "cells": [1, 2],
        "cellCounts": [2, 3],
        "fingerprint": [-1],
    }
    query = db.from_table("User").search("engineer", semantic=signature, nearby_bucket_radius=2)
    criteria = query.to_select_query()["conditions"]["criteria"]
    assert criteria == {
        "field": "__full_text__",
        "operator": "MATCHES",
        "value": {
            "text": "engineer",
            "semantic": {
                "calibrationId": "-42",
                "bucketId": 5,
                "cells": [1, 2],
                "cellCounts": [2, 3],
                "fingerprint": ["0xffffffffffffffff"],
                "bands": ["0x000000000000ffff"] * 4,
                "boundaryConfidence": 0.0,
            },
            "minScore": None,
            "nearbyBucketRadius": 2,
            "maxCandidates": 1000,
            "requireAllTerms": True,
        },
    }
    text_only = db.from_table("User").search({"text": "engineer"})  # never a search on ""
    for built in (query, text_only):
        with pytest.raises(OnyxServerError) as info:
            built.list()
        assert info.value.status == 501 and "VectorSearchQuery" in str(info.value)


def test_official_exports() -> None:
    assert WireFormat("msgpack") is WireFormat.MSGPACK
    assert callable(onyx_async.init)
    from onyx_database.errors import OnyxHTTPError, OnyxNotFoundError

    assert issubclass(OnyxNotFoundError, OnyxHTTPError)
    assert onyx_database.MAX_VECTOR_SEARCH_CANDIDATES == 5_000


def test_candidate_searches_are_sent_and_onyx_local_answers_501(db: OnyxDatabase) -> None:
    hnsw = db.from_table("User").hnsw_candidates({"calibrationId": "-7", "vector": [3, 4]})
    criteria = hnsw.to_select_query()["conditions"]["criteria"]
    assert criteria["operator"] == "HNSW_CANDIDATES"
    assert criteria["value"] == {
        "calibrationId": "-7",
        "vector": [3.0, 4.0],
        "maxCandidates": 1000,
        "efSearch": 1000,
        "minScore": None,
        "formatVersion": 1,
    }
    lexical = db.from_table("User").approximate_search("storm", max_candidates=5)
    value = lexical.to_select_query()["conditions"]["criteria"]["value"]
    assert (value["text"], value["maxCandidates"], value["requireAllTerms"]) == ("storm", 5, True)
    routed = db.from_table("User").where(eq("isActive", True)).approximate_candidates("id", "u1")
    assert routed.to_select_query()["conditions"]["operator"] == "AND"
    for query in (hnsw, lexical, routed):
        with pytest.raises(OnyxServerError) as info:
            query.list()
        assert info.value.status == 501
    with pytest.raises(OnyxUsageError, match="sole root"):
        db.from_table("User").where(eq("id", "u1")).hnsw_candidates(
            {"calibrationId": 1, "vector": [1]}
        )
    with pytest.raises(OnyxUsageError, match="non-zero finite norm"):
        onyx_database.hnsw_search_query(calibration_id=1, vector=[0.0])
    with pytest.raises(OnyxUsageError, match="calibrationId is required"):
        onyx_database.vector_search_query({"semantic": {"bucketId": 1}})


def test_official_condition_and_sort_dicts_are_accepted(db: OnyxDatabase) -> None:
    official_where = {"field": "isActive", "operator": "EQUAL", "value": True}
    official_sort = {"field": "id", "direction": "DESC"}
    by_dicts = db.from_table("User").where(official_where).order_by(official_sort).list()
    assert [user.id for user in by_dicts] == ["u4", "u2", "u0"]
    wire = {"conditionType": "SingleCondition", "criteria": {"field": "id", "operator": "IN",
                                                            "value": ["u1", "u3"]}}  # fmt: skip
    assert [user.id for user in db.from_table("User").where(wire).order_by("id").list()] == [
        "u1",
        "u3",
    ]
    # the helpers' results read as the official dicts, and compare equal to them
    assert eq("isActive", True) == official_where and dict(eq("isActive", True)) == official_where
    assert onyx_database.desc("id") == official_sort and onyx_database.desc("id")["direction"]
    with pytest.raises(OnyxUsageError, match="ASC or DESC"):
        db.from_table("User").order_by({"field": "id", "direction": "down"})
    with pytest.raises(OnyxUsageError, match="expects a condition"):
        db.from_table("User").where({"isActive": True})  # not a condition: never ignored
