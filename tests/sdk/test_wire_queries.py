"""Exact wire payloads of selections, resolvers, sub-queries, update/delete by query and search,
plus immutability of the new chain methods and build-time errors."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import onyx_database
from onyx_database import (
    OnyxDatabase,
    OnyxUsageError,
    ResolvedConfig,
    avg,
    count,
    desc,
    eq,
    format,
    format_,
    in_op,
    init,
    lower,
    max,
    max_,
    median,
    min,
    min_,
    not_in,
    not_within,
    percentile,
    replace,
    search,
    std,
    substring,
    sum,
    sum_,
    upper,
    variance,
    within,
)


@pytest.fixture
def db(config: ResolvedConfig) -> Iterator[OnyxDatabase]:
    with init(config=config) as database:
        yield database


NULL_SELECT: dict[str, Any] = {
    "type": "SelectQuery",
    "table": None,
    "fields": None,
    "conditions": None,
    "sort": None,
    "limit": None,
    "distinct": False,
    "groupBy": None,
    "partition": None,
    "resolvers": None,
}


def select(**changes: Any) -> dict[str, Any]:
    return {**NULL_SELECT, **changes}


# -- selections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (avg("age"), "avg(age)"),
        (sum("total"), "sum(total)"),
        (count("id"), "count(id)"),
        (min("age"), "min(age)"),
        (max("age"), "max(age)"),
        (median("age"), "median(age)"),
        (std("age"), "std(age)"),
        (variance("age"), "variance(age)"),
        (upper("lastName"), "upper(lastName)"),
        (lower("lastName"), "lower(lastName)"),
        (substring("lastName", 0, 8), "substring(lastName,0,8)"),
        (replace("lastName", "-", "_"), "replace(lastName, '-', '_')"),
        (replace("name", "O'", "0'"), "replace(name, 'O\\'', '0\\'')"),
        (format("createdAt", "yyyy-MM-dd"), "format(createdAt, 'yyyy-MM-dd')"),
        (percentile("age", 75), "percentile(age, 75)"),
        (percentile("age", 75.0), "percentile(age, 75.0)"),  # as the official SDK writes it
        (percentile("age", 99.5), "percentile(age, 99.5)"),
        (avg("roles.level"), "avg(roles.level)"),
    ],
)
def test_selection_strings_match_the_official_sdks(expression: str, expected: str) -> None:
    assert expression == expected


def test_safe_aliases_are_the_same_functions() -> None:
    assert (sum_, min_, max_, format_) == (sum, min, max, format)
    assert onyx_database.sum is sum


@pytest.mark.parametrize(
    "call",
    [
        lambda: avg(""),
        lambda: avg(None),
        lambda: count("a(b)"),
        lambda: substring("a", -1, 2),
        lambda: substring("a", 0, True),
        lambda: substring("a", 0, 1.5),
        lambda: replace("a", "", "x"),
        lambda: replace("a", "x", 3),
        lambda: format("a", ""),
        lambda: percentile("a", 101),
        lambda: percentile("a", -1),
        lambda: percentile("a", float("nan")),
        lambda: percentile("a", "75"),
    ],
)
def test_bad_selection_arguments_fail_at_build_time(call: Any) -> None:
    with pytest.raises(OnyxUsageError):
        call()


def test_select_group_by_distinct_payload(db: OnyxDatabase) -> None:
    query = (
        db.select("status", count("id"))
        .from_table("User")
        .select(avg("age"))
        .group_by("status")
        .distinct()
    )
    assert query.to_select_query() == select(
        table="User",
        fields=["status", "count(id)", "avg(age)"],
        groupBy=["status"],
        distinct=True,
    )
    assert query.distinct(False).to_select_query()["distinct"] is False


def test_resolve_appends_and_accepts_model_pairs(db: OnyxDatabase) -> None:
    class Role:
        @classmethod
        def model_validate(cls, obj: Any) -> Role:
            return cls()

    query = db.from_table("User").resolve("roles").resolve("roles.permissions", ("profile", Role))
    assert query.to_select_query()["resolvers"] == ["roles", "roles.permissions", "profile"]
    assert query.spec.resolver_models == (("profile", Role),)


@pytest.mark.parametrize(
    "call",
    [
        lambda q: q.resolve(),
        lambda q: q.resolve(""),
        lambda q: q.resolve(("profile", dict)),
        lambda q: q.resolve(("profile",)),
        lambda q: q.group_by(),
        lambda q: q.group_by(""),
        lambda q: q.distinct("yes"),
        lambda q: q.set_updates(),
        lambda q: q.set_updates({}),
        lambda q: q.set_updates([("a", 1)]),
        lambda q: q.set_updates({1: "x"}),
        lambda q: q.search(""),
        lambda q: q.search("x", min_score="high"),
    ],
)
def test_bad_chain_arguments_fail_at_build_time(db: OnyxDatabase, call: Any) -> None:
    with pytest.raises(OnyxUsageError):
        call(db.from_table("User"))


def test_new_chain_methods_never_mutate(db: OnyxDatabase) -> None:
    base = db.from_table("User").where(eq("a", 1))
    before = base.spec
    derived = [
        base.select("id"),
        base.group_by("a"),
        base.distinct(),
        base.resolve("roles"),
        base.search("x"),
        base.set_updates(a=2),
    ]
    assert base.spec == before
    assert all(query.spec != before for query in derived)
    updated = base.set_updates(a=2)
    assert updated.set_updates(b=3).spec.updates == (("a", 2), ("b", 3))
    assert updated.spec.updates == (("a", 2),)


# -- sub-queries -------------------------------------------------------------------------------


def test_within_serializes_the_nested_query_with_its_table(db: OnyxDatabase) -> None:
    inner = db.select("userId").from_table("UserRole").where(eq("roleId", "role-admin"))
    condition = within("id", inner)
    assert condition.to_wire() == {
        "conditionType": "SingleCondition",
        "criteria": {
            "field": "id",
            "operator": "IN",
            "value": {
                "type": "SelectQuery",
                "table": "UserRole",
                "fields": ["userId"],
                "conditions": {
                    "conditionType": "SingleCondition",
                    "criteria": {"field": "roleId", "operator": "EQUAL", "value": "role-admin"},
                },
                "sort": None,
                "limit": None,
                "distinct": False,
                "groupBy": None,
                "partition": None,
                "resolvers": None,
            },
        },
    }
    assert in_op("id", inner) == condition
    assert not_within("id", inner).to_wire()["criteria"]["operator"] == "NOT_IN"
    assert not_in("id", inner) == not_within("id", inner)
    assert (~condition) == not_within("id", inner)


def test_nested_update_builder_becomes_an_update_query(db: OnyxDatabase) -> None:
    inner = db.from_table("User").where(eq("a", 1)).set_updates(active=False)
    assert within("id", inner).to_wire()["criteria"]["value"] == {
        "type": "UpdateQuery",
        "table": "User",
        "conditions": eq("a", 1).to_wire(),
        "updates": {"active": False},
        "sort": None,
        "limit": None,
        "partition": None,
    }


def test_sub_query_misuse_fails_at_build_time(db: OnyxDatabase) -> None:
    # a list is a list of values, as in the official SDK (the same as in_op)
    assert within("id", ["a", "b"]) == in_op("id", ["a", "b"])
    with pytest.raises(OnyxUsageError, match="a list, tuple, set"):
        within("id", 42)  # type: ignore[arg-type]
    with pytest.raises(OnyxUsageError, match="no table"):
        within("id", db.select("userId"))
    with pytest.raises(OnyxUsageError):
        within("", db.from_table("User"))


def test_a_builder_given_to_in_op_is_never_iterated(config: ResolvedConfig) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json=[]))
    with init(config=config, transport=transport) as db:
        in_op("id", db.from_table("User"))
    assert sent == []


# -- full-text search --------------------------------------------------------------------------


def test_search_condition_and_builder_search(db: OnyxDatabase) -> None:
    assert search("engineer").to_wire() == {
        "conditionType": "SingleCondition",
        "criteria": {
            "field": "__full_text__",
            "operator": "MATCHES",
            "value": {"queryText": "engineer", "minScore": None},
        },
    }
    query = db.from_table("Article").where(eq("published", True)).search("python", min_score=1.5)
    assert query.to_select_query()["conditions"] == {
        "conditionType": "CompoundCondition",
        "operator": "AND",
        "conditions": [eq("published", True).to_wire(), search("python", 1.5).to_wire()],
    }


def test_db_search_targets_all_without_the_default_partition(config: ResolvedConfig) -> None:
    with init(config=dataclasses.replace(config, partition="tenant-a")) as db:
        query = db.search("ada", min_score=2)
        assert query.to_select_query() == select(table="ALL", conditions=search("ada", 2).to_wire())
        request = query._page_request(None)
        assert request.path == ("data", "db-1", "query", "ALL")
        assert request.params == ()
        assert query.in_partition("p").to_select_query()["partition"] == "p"
        # other tables keep the default partition
        assert db.from_table("User").to_select_query()["partition"] == "tenant-a"
        with pytest.raises(OnyxUsageError):
            query._delete_request()
        with pytest.raises(OnyxUsageError):
            query.set_updates(a=1)._update_request()


# -- update and delete by query ----------------------------------------------------------------


class Capture:
    def __init__(self, answer: Any = 3) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(200, json=self.answer)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def test_update_by_query_wire(config: ResolvedConfig) -> None:
    import datetime as dt

    capture = Capture(4)
    with init(config=config, transport=httpx.MockTransport(capture)) as db:
        when = dt.datetime(2025, 9, 4, 18, 8, 18, 345000, tzinfo=dt.UTC)
        count_ = (
            db.from_table("User")
            .where(eq("status", "trial"))
            .order_by(desc("createdAt"))
            .limit(10)
            .in_partition("t1")
            .set_updates({"status": "active"}, updatedAt=when)
            .update()
        )
    assert count_ == 4
    request = capture.requests[0]
    assert request.method == "PUT"
    assert request.url.raw_path == b"/data/db-1/query/update/User?partition=t1"
    assert capture.body() == {
        "type": "UpdateQuery",
        "conditions": eq("status", "trial").to_wire(),
        "updates": {"status": "active", "updatedAt": "2025-09-04T18:08:18.345Z"},
        "sort": [{"field": "createdAt", "order": "DESC"}],
        "limit": 10,
        "partition": "t1",
    }


def test_update_without_updates_fails_before_sending(db: OnyxDatabase) -> None:
    with pytest.raises(OnyxUsageError, match="set_updates"):
        db.from_table("User").update()


def test_delete_by_query_wire(config: ResolvedConfig) -> None:
    capture = Capture("2")
    with init(config=config, transport=httpx.MockTransport(capture)) as db:
        deleted = db.from_table("Session").where(eq("expired", True)).limit(5).delete()
        everything = db.from_table("Session").delete()
    assert (deleted, everything) == (2, 2)
    assert capture.requests[0].url.raw_path == b"/data/db-1/query/delete/Session"
    assert capture.body(0) == select(
        table="Session", conditions=eq("expired", True).to_wire(), limit=5
    )
    assert capture.body(1) == select(table="Session")


def test_update_and_delete_are_never_retried(config: ResolvedConfig) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503)

    with init(config=config, transport=httpx.MockTransport(handler)) as db:
        with pytest.raises(onyx_database.OnyxServerError):
            db.from_table("User").set_updates(a=1).update()
        with pytest.raises(onyx_database.OnyxServerError):
            db.from_table("User").delete()
    assert len(calls) == 2


# -- typed results -----------------------------------------------------------------------------


def test_model_records_projections_and_search_results(config: ResolvedConfig) -> None:
    from pydantic import BaseModel

    class Role(BaseModel):
        id: str
        name: str

    class User(BaseModel):
        __onyx_table__ = "AppUser"
        id: str
        roles: list[Role] = []

    records = [{"id": "u1", "roles": [{"id": "r1", "name": "admin"}], "extra": 1}]
    capture = Capture({"records": records, "nextPage": None})
    with init(config=config, transport=httpx.MockTransport(capture)) as db:
        users = db.from_table(User).list()
        assert users == [User(id="u1", roles=[Role(id="r1", name="admin")])]
        assert capture.requests[-1].url.path == "/data/db-1/query/AppUser"
        rows = db.from_table(User).select("id").list()
        assert rows == records
        typed_roles = db.from_table("AppUser").resolve(("roles", Role)).list()
        assert typed_roles[0]["roles"] == [Role(id="r1", name="admin")]
        hits = db.search("x").list()
        assert hits == records
        capture.answer = {"records": [{"id": 5}]}
        with pytest.raises(onyx_database.OnyxDecodeError, match="User"):
            db.from_table(User).first_or_none()
