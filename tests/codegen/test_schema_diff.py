"""diff_schemas: the TypeScript computeSchemaDiff algorithm and its normalisation rules."""

from __future__ import annotations

import json
from typing import Any

from onyx_database._schema_diff import (
    AttributeChange,
    SchemaDiff,
    ValueChange,
    diff_schemas,
    format_diff,
    read_entities,
)

API: dict[str, Any] = {
    "entities": [
        {
            "name": "User",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [
                {"name": "id", "type": "String"},
                {"name": "email", "type": "String", "isNullable": False},
                {"name": "age", "type": "Int"},
            ],
            "indexes": [{"name": "email", "type": "DEFAULT"}],
            "resolvers": [{"name": "roles", "resolver": 'db.from("Role").list()'}],
            "triggers": [],
        },
        {"name": "Legacy", "attributes": []},
    ]
}
LOCAL: dict[str, Any] = {
    "entities": [
        {
            "name": "User",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "tenantId",
            "attributes": [
                {"name": "id", "type": "String"},
                {"name": "email", "type": "String", "isNullable": True},
                {"name": "tenantId", "type": "String"},
            ],
            "indexes": [{"name": "email", "type": "LUCENE", "minimumScore": 0.5}],
            "resolvers": [],
            "triggers": [{"name": "audit", "event": "PostPersist", "trigger": "log(this)"}],
        },
        {"name": "Order", "attributes": []},
    ]
}

# Produced by the TypeScript SDK's formatSchemaDiff on the same input (reference §3.4).
TS_OUTPUT = """\
# Diff between API schema and ./onyx.schema.json

newTables:
  - "Order"
removedTables:
  - "Legacy"
changedTables:
  - name: "User"
    partition:
      from: null
      to: "tenantId"
    attributes:
      added:
        - name: "tenantId"
          type: "String"
      removed:
        - "age"
      changed:
        - name: "email"
          from:
            type: "String"
            isNullable: false
          to:
            type: "String"
            isNullable: true
    indexes:
      added: []
      removed: []
      changed:
        - name: "email"
          from:
            name: "email"
            type: "DEFAULT"
          to:
            name: "email"
            type: "LUCENE"
            minimumScore: 0.5
    resolvers:
      added: []
      removed:
        - "roles"
      changed: []
    triggers:
      added:
        - name: "audit"
          event: "PostPersist"
          trigger: "log(this)"
      removed: []
      changed: []
"""


def test_matches_typescript_output_byte_for_byte() -> None:
    assert format_diff(diff_schemas(API, LOCAL), "./onyx.schema.json") == TS_OUTPUT


def test_structure() -> None:
    diff = diff_schemas(API, LOCAL)
    assert diff and not diff.is_empty
    assert diff.added_tables == ["Order"]
    assert diff.removed_tables == ["Legacy"]
    (user,) = diff.changed_tables
    assert user.name == "User"
    assert [a["name"] for a in user.added_attributes] == ["tenantId"]
    assert user.removed_attributes == ["age"]
    assert user.changed_attributes == [AttributeChange("email", "isNullable", False, True)]
    assert user.partition == ValueChange(None, "tenantId")
    assert user.identifier is None
    assert user.indexes is not None and [c.name for c in user.indexes.changed] == ["email"]
    assert user.resolvers is not None and user.resolvers.removed == ["roles"]
    assert user.triggers is not None and user.triggers.added[0]["name"] == "audit"
    data = json.loads(diff.to_json())
    assert data["newTables"] == ["Order"]
    assert data["changedTables"][0]["attributes"]["changed"][0]["to"] == {
        "type": "String",
        "isNullable": True,
    }


def test_identical_and_normalised_documents_have_no_diff() -> None:
    assert not diff_schemas(API, API)
    assert diff_schemas(API, API).is_empty
    a = {
        "entities": [
            {
                "name": "T",
                "partition": None,
                "attributes": [{"name": "x", "type": "Int"}],
                "indexes": [{"name": "x"}],
                "entityText": "junk",
            }
        ]
    }
    b = {
        "entities": [
            {
                "name": "T",
                "partition": "  ",
                "attributes": [{"name": "x", "type": "Int", "isNullable": False}],
                "indexes": [{"name": "x", "type": "DEFAULT"}],
                "resolvers": [],
                "triggers": [],
                "type": "DEFAULT",
            }
        ]
    }
    assert not diff_schemas(a, b)
    assert (
        format_diff(diff_schemas(a, b))
        == "No differences found between API schema and local schema.\n"
    )
    assert str(SchemaDiff()) == "No differences found between API schema and local schema.\n"


def test_identifier_type_and_search_support_changes() -> None:
    a = {
        "entities": [
            {"name": "T", "identifier": {"name": "id", "generator": "None"}, "type": "SEARCHABLE"}
        ]
    }
    b = {
        "entities": [
            {
                "name": "T",
                "identifier": {"name": "id", "generator": "UUID"},
                "type": "SEARCHABLE",
                "searchSupport": "LEXICAL",
            }
        ]
    }
    (t,) = diff_schemas(a, b).changed_tables
    assert t.identifier == ValueChange(
        {"name": "id", "generator": "None"}, {"name": "id", "generator": "UUID"}
    )
    assert t.search_support == ValueChange("BOTH", "LEXICAL")
    assert t.type is None
    (t2,) = diff_schemas(
        {"entities": [{"name": "T"}]}, {"entities": [{"name": "T", "type": "SEARCHABLE"}]}
    ).changed_tables
    assert t2.type == ValueChange("DEFAULT", "SEARCHABLE")
    assert t2.search_support is None
    (t3,) = diff_schemas(
        {"entities": [{"name": "T"}]}, {"entities": [{"name": "T", "identifier": {"name": "id"}}]}
    ).changed_tables
    assert t3.identifier == ValueChange(None, {"name": "id"})


def test_attribute_type_change_and_unnamed_entities_skipped() -> None:
    a = {
        "entities": [
            {"name": "T", "attributes": [{"name": "n", "type": "Int"}]},
            {"attributes": []},
        ]
    }
    b = {"entities": [{"name": "T", "attributes": [{"name": "n", "type": "Long"}]}]}
    diff = diff_schemas(a, b)
    assert diff.changed_tables[0].changed_attributes == [
        AttributeChange("n", "type", "Int", "Long")
    ]
    assert diff.removed_tables == []


def test_legacy_and_go_shapes() -> None:
    legacy = {
        "tables": [{"name": "T", "attributes": [{"name": "id", "type": "String"}], "extra": 1}]
    }
    assert read_entities(legacy) == [
        {"name": "T", "attributes": [{"name": "id", "type": "String"}]}
    ]
    go = {
        "tables": [
            {
                "name": "T",
                "fields": [{"name": "id", "type": "String", "nullable": False, "primaryKey": True}],
                "resolvers": ["r"],
                "partition": "",
            }
        ]
    }
    (entity,) = read_entities(go)
    assert entity["identifier"] == {"name": "id", "generator": "None", "type": "String"}
    assert entity["resolvers"] == [{"name": "r"}]
    wrapped = {"schema": {"entities": [{"name": "A"}]}}
    assert [e["name"] for e in read_entities(wrapped)] == ["A"]
    history = {"schemas": [{"entities": [{"name": "Old"}]}, {"entities": [{"name": "New"}]}]}
    assert [e["name"] for e in read_entities(history)] == ["New"]
    # entities preferred over tables
    both = {"entities": [{"name": "E"}], "tables": [{"name": "X"}]}
    assert [e["name"] for e in read_entities(both)] == ["E"]
