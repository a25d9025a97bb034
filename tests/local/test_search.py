"""Full-text search over FTS5: Lucene-style text, scores, ALL, non-searchable tables."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

NOW = "2025-01-01T00:00:00.000Z"


def text(query: str, min_score: float | None = None) -> dict[str, Any]:
    value = {"queryText": query, "minScore": min_score}
    criteria = {"field": "__full_text__", "operator": "MATCHES", "value": value}
    return {"conditionType": "SingleCondition", "criteria": criteria}


def perm(pid: str, name: str, description: str) -> dict[str, Any]:
    return {"id": pid, "name": name, "description": description, "createdAt": NOW, "updatedAt": NOW}


@pytest.fixture
def docs(ex: Api) -> Api:
    ex.save("Permission", [
        perm("p1", "storm", "product engineer working remote"),
        perm("p2", "calm", "product manager in the office"),
        perm("p3", "news", "remote engineer on storm news"),
    ])  # fmt: skip
    ex.save("Role", {"id": "r1", "name": "storm chaser", "description": "remote", "isSystem": False,
                     "createdAt": NOW, "updatedAt": NOW})  # fmt: skip
    return ex


def found(api: Api, query: str, table: str = "Permission", **extra: Any) -> list[str]:
    return sorted(api.ids(table, {"conditions": text(query), **extra}))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("storm", ["p1", "p3"]),
        ("storm calm", ["p1", "p2", "p3"]),  # OR by default
        ("storm AND remote", ["p1", "p3"]),
        ("storm AND office", []),
        ('"product engineer"', ["p1"]),
        ('"engineer product"', []),
        ("remote -news", ["p1"]),
        ("remote AND NOT news", ["p1"]),
        ("+product +office", ["p2"]),
        ("name:storm", ["p1"]),
        ("description:storm", ["p3"]),
        ("nope:storm", []),
        ("manag*", ["p2"]),
        ("(calm OR news) AND office", ["p2"]),
        ("p3", ["p3"]),
        ('"unbalanced (quote AND', []),
        ('AND OR NOT ( ) : * " ^ ~', []),
        ("", ["p1", "p2", "p3"]),
    ],
)
def test_lucene_style_queries(docs: Api, query: str, expected: list[str]) -> None:
    assert found(docs, query) == expected


def test_search_combines_with_other_conditions(docs: Api) -> None:
    name_is_calm = {
        "conditionType": "SingleCondition",
        "criteria": {"field": "name", "operator": "EQUAL", "value": "calm"},
    }
    both = {"conditionType": "CompoundCondition", "operator": "AND",
            "conditions": [text("storm"), name_is_calm]}  # fmt: skip
    either = {**both, "operator": "OR"}
    assert docs.ids("Permission", {"conditions": both}) == []
    assert sorted(docs.ids("Permission", {"conditions": either})) == ["p1", "p2", "p3"]


def test_scores_are_selectable_and_min_score_filters(docs: Api) -> None:
    rows = docs.records(
        "Permission",
        {"conditions": text("storm"), "fields": ["id", "__score__"],
         "sort": [{"field": "__score__", "order": "DESC"}]},
    )  # fmt: skip
    scores = [r["__score__"] for r in rows]
    assert all(s > 0 for s in scores) and scores == sorted(scores, reverse=True)
    above = docs.ids("Permission", {"conditions": text("storm", min_score=max(scores))})
    assert above == [rows[0]["id"]]
    assert docs.ids("Permission", {"conditions": text("storm", min_score=1e9)}) == []


def test_search_all_tables_in_schema_order(docs: Api) -> None:
    response = docs.client.put(
        docs.data("query/ALL"), json={"table": "ALL", "conditions": text("storm")}
    )
    assert response.status_code == 200
    records = response.json()["records"]
    assert [(r["entityType"], r["id"]) for r in records] == [
        ("Permission", "p1"), ("Permission", "p3"), ("Role", "r1"),
    ]  # fmt: skip
    assert records[-1]["entity"]["name"] == "storm chaser"


def test_non_searchable_tables_match_nothing(api: Api) -> None:
    api.save("Item", {"id": "a", "name": "storm"})
    assert api.ids("Item", {"conditions": text("storm")}) == []


def test_index_follows_every_write_path(docs: Api) -> None:
    docs.client.put(
        docs.data("query/update/Permission"),
        json={"conditions": text("calm"), "updates": {"description": "hurricane season"}},
    )
    assert found(docs, "hurricane") == ["p2"]
    assert found(docs, "office") == []
    docs.client.delete(docs.data("Permission/p2"))
    assert found(docs, "hurricane") == []
    docs.client.put(docs.data("query/delete/Permission"), json={})
    assert found(docs, "storm") == []


def test_type_becoming_searchable_indexes_existing_rows(api: Api) -> None:
    api.save("Item", {"id": "a", "name": "typhoon"})
    from .conftest import schema

    doc = schema()
    doc["entities"][0]["type"] = "SEARCHABLE"
    api.server.publish_schema(doc)
    try:
        assert api.ids("Item", {"conditions": text("typhoon")}) == ["a"]
    finally:
        api.server.publish_schema(schema())
    assert api.ids("Item", {"conditions": text("typhoon")}) == []


def test_bad_full_text_values_are_400(docs: Api) -> None:
    bad = {"conditionType": "SingleCondition",
           "criteria": {"field": "__full_text__", "operator": "EQUAL", "value": "x"}}  # fmt: skip
    assert docs.query("Permission", {"conditions": bad}).status_code == 400
    bad["criteria"] = {"field": "__full_text__", "operator": "MATCHES", "value": {"queryText": 3}}
    assert docs.query("Permission", {"conditions": bad}).status_code == 400
