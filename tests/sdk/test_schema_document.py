"""The one schema document model: lenient reading (codegen, diff) and the contract's validator
(Onyx Local), with errors that name the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from onyx_database import (
    SchemaDocument,
    SchemaDocumentError,
    SchemaEntity,
    SchemaProblem,
)
from onyx_database.local import LocalServer

ROOT = Path(__file__).resolve().parents[2]


def _doc(*entities: dict[str, Any]) -> dict[str, Any]:
    return {"entities": list(entities)}


def _user(**changes: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "name": "User",
        "identifier": {"name": "id", "generator": "UUID", "type": "String"},
        "attributes": [
            {"name": "id", "type": "String"},
            {"name": "email", "type": "String", "isNullable": True},
        ],
    }
    entity.update(changes)
    return entity


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            _doc(_user(), _user(name="Role", attributes=[{"name": "id", "type": "Strng"}])),
            "entities[1].attributes[0].type: unknown type 'Strng'",
        ),
        (
            _doc(_user(identifier={"name": "key"})),
            "entities[0].identifier.name: identifier 'key' is not declared in attributes",
        ),
        (
            _doc(_user(identifier={"name": "id", "generator": "Random"})),
            "entities[0].identifier.generator: generator 'Random' must be None, Sequence or UUID",
        ),
        (
            _doc(_user(identifier={"name": "id", "generator": "Sequence"})),
            "entities[0].identifier.generator: Sequence identifier 'id' must be an integer type",
        ),
        (_doc(_user(partition="tenant")), "entities[0].partition: partition attribute 'tenant'"),
        (
            _doc(_user(indexes=[{"name": "email"}, {"name": "nope", "type": "DEFAULT"}])),
            "entities[0].indexes[1].name: index 'nope' does not name a declared attribute",
        ),
        (
            _doc(_user(indexes=[{"name": "email", "type": "BTREE"}])),
            "entities[0].indexes[0].type: unknown type 'BTREE'",
        ),
        (
            _doc(
                _user(attributes=[{"name": "id", "type": "String"}, {"name": "ID", "type": "Int"}])
            ),
            "entities[0].attributes[1].name: duplicate attribute 'ID'",
        ),
        (_doc(_user(name="bad name")), "entities[0].name: name 'bad name' must match"),
        (_doc(_user(name="_onyxThing")), "entities[0].name: the name '_onyxThing' is reserved"),
        (_doc(_user(), _user(name="user")), "entities[1].name: duplicate entity 'user'"),
        (_doc(_user(attributes="id")), "entities[0].attributes: must be a list, got 'id'"),
        (_doc({"name": "A", "attributes": []}), "entities[0].identifier: identifier must be"),
        (
            _doc(_user(triggers=[{"name": "t", "event": "OnSave", "trigger": "x"}])),
            "entities[0].triggers[0].event: unknown event 'OnSave'",
        ),
        (
            _doc(_user(resolvers=[{"name": "email", "resolver": 'db.from("User").list()'}])),
            "entities[0].resolvers[0].name: resolver 'email' collides with an attribute",
        ),
        (
            _doc(_user(attributes=[{"name": "id", "type": "String", "isNullable": "no"}])),
            "entities[0].attributes[0].isNullable: isNullable must be a boolean",
        ),
        (_doc("User"), "entities[0]: must be an object"),
        ({"tables": []}, "entities: the schema needs an 'entities' list"),
    ],
)
def test_problems_name_the_path(doc: dict[str, Any], expected: str) -> None:
    problems = [str(p) for p in SchemaDocument.problems(doc)]
    assert any(p.startswith(expected) for p in problems), problems
    with pytest.raises(SchemaDocumentError) as raised:
        SchemaDocument.check(doc)
    assert expected in str(raised.value)
    assert all(isinstance(p, SchemaProblem) for p in raised.value.problems)


@pytest.mark.parametrize(
    "path", ["tests/onyx.test.schema.json", "example_projects/scripts/schema.json"]
)
def test_checked_documents_keep_every_accepted_variant(path: str) -> None:
    raw = json.loads((ROOT / path).read_text(encoding="utf-8"))
    document = SchemaDocument.check(raw)
    assert [e.name for e in document.entities] == [e["name"] for e in raw["entities"]]
    for entity, source in zip(document.entities, raw["entities"], strict=True):
        assert entity.to_wire() == {k: v for k, v in source.items() if k != "entityText"}


def test_contract_variants_are_accepted() -> None:
    doc = _doc(
        _user(
            type="SEARCHABLE",
            searchSupport="LEXICAL",
            partition="",
            identifier={"name": "id"},  # generator defaults to None
            attributes=[
                {"name": "id", "type": "String", "isNullable": None},
                *({"name": f"a{t}", "type": t} for t in sorted(_all_types())),
            ],
            indexes=[
                {"name": "aString", "type": "DEFAULT", "minimumScore": 0.5},
                {"name": "text", "type": "LUCENE"},
                {"name": "vec", "type": "VECTOR"},
            ],
            resolvers=[{"name": "roles", "resolver": 'db.from("User").list()'}],
            triggers=[{"name": "t", "event": "PreInsert", "trigger": "x"}],
            entityText="generated",
            futureKey={"kept": True},
        ),
        _user(
            name="Counter",
            identifier={"name": "n", "generator": "Sequence"},
            attributes=[{"name": "n", "type": "Long"}],
            partition=None,
        ),
    )
    document = SchemaDocument.check({**doc, "databaseId": "db", "revisionDescription": "r"})
    user = document.entities[0]
    assert user.searchable and user.search_support == "LEXICAL"
    assert user.identifier is not None and user.identifier.generator == "None"
    assert user.model_extra == {"futureKey": {"kept": True}}
    assert document.database_id == "db" and document.revision_description == "r"
    assert document.entity("Counter") is not None


def _all_types() -> set[str]:
    from onyx_database._schema_document import ATTRIBUTE_TYPES

    return set(ATTRIBUTE_TYPES)


def test_read_is_lenient_where_the_validator_is_strict() -> None:
    odd = {
        "schema": {
            "entities": [
                {
                    "name": "T",
                    "identifier": "id",
                    "partition": " tenant ",
                    "attributes": [{"name": "id", "type": "Geometry"}, {"type": "String"}, "x"],
                    "indexes": [{"name": "id", "type": None, "minimumScore": "high"}],
                },
                {"nameless": True},
            ]
        }
    }
    read = SchemaDocument.read(odd)
    (entity,) = read.entities
    assert entity.identifier is None and entity.partition == "tenant"
    assert [(a.name, a.type) for a in entity.attributes] == [("id", "Geometry")]
    assert entity.indexes[0].type == "DEFAULT" and entity.indexes[0].minimum_score is None
    assert SchemaDocument.problems(odd)  # the contract does not accept it
    assert isinstance(SchemaEntity(name="X"), SchemaEntity)


def test_onyx_local_answers_with_the_path(tmp_path: Path) -> None:
    bad = _doc(_user(), _user(name="Role", attributes=[{"name": "id", "type": "Strng"}]))
    with pytest.raises(ValueError, match=r"entities\[1\]\.attributes\[0\]\.type: unknown type"):
        LocalServer(tmp_path, schema=bad).start()
