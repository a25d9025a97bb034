# ruff: noqa: S608  (the SQL under test is built from quoted schema names and placeholders)
"""Keyset paging and the SQL query path: walks under concurrent writes, tokens, query plans."""

from __future__ import annotations

import base64
import sqlite3
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from onyx_database.local import LocalServer
from onyx_database.local._engine import parse_query
from onyx_database.local._server import DATABASE_FILE
from onyx_database.local._sql import (
    compile_order,
    compile_where,
    keyset_after,
    keyset_phases,
    q,
    register,
)

from .conftest import Api, where

SORTS: list[list[dict[str, str]]] = [
    [],
    [{"field": "id", "order": "ASC"}],
    [{"field": "qty", "order": "ASC"}],
    [{"field": "qty", "order": "DESC"}],
    [{"field": "name", "order": "DESC"}, {"field": "price", "order": "ASC"}],
]


def _walk(api: Api, body: dict[str, Any], size: int, between_pages: Any = None) -> list[str]:
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"pageSize": size}
        if token:
            params["nextPage"] = token
        response = api.query("Item", body, **params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [r["id"] for r in page["records"]]
        token = page["nextPage"]
        if token is None:
            return seen
        if between_pages is not None:
            between_pages()


def _sort_id(sort: list[dict[str, str]]) -> str:
    return ",".join(k["field"] + k["order"] for k in sort) or "none"


@pytest.mark.parametrize("sort", SORTS, ids=_sort_id)
def test_walk_under_concurrent_inserts_and_deletes(api: Api, sort: list[dict[str, str]]) -> None:
    """Another thread inserts and deletes records ahead of and behind the cursor between
    pages: the walk returns no record twice and every record that existed throughout once."""
    stable = [
        {"id": f"s{i:04d}", "qty": (i * 7) % 13 or None, "name": f"n{i % 5}", "price": i % 3}
        for i in range(0, 600, 2)
    ]
    doomed = [{"id": f"s{i:04d}", "qty": i % 13} for i in range(1, 600, 2)]
    assert api.save("Item", stable + doomed).status_code == 200
    go, done, stop = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []
    batch = iter(range(1000))

    def writer() -> None:
        try:
            while True:
                go.wait()
                go.clear()
                if stop.is_set():
                    return
                n = next(batch)
                fresh = [
                    {"id": f"{p}{n:03d}x{k}", "qty": (n + k) % 13, "name": f"n{k}"}
                    for p in ("a", "t", "z")
                    for k in range(4)
                ]
                api.save("Item", fresh)
                for victim in doomed[n * 6 : n * 6 + 6]:
                    api.client.delete(api.data(f"Item/{victim['id']}"))
                done.set()
        except BaseException as error:  # reported by the test thread
            failures.append(error)
            done.set()

    def between_pages() -> None:
        go.set()
        assert done.wait(10), "the writer thread did not finish its batch"
        done.clear()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen = _walk(api, {"sort": sort}, 40, between_pages)
    finally:
        stop.set()
        go.set()
        thread.join(10)
    assert not failures
    assert len(seen) == len(set(seen)), "a record was returned twice"
    missing = {r["id"] for r in stable} - set(seen)
    assert not missing, f"records that existed throughout were skipped: {sorted(missing)[:5]}"


def test_pages_follow_the_sort_with_nulls(api: Api) -> None:
    rows = [{"id": f"r{i:02d}", "qty": None if i % 4 == 0 else i % 5} for i in range(40)]
    api.save("Item", rows)
    for order, nulls_first in (("ASC", True), ("DESC", False)):
        body = {"sort": [{"field": "qty", "order": order}]}
        whole = api.ids("Item", body)
        assert _walk(api, body, 3) == whole
        qtys = [next(r["qty"] for r in rows if r["id"] == i) for i in whole]
        assert (qtys[0] is None) == nulls_first and (qtys[-1] is None) != nulls_first


def test_limit_spans_pages(api: Api) -> None:
    api.save("Item", [{"id": f"r{i:02d}", "qty": i} for i in range(30)])
    body = {"limit": 11, "sort": [{"field": "qty", "order": "DESC"}]}
    first = api.query("Item", body, pageSize=4).json()
    assert first["totalResults"] == 11
    assert _walk(api, body, 4) == [f"r{i:02d}" for i in range(29, 18, -1)]


def test_tampered_token_is_404(api: Api) -> None:
    items = api
    items.save("Item", [{"id": f"r{i}"} for i in range(5)])
    token = items.query("Item", pageSize=2).json()["nextPage"]
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[3] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert items.query("Item", pageSize=2, nextPage=forged).status_code == 404
    assert items.query("Item", pageSize=2, nextPage=token).status_code == 200


def test_update_and_delete_by_query_touch_each_match_once(api: Api) -> None:
    api.save("Item", [{"id": f"r{i:03d}", "qty": i} for i in range(300)])
    body = {
        "conditions": where("qty", "GREATER_THAN_EQUAL", 100)["conditions"],
        "updates": {"qty": 1000},
    }
    response = api.client.put(api.data("query/update/Item"), json=body)
    assert response.json() == 200
    assert api.count("Item", where("qty", "EQUAL", 1000)) == 200
    limited = {**where("qty", "LESS_THAN", 1000), "limit": 30}
    limited["sort"] = [{"field": "qty", "order": "DESC"}]
    response = api.client.put(api.data("query/delete/Item"), json=limited)
    assert response.json() == 30
    assert api.ids("Item", where("qty", "LESS_THAN", 1000)) == [f"r{i:03d}" for i in range(70)]


# -- the compiled SQL itself --------------------------------------------------------------------
OPERATORS: list[tuple[str, Any]] = [
    ("EQUAL", 3),
    ("NOT_EQUAL", "3"),
    ("GREATER_THAN", 2),
    ("GREATER_THAN_EQUAL", None),
    ("LESS_THAN", 2.0),
    ("LESS_THAN_EQUAL", None),
    ("BETWEEN", [1, 4]),
    ("NOT_BETWEEN", [None, 4]),
    ("IN", [1, "2", None]),
    ("NOT_IN", [1, 2]),
    ("IS_NULL", None),
    ("NOT_NULL", None),
    ("LIKE", "3"),
    ("NOT_LIKE", "3"),
    ("CONTAINS", "1"),
    ("NOT_CONTAINS", "1"),
    ("CONTAINS_IGNORE_CASE", "1"),
    ("NOT_CONTAINS_IGNORE_CASE", "1"),
    ("STARTS_WITH", "1"),
    ("NOT_STARTS_WITH", "1"),
]


@pytest.mark.parametrize(("operator", "value"), OPERATORS, ids=[o for o, _ in OPERATORS])
def test_every_operator_on_a_column_is_decided_by_sql(api: Api, operator: str, value: Any) -> None:
    """Plain attributes never fall back to Python, and the partition term is always there."""
    entity = api.server._require_storage().schema.entities["Item"]
    body = where("qty", operator, value) if value is not None else where("qty", operator)
    compiled = compile_where(entity, parse_query(entity, body, None), None)
    assert compiled.exact
    assert compiled.sql.startswith("\"_partition\" = ''")


@pytest.mark.parametrize(
    "body",
    [
        where("qty", "MATCHES", "1.*"),
        where("meta.color", "EQUAL", "red"),
        where("qty", "GREATER_THAN", "abc"),
        where("name", "GREATER_THAN", "\U0001f600"),
    ],
    ids=["matches", "embedded-path", "failed-coercion", "astral-order"],
)
def test_what_sql_cannot_decide_is_left_to_python(api: Api, body: dict[str, Any]) -> None:
    entity = api.server._require_storage().schema.entities["Item"]
    assert not compile_where(entity, parse_query(entity, body, None), None).exact


def _plan(api: Api, sql: str, params: tuple[Any, ...]) -> str:
    """SQLite's plan for a query over a table of 3,000 rows with fresh statistics (the server
    refreshes them as the rows written double)."""
    if api.count("Item") < 3000:
        rows = [{"id": f"p{i:04d}", "qty": i % 1500 if i % 10 else None} for i in range(3000)]
        assert api.save("Item", rows).status_code == 200
    conn = sqlite3.connect(api.server.data_dir / DATABASE_FILE, isolation_level=None)
    register(conn)
    try:
        conn.execute("ANALYZE")
        return " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    finally:
        conn.close()


def test_indexed_conditions_and_pages_search_the_index(api: Api) -> None:
    entity = api.server._require_storage().schema.entities["Item"]
    for body in (
        where("qty", "EQUAL", 5),
        where("qty", "BETWEEN", [1, 100]),
        {"sort": [{"field": "qty", "order": "ASC"}]},
    ):
        query = parse_query(entity, body, None)
        compiled = compile_where(entity, query, None)
        order = compile_order(entity, query.sort)
        assert order is not None
        sql = f"SELECT * FROM {q('Item')} WHERE {compiled.sql} ORDER BY {order.sql()} LIMIT 10"
        plan = _plan(api, sql, compiled.params)
        assert "SEARCH" in plan and "ix_Item_qty" in plan, plan
        after = keyset_after(order, [5, "r1", ""])
        deeper = (
            f"SELECT * FROM {q('Item')} WHERE {compiled.sql} AND {after[0]}"
            f" ORDER BY {order.sql()} LIMIT 10"
        )
        plan = _plan(api, deeper, compiled.params + after[1])
        assert "SEARCH" in plan and "ix_Item_qty" in plan, plan


def test_values_stored_under_an_older_type_are_rewritten(tmp_path: Path) -> None:
    """A republished type rewrites the column, so SQL compares what reading gives."""

    def doc(kind: str) -> dict[str, Any]:
        attributes = [
            {"name": "id", "type": "String", "isNullable": False},
            {"name": "v", "type": kind, "isNullable": True},
        ]
        entity = {
            "name": "T",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": attributes,
            "indexes": [{"name": "v", "type": "DEFAULT"}],
            "resolvers": [],
            "triggers": [],
        }
        return {"revisionDescription": kind, "entities": [entity]}

    with LocalServer(tmp_path, schema=doc("Int")) as server:
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        api = Api(server, httpx.Client(base_url=server.url, headers=headers))
        api.save("T", [{"id": "a", "v": 10}, {"id": "b", "v": 9}, {"id": "c", "v": 100}])
        server.publish_schema(doc("String"))
        assert api.ids("T", {"sort": [{"field": "v", "order": "ASC"}]}) == ["a", "c", "b"]
        assert api.ids("T", where("v", "EQUAL", "10")) == ["a"]
        assert api.ids("T", where("v", "GREATER_THAN", "5")) == ["b"]
        server.publish_schema(doc("Double"))
        assert api.ids("T", where("v", "GREATER_THAN", 9.5)) == ["a", "c"]
        assert api.records("T", where("v", "EQUAL", 9))[0]["v"] == 9.0
        api.client.close()


@pytest.mark.parametrize(("order", "first"), [("DESC", 5), ("ASC", None)])
def test_deep_pages_after_nulls_or_descending_seek_the_index(
    api: Api, order: str, first: Any
) -> None:
    """A descending first key (nulls last) and a null position (nulls first) read in two index
    ranges rather than scanning from the start."""
    entity = api.server._require_storage().schema.entities["Item"]
    query = parse_query(entity, {"sort": [{"field": "qty", "order": order}]}, None)
    compiled = compile_where(entity, query, None)
    ordering = compile_order(entity, query.sort)
    assert ordering is not None
    phases = keyset_phases(ordering, [first, "r1", ""])
    assert len(phases) == 2
    for term in phases:
        sql = (
            f"SELECT * FROM {q('Item')} WHERE {compiled.sql} AND {term[0]}"
            f" ORDER BY {ordering.sql()} LIMIT 10"
        )
        plan = _plan(api, sql, compiled.params + term[1])
        assert "SEARCH" in plan and "ix_Item_qty" in plan and "qty" in plan.split("(")[1], plan
