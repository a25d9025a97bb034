"""Schema: read the published schema, diff a local change, publish it, see the history grow."""

from __future__ import annotations

import copy

from _seed import connect, expect

with connect() as db:
    schema = db.get_schema()
    tables = sorted(entity["name"] for entity in schema["entities"])
    print(f"tables: {tables}")
    expect("User" in tables and "TenantNote" in tables, True, "published tables")

    changed = copy.deepcopy(schema)
    for entity in changed["entities"]:
        if entity["name"] == "User":
            entity["attributes"].append({"name": "nickname", "type": "String", "isNullable": True})
    diff = db.diff_schema(changed)
    print(f"diff: {diff}")

    validation = db.validate_schema(changed)
    expect(validation["valid"], True, "the changed schema is valid")
    history_before = len(db.get_schema_history())
    db.update_schema(changed, publish=True)
    user = next(e for e in db.get_schema(tables=["User"])["entities"] if e["name"] == "User")
    names = [attribute["name"] for attribute in user["attributes"]]
    print(f"User attributes now: {names}")
    expect("nickname" in names, True, "nickname published")
    expect(len(db.get_schema_history()), history_before + 1, "one more revision")

    db.update_schema(schema, publish=True)  # put the original back for the other scripts
