"""Runs inside .venv-official with the official ``onyx-database`` 2.5.2 SDK (not ours).

``python official_features_script.py <wire_format> <feature>`` reads the Onyx Local config from
ONYX_CONFIG_PATH, exercises one feature the way the official SDK calls it, and prints one JSON
document with what it observed. Features: resolver, aggregate, cascade, documents, secrets, schema.
"""

from __future__ import annotations

import base64
import copy
import json
import sys
from typing import Any

from onyx_database import asc, avg, count, eq, onyx

NOW = "2026-03-01T12:00:00.000Z"


def seed(db: Any) -> None:
    users = [("u1", "ada", True), ("u2", "bob", True), ("u3", "chloe", False)]
    db.save(
        "User",
        [
            {
                "id": uid,
                "username": name,
                "email": f"{name}@example.com",
                "isActive": active,
                "createdAt": NOW,
                "updatedAt": NOW,
            }
            for uid, name, active in users
        ],
    )
    db.save(
        "Role",
        [
            {"id": rid, "name": name, "isSystem": False, "createdAt": NOW, "updatedAt": NOW}
            for rid, name in (("role-admin", "Admin"), ("role-editor", "Editor"))
        ],
    )
    db.save(
        "UserRole",
        [
            {"id": f"{u}:{r}", "userId": u, "roleId": r, "createdAt": NOW}
            for u, r in (("u1", "role-admin"), ("u1", "role-editor"), ("u2", "role-editor"))
        ],
    )
    db.save(
        "UserProfile",
        [
            {
                "id": f"p-{uid}",
                "userId": uid,
                "firstName": uid,
                "lastName": "Example",
                "age": age,
                "createdAt": NOW,
            }
            for uid, age in (("u1", 21), ("u2", 42), ("u3", 64))
        ],
    )


def resolver(db: Any) -> dict[str, Any]:
    seed(db)
    users = db.from_table("User").resolve("roles").order_by(asc("id")).list()
    found = db.find_by_id("User", "u1", resolvers=["roles"])
    return {
        "roles": {u["id"]: sorted(r["name"] for r in u.get("roles") or []) for u in users},
        "find_roles": sorted(r["name"] for r in found["roles"]),
        "admins": [
            u["id"]
            for u in db.from_table("User").where(eq("roles.name", "Admin")).resolve("roles").list()
        ],
    }


def aggregate(db: Any) -> dict[str, Any]:
    seed(db)
    flat = db.select(avg("age")).from_table("UserProfile").list()
    grouped = db.select("isActive", count("id")).from_table("User").group_by("isActive").list()
    return {
        "avg": list(flat),
        "grouped": sorted(([r["isActive"], r["count(id)"]] for r in grouped), key=str),
        "count_active": db.from_table("User").where(eq("isActive", True)).count(),
    }


def cascade(db: Any) -> dict[str, Any]:
    seed(db)
    user = {
        "id": "u9",
        "username": "heidi",
        "email": "heidi@example.com",
        "isActive": True,
        "createdAt": NOW,
        "updatedAt": NOW,
        "userRoles": [
            {"id": "u9:role-admin", "roleId": "role-admin", "createdAt": NOW},
            {"id": "u9:role-editor", "roleId": "role-editor", "createdAt": NOW},
        ],
    }
    saved = db.cascade("userRoles:UserRole(userId, id)").save("User", user)
    links = db.from_table("UserRole").where(eq("userId", "u9")).order_by(asc("id")).list()
    deleted = db.cascade("userRoles").delete("User", "u9")
    return {
        "saved_id": saved["id"],
        "links": [[link["id"], link["userId"]] for link in links],
        "deleted": deleted,
        "user_after": db.find_by_id("User", "u9"),
        "links_after": db.from_table("UserRole").where(eq("userId", "u9")).count(),
        "roles_after": db.from_table("Role").count(),
    }


def documents(db: Any, document_id: str = "official-notes.txt") -> dict[str, Any]:
    text = "hello from the official SDK"
    saved = db.save_document(
        {
            "documentId": document_id,
            "path": "/notes/official.txt",
            "mimeType": "text/plain",
            "content": base64.b64encode(text.encode()).decode(),
        }
    )
    got = db.get_document(document_id)
    deleted = db.delete_document(document_id)
    try:
        db.get_document(document_id)
        after = "found"
    except Exception as error:
        after = type(error).__name__
    return {"saved_id": saved.get("documentId"), "content": got, "deleted": deleted, "after": after}


def documents_nested_id(db: Any) -> dict[str, Any]:
    """The official SDK puts the id in the path unencoded: ``/document/notes/official.txt``."""
    return documents(db, "notes/official.txt")


def secrets(db: Any) -> dict[str, Any]:
    db.put_secret("official-key", {"value": "s3cr3t", "purpose": "testing"})
    db.put_secret("official-other", {"value": "x", "purpose": "other"})
    got = db.get_secret("official-key")
    listed = db.list_secrets()
    records = listed.get("records") if isinstance(listed, dict) else listed
    keys = sorted(item["key"] for item in records)
    values_listed = any("value" in item for item in records)
    db.delete_secret("official-key")
    db.delete_secret("official-other")
    try:
        db.get_secret("official-key")
        after = "found"
    except Exception as error:
        after = type(error).__name__
    return {
        "value": got["value"],
        "purpose": got.get("purpose"),
        "keys": keys,
        "values_listed": values_listed,
        "after": after,
    }


def schema(db: Any) -> dict[str, Any]:
    current = db.get_schema()
    only_user = db.get_schema(tables=["User"])
    changed = copy.deepcopy(current)
    changed.pop("meta", None)
    for entity in changed["entities"]:
        if entity["name"] == "User":
            entity["attributes"].append({"name": "nickname", "type": "String", "isNullable": True})
    valid = db.validate_schema(changed)
    broken = copy.deepcopy(changed)
    broken["entities"][0]["attributes"].append({"name": "oops", "type": "NoSuchType"})
    try:
        invalid = db.validate_schema(broken)
    except Exception as error:
        invalid = {"valid": False, "status": getattr(error, "status", None)}
    history_before = len(db.get_schema_history())
    db.update_schema(changed, publish=True)
    user = next(e for e in db.get_schema()["entities"] if e["name"] == "User")
    history_after = len(db.get_schema_history())
    diff = db.diff_schema(current)
    restore = copy.deepcopy(current)
    restore.pop("meta", None)
    db.update_schema(restore, publish=True)
    return {
        "tables": sorted(e["name"] for e in current["entities"]),
        "only_user": [e["name"] for e in only_user["entities"]],
        "valid": valid.get("valid"),
        "invalid": invalid.get("valid"),
        "nickname": "nickname" in [a["name"] for a in user["attributes"]],
        "history_grew": history_after - history_before,
        "diff_changed": [t["name"] for t in diff.get("changed_tables", [])],
    }


FEATURES = {
    "resolver": resolver,
    "aggregate": aggregate,
    "cascade": cascade,
    "documents": documents,
    "documents_nested_id": documents_nested_id,
    "secrets": secrets,
    "schema": schema,
}


def main() -> int:
    wire_format, feature = sys.argv[1], sys.argv[2]
    db = onyx.init(wire_format=wire_format)
    print(json.dumps(FEATURES[feature](db), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
