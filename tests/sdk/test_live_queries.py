"""The query builder against Onyx Local: every operator, paging, iteration, count, async."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from onyx_database import (
    AsyncOnyxDatabase,
    Condition,
    OnyxDatabase,
    asc,
    between,
    contains,
    contains_ignore_case,
    desc,
    eq,
    gt,
    gte,
    in_op,
    is_null,
    like,
    lt,
    lte,
    matches,
    neq,
    not_between,
    not_contains,
    not_contains_ignore_case,
    not_in,
    not_like,
    not_matches,
    not_null,
    not_starts_with,
    starts_with,
)

ROWS = [
    {"id": "r1", "name": "Alpha", "score": 10, "active": True},
    {"id": "r2", "name": "alphabet", "score": 20, "active": False},
    {"id": "r3", "name": "Beta", "score": 30, "active": True},
    {"id": "r4", "name": "gamma ray", "score": 40, "active": True},
    {"id": "r5", "name": None, "score": None, "active": None},
]


@pytest.fixture
def rows(db: OnyxDatabase) -> OnyxDatabase:
    db.save("Item", ROWS)
    return db


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (eq("name", "Beta"), {"r3"}),
        (neq("name", "Beta"), {"r1", "r2", "r4", "r5"}),
        (gt("score", 20), {"r3", "r4"}),
        (gte("score", 20), {"r2", "r3", "r4"}),
        (lt("score", 20), {"r1", "r5"}),  # null compares as -infinity
        (lte("score", 20), {"r1", "r2", "r5"}),
        (between("score", 15, 30), {"r2", "r3"}),
        (not_between("score", 15, 30), {"r1", "r4", "r5"}),
        (in_op("id", "r1, r3,"), {"r1", "r3"}),
        (not_in("id", ["r1", "r3"]), {"r2", "r4", "r5"}),
        (like("name", "alpha"), {"r1"}),  # LIKE is case-insensitive equality
        (not_like("name", "alpha"), {"r2", "r3", "r4", "r5"}),
        (contains("name", "lpha"), {"r1", "r2"}),
        (not_contains("name", "lpha"), {"r3", "r4", "r5"}),
        (contains_ignore_case("name", "ALPHA"), {"r1", "r2"}),
        (not_contains_ignore_case("name", "ALPHA"), {"r3", "r4", "r5"}),
        (starts_with("name", "alpha"), {"r2"}),
        (not_starts_with("name", "alpha"), {"r1", "r3", "r4", "r5"}),
        (matches("name", "[A-Z][a-z]+"), {"r1", "r3"}),  # a full-string regex
        (not_matches("name", "[A-Z][a-z]+"), {"r2", "r4", "r5"}),
        (is_null("name"), {"r5"}),
        (not_null("name"), {"r1", "r2", "r3", "r4"}),
        (eq("active", True) & gt("score", 15), {"r3", "r4"}),
        (eq("id", "r1") | eq("id", "r2") | eq("id", "r5"), {"r1", "r2", "r5"}),
        ((eq("active", True) & lt("score", 35)) | is_null("score"), {"r1", "r3", "r5"}),
        (~(eq("active", True) & gt("score", 15)), {"r1", "r2", "r5"}),
    ],
)
def test_operators(rows: OnyxDatabase, condition: Condition, expected: set[str]) -> None:
    query = rows.from_table("Item").where(condition)
    assert {row["id"] for row in query.list()} == expected
    assert query.count() == len(expected)


def test_where_and_or_chain_matches_the_operator_form(rows: OnyxDatabase) -> None:
    chained = (
        rows.from_table("Item").where(eq("active", True)).and_(gt("score", 15)).or_(eq("id", "r2"))
    )
    assert {row["id"] for row in chained.list()} == {"r2", "r3", "r4"}


def test_sorting_limit_first_and_values(rows: OnyxDatabase) -> None:
    by_score = rows.from_table("Item").where(not_null("score"))
    assert by_score.order_by(desc("score")).values("id") == ["r4", "r3", "r2", "r1"]
    assert by_score.order_by("score").limit(2).values("id") == ["r1", "r2"]
    first = rows.from_table("Item").order_by(desc("id")).first_or_none()
    assert first is not None and first["id"] == "r5"
    assert rows.from_table("Item").where(eq("id", "none")).first_or_none() is None
    assert rows.select("id", "score").from_table("Item").where(eq("id", "r2")).list() == [
        {"id": "r2", "score": 20}
    ]


def seed_many(db: OnyxDatabase, n: int = 23) -> list[str]:
    ids = [f"p{n:03d}" for n in range(n)]
    db.batch_save("Item", ({"id": pk, "score": i} for i, pk in enumerate(ids)))
    return ids


def test_list_and_iteration_walk_every_page(db: OnyxDatabase, server: Any) -> None:
    ids = seed_many(db)
    query = db.from_table("Item").order_by(asc("id")).page_size(5)
    assert [row["id"] for row in query.list()] == ids  # 5 pages, none lost or repeated
    assert [row["id"] for row in query] == ids
    assert query.values("score") == list(range(23))
    assert query.count() == 23
    assert server.request_count("PUT", "/data/{db}/query/Item") == 15  # 5 pages x 3 walks


def test_iteration_is_lazy(db: OnyxDatabase, server: Any) -> None:
    seed_many(db)
    iterator = iter(db.from_table("Item").order_by("id").page_size(5))
    assert [next(iterator)["id"] for _ in range(6)] == [f"p{n:03d}" for n in range(6)]
    assert server.request_count("PUT", "/data/{db}/query/Item") == 2
    del iterator


def test_manual_paging(db: OnyxDatabase) -> None:
    ids = seed_many(db)
    query = db.from_table("Item").order_by("id").page_size(10)
    seen: list[str] = []
    page = query.page()
    pages = 1
    seen += [row["id"] for row in page]
    while page.next_page:
        page = query.page(page.next_page)
        pages += 1
        seen += [row["id"] for row in page.records]
    assert pages == 3
    assert seen == ids


def test_limit_spans_pages(db: OnyxDatabase) -> None:
    ids = seed_many(db)
    assert [
        row["id"] for row in db.from_table("Item").order_by("id").limit(12).page_size(5).list()
    ] == ids[:12]


@pytest.mark.anyio
async def test_async_queries(adb: AsyncOnyxDatabase) -> None:
    ids = [f"a{n:03d}" for n in range(17)]
    assert (
        await adb.batch_save(
            "Item", [{"id": pk, "score": n} for n, pk in enumerate(ids)], batch_size=4
        )
        == 17
    )
    query = adb.from_table("Item").order_by("id").page_size(4)
    assert [row["id"] async for row in query] == ids  # 5 pages
    assert [row["id"] for row in await query.list()] == ids
    assert await query.count() == 17
    assert await query.values("id") == ids
    assert (await query.page()).next_page is not None
    first = await query.where(gt("score", 15)).first_or_none()
    assert first is not None and first["id"] == "a016"


@pytest.mark.anyio
async def test_async_records_and_concurrency(adb: AsyncOnyxDatabase) -> None:
    await adb.save("Item", {"id": "c/1", "name": "x"})
    assert await adb.insert("Item", {"id": "c2"})
    assert await adb.create("Item", {"id": "c3"})
    found = await asyncio.gather(
        *(adb.find_by_id("Item", pk) for pk in ["c/1", "c2", "c3", "nope"] * 10)
    )
    assert [row["id"] if row else None for row in found[:4]] == ["c/1", "c2", "c3", None]
    assert await adb.delete("Item", "c/1") is True
    assert await adb.find_by_id("Item", "c/1") is None
