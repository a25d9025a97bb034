from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from onyx_database import (
    OnyxDatabase,
    OnyxUsageError,
    ResolvedConfig,
    asc,
    desc,
    eq,
    gt,
    init,
)


@pytest.fixture
def db(config: ResolvedConfig) -> Iterator[OnyxDatabase]:
    with init(config=config) as database:
        yield database


def test_compiled_select_is_canonical(db: OnyxDatabase) -> None:
    query = (
        db.from_table("User")
        .where(eq("status", "active"))
        .order_by(desc("createdAt"), "id")
        .limit(10)
        .in_partition("t1")
    )
    assert query.to_select_query() == {
        "type": "SelectQuery",
        "table": "User",
        "fields": None,
        "conditions": eq("status", "active").to_wire(),
        "sort": [{"field": "createdAt", "order": "DESC"}, {"field": "id", "order": "ASC"}],
        "limit": 10,
        "distinct": False,
        "groupBy": None,
        "partition": "t1",
        "resolvers": None,
    }


def test_chaining_never_changes_a_stored_builder(db: OnyxDatabase) -> None:
    base = db.from_table("User").where(eq("a", 1))
    before = base.to_select_query()
    derived = base.and_(gt("b", 2)).or_(eq("c", 3)).order_by(asc("x")).limit(5).page_size(10)
    assert base.to_select_query() == before
    assert base.spec.page_size is None
    assert derived.spec.limit == 5
    assert derived.to_select_query()["conditions"]["operator"] == "OR"


def test_builders_are_safe_to_share_between_threads(db: OnyxDatabase) -> None:
    base = db.from_table("User")
    results: list[object] = []

    def worker(n: int) -> None:
        results.append(base.where(eq("n", n)).limit(n + 1).to_select_query()["limit"])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 21))  # type: ignore[type-var]
    assert base.spec.conditions is None


def test_where_and_or_shapes(db: OnyxDatabase) -> None:
    a, b, c = eq("a", 1), eq("b", 2), eq("c", 3)
    assert db.from_table("T").where(a).and_(b).or_(c).spec.conditions == (a & b) | c
    assert db.from_table("T").where(a).where(b).spec.conditions == a & b
    assert db.from_table("T").or_(a).spec.conditions == a


def test_default_partition_and_explicit_partition(config: ResolvedConfig) -> None:
    import dataclasses

    with init(config=dataclasses.replace(config, partition="home")) as db:
        assert db.from_table("T").to_select_query()["partition"] == "home"
        assert db.from_table("T").in_partition("other").to_select_query()["partition"] == "other"
        assert (
            db.with_options(partition=None).from_table("T").to_select_query()["partition"] is None
        )


def test_table_from_class_and_onyx_table_attribute(db: OnyxDatabase) -> None:
    class User:
        pass

    class Legacy:
        __onyx_table__ = "LegacyUser"

    assert db.from_table(User).spec.table == "User"
    assert db.from_table(Legacy).spec.table == "LegacyUser"
    assert db.select("id", "email").from_table("User").to_select_query()["fields"] == [
        "id",
        "email",
    ]


@pytest.mark.parametrize(
    "build",
    [
        lambda q: q.limit(-1),
        lambda q: q.limit(True),
        lambda q: q.limit("5"),
        lambda q: q.page_size(0),
        lambda q: q.page_size(1001),
        lambda q: q.where("status = 'x'"),
        lambda q: q.and_(None),
        lambda q: q.or_({"field": "a"}),
        lambda q: q.order_by(),
        lambda q: q.order_by(3),
        lambda q: q.in_partition(""),
        lambda q: q.select(""),
    ],
)
def test_invalid_chains_fail_at_build_time(db: OnyxDatabase, build: object) -> None:
    with pytest.raises(OnyxUsageError):
        build(db.from_table("User"))  # type: ignore[operator]


def test_terminal_without_table_is_a_usage_error(db: OnyxDatabase) -> None:
    with pytest.raises(OnyxUsageError, match="from_table"):
        db.select("id").to_select_query()
    with pytest.raises(OnyxUsageError):
        db.from_table("")
    with pytest.raises(OnyxUsageError):
        db.from_table(42)  # type: ignore[arg-type]


def test_page_size_bounds_accepted(db: OnyxDatabase) -> None:
    assert db.from_table("T").page_size(1).spec.page_size == 1
    assert db.from_table("T").page_size(1000).spec.page_size == 1000
