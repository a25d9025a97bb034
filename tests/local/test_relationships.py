"""Resolvers, cascade saves and deletes, sub-queries (example schema: User/Role/Permission)."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import EXAMPLE_SCHEMA, Api, where

NOW = "2025-01-01T00:00:00.000Z"


def stamp(**fields: Any) -> dict[str, Any]:
    return {"createdAt": NOW, "updatedAt": NOW, "isActive": True, "isSystem": False, **fields}


@pytest.fixture
def graph(ex: Api) -> Api:
    checked = ex.save

    def save(table: str, body: Any) -> Any:
        response = checked(table, body)
        assert response.status_code == 200, response.text
        return response

    ex.save = save  # type: ignore[method-assign]
    ex.save(
        "User",
        [
            stamp(id="u1", username="ada", email="ada@x.io", isActive=True),
            stamp(id="u2", username="bob", email="bob@x.io", isActive=False),
        ],
    )
    ex.save(
        "Role",
        [
            stamp(id="admin", name="Admin"),
            stamp(id="editor", name="Editor"),
            stamp(id="viewer", name="Viewer"),
        ],
    )
    ex.save("Permission", [stamp(id="p1", name="read"), stamp(id="p2", name="write")])
    ex.save(
        "UserRole",
        [
            {"id": "ur1", "userId": "u1", "roleId": "admin", "createdAt": NOW},
            {"id": "ur2", "userId": "u1", "roleId": "editor", "createdAt": NOW},
            {"id": "ur3", "userId": "u2", "roleId": "viewer", "createdAt": NOW},
        ],
    )
    ex.save(
        "RolePermission",
        [
            {"id": "rp1", "roleId": "admin", "permissionId": "p1", "createdAt": NOW},
            {"id": "rp2", "roleId": "admin", "permissionId": "p2", "createdAt": NOW},
            {"id": "rp3", "roleId": "editor", "permissionId": "p2", "createdAt": NOW},
        ],
    )
    ex.save(
        "UserProfile",
        {
            "id": "pr1",
            "userId": "u1",
            "firstName": "Ada",
            "lastName": "L",
            "createdAt": NOW,
            "updatedAt": NOW,
        },
    )
    return ex  # fmt: skip


def test_find_by_id_with_resolvers_in_every_form(graph: Api) -> None:
    for value in ("roles,profile", "[roles, profile]", "roles%2Cprofile"):
        user = graph.client.get(graph.data("User/u1") + "?resolvers=" + value).json()
        assert sorted(r["id"] for r in user["roles"]) == ["admin", "editor"]
        assert user["profile"]["firstName"] == "Ada"
    lonely = graph.client.get(graph.data("User/u2"), params={"resolvers": "profile"}).json()
    assert lonely["profile"] is None


def test_nested_resolvers_in_a_query(graph: Api) -> None:
    body = {"resolvers": ["roles.permissions", "userRoles"], **where("id", "EQUAL", "u1")}
    [user] = graph.records("User", body)
    permissions = {r["id"]: sorted(p["name"] for p in r["permissions"]) for r in user["roles"]}
    assert permissions == {"admin": ["read", "write"], "editor": ["write"]}
    assert len(user["userRoles"]) == 2


def test_criteria_and_projections_on_resolver_paths(graph: Api) -> None:
    assert graph.ids("User", where("roles.name", "EQUAL", "Admin")) == ["u1"]
    assert graph.ids("User", where("roles.name", "IN", ["Viewer", "Nope"])) == ["u2"]
    assert graph.ids("User", where("profile.firstName", "IS_NULL")) == ["u2"]
    rows = graph.records("User", {"fields": ["id", "roles.name"], "sort": [{"field": "id"}]})
    assert rows[0] == {"id": "u1", "roles.name": ["Admin", "Editor"]}


def test_unknown_resolver_is_400(graph: Api) -> None:
    assert graph.query("User", {"resolvers": ["nope"]}).status_code == 400
    assert graph.client.get(graph.data("User/u1"), params={"resolvers": "nope"}).status_code == 400


def sub(table: str, field: str | None, **condition: Any) -> dict[str, Any]:
    query: dict[str, Any] = {"type": "SelectQuery", "table": table}
    if field:
        query["fields"] = [field]
    if condition:
        query.update(where(*condition["where"]))
    return query


def test_sub_queries_in_in_and_not_in(graph: Api) -> None:
    admins = sub("UserRole", "userId", where=("roleId", "EQUAL", "admin"))
    assert graph.ids("User", where("id", "IN", admins)) == ["u1"]
    assert graph.ids("User", where("id", "NOT_IN", admins)) == ["u2"]
    assert graph.ids("User", where("id", "WITHIN", admins)) == ["u1"]
    # Without fields the sub-query's rows are entities: their identifiers are compared.
    by_entity = sub("UserRole", None, where=("roleId", "EQUAL", "admin"))
    assert graph.ids("UserRole", where("id", "IN", by_entity)) == ["ur1"]
    empty = sub("UserRole", "userId", where=("roleId", "EQUAL", "nobody"))
    assert graph.ids("User", where("id", "IN", empty)) == []
    assert sorted(graph.ids("User", where("id", "NOT_IN", empty))) == ["u1", "u2"]
    nested = sub("UserRole", "userId")
    nested.update(
        where(
            "roleId", "IN", sub("RolePermission", "roleId", where=("permissionId", "EQUAL", "p1"))
        )
    )
    assert graph.ids("User", where("id", "IN", nested)) == ["u1"]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ({"type": "SelectQuery", "table": "Nope"}, 404),
        ({"type": "SelectQuery"}, 400),
        ({"type": "SelectQuery", "table": "UserRole", "fields": ["nope"]}, 400),
    ],
)
def test_bad_sub_queries(graph: Api, value: dict[str, Any], status: int) -> None:
    response = graph.query("User", where("id", "IN", value))
    assert response.status_code == status
    assert response.json()["error"]["message"]


SPEC = "userRoles:UserRole(userId, id)"


@pytest.mark.parametrize(
    "raw",
    [
        "userRoles:UserRole(userId,id),profile:UserProfile(userId,id)",  # PY: raw
        quote("userRoles:UserRole(userId, id),profile:UserProfile(userId, id)"),  # GO/KT
        quote(quote(SPEC, safe="") + "," + quote("profile:UserProfile(userId, id)", safe="")),
    ],
)
def test_cascade_save_in_every_encoding(ex: Api, raw: str) -> None:
    roles = [
        {"id": "y", "roleId": "admin", "createdAt": NOW},
        {"id": "x", "roleId": "viewer", "createdAt": NOW},
    ]
    profile = stamp(id="pf9", firstName="Cy", lastName="C")
    parent = stamp(id="u9", username="cy", email="c@x.io", userRoles=roles, profile=profile)
    response = ex.client.put(ex.data("User") + "?relationships=" + raw, json=parent)
    assert response.status_code == 200, response.text
    assert "userRoles" not in response.json() and response.json()["id"] == "u9"
    assert sorted(r["roleId"] for r in ex.records("UserRole", where("userId", "EQUAL", "u9"))) == [
        "admin", "viewer",
    ]  # fmt: skip
    assert ex.records("UserProfile")[0]["userId"] == "u9"
    stored = ex.client.get(ex.data("User/u9")).json()
    assert "userRoles" not in stored


@pytest.mark.parametrize(
    "raw", ["userRoles", "userRoles:UserRole(userId)", "userRoles:Nope(userId, id)",
            "userRoles:UserRole(nope, id)", "userRoles:UserRole(userId, nope)"],
)  # fmt: skip
def test_bad_cascade_specs_write_nothing(ex: Api, raw: str) -> None:
    parent = stamp(id="u9", username="cy", email="c@x.io", userRoles=[{"roleId": "admin"}])
    response = ex.client.put(ex.data("User"), params={"relationships": raw}, json=parent)
    assert response.status_code == 400
    assert "Invalid cascade mapping format" in response.json()["error"]["message"]
    assert ex.count("User") == 0 and ex.count("UserRole") == 0


def test_a_bad_child_rolls_the_parent_back(ex: Api) -> None:
    parent = stamp(id="u9", username="cy", email="c@x.io", profile={"firstName": "no id"})
    response = ex.client.put(
        ex.data("User"), params={"relationships": "profile:UserProfile(userId, id)"}, json=parent
    )
    assert response.status_code == 422
    assert ex.count("User") == 0


def test_cascade_delete_returns_the_graph_on_request(graph: Api) -> None:
    subscription = graph.server.changes.subscribe()
    try:
        response = graph.client.delete(
            graph.data("User/u1"),
            params={"relationships": "profile,userRoles"},
            headers={"Prefer": "return=representation"},
        )
        events = [(e.table, e.action) for e in subscription.drain()]
    finally:
        graph.server.changes.unsubscribe(subscription)
    assert response.status_code == 200
    deleted = response.json()
    assert deleted["id"] == "u1" and deleted["profile"]["id"] == "pr1"
    assert sorted(r["id"] for r in deleted["userRoles"]) == ["ur1", "ur2"]
    assert graph.count("UserProfile") == 0
    assert graph.ids("UserRole") == ["ur3"]
    assert graph.count("Role") == 3
    assert events.count(("UserRole", "DELETE")) == 2 and events[-1] == ("User", "DELETE")
    plain = graph.client.delete(
        graph.data("Role/viewer"), params={"relationships": "rolePermissions"}
    )
    assert plain.json() is True
    bad = graph.client.delete(graph.data("Role/admin"), params={"relationships": "nope"})
    assert bad.status_code == 400 and graph.count("Role") == 2


def schema_with(script: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE_SCHEMA.read_text())
    doc = copy.deepcopy(doc)
    role = next(e for e in doc["entities"] if e["name"] == "Role")
    role["resolvers"][0]["resolver"] = script
    return doc


@pytest.mark.parametrize(
    ("script", "where_text"),
    [
        ('db.from("Permission")\n  .where(eq("id" this.id))\n  .list()', "line 2, column 18"),
        ('db.from("Permission").where(eq("id", this.id)).list(', "end of script"),
        ('db.from("Permission").where(frob("id", 1)).list()', "Unknown name 'frob'"),
        ('db.from("Permission").where(eq("id", this.id))', "must end with"),
        ('db.from("Nope").list()', "'Nope'"),
        ('import("os")', "Unknown name 'import'"),
        ('db.from("Permission").where(eq("id", "x)).list()', "Unterminated string"),
    ],
)
def test_invalid_resolver_scripts_are_rejected_with_a_position(
    ex: Api, script: str, where_text: str
) -> None:
    doc = schema_with(script)
    validated = ex.client.post(f"/schemas/{ex.db}/validate", json=doc)
    assert validated.status_code == 400
    body = validated.json()
    assert body["valid"] is False
    [error] = body["errors"]
    assert "Role" in error["message"] and "permissions" in error["message"]
    assert where_text in error["message"]
    assert (
        ex.client.put(f"/schemas/{ex.db}", params={"publish": "true"}, json=doc).status_code == 400
    )


def test_resolver_language_features(ex: Api) -> None:
    script = (
        'db.from("Permission").where(startsWith("name", "w").or(eq("name", \'read\')))'
        '.and(notIn("id", ["zz", null])).orderBy(desc("name")).limit(5).list()'
    )
    doc = schema_with(script)
    assert ex.client.post(f"/schemas/{ex.db}/validate", json=doc).json()["valid"] is True
    ex.server.publish_schema(doc)
    try:
        ex.save("Role", stamp(id="r", name="R"))
        ex.save("Permission", [stamp(id="p1", name="read"), stamp(id="p2", name="write"),
                               stamp(id="p3", name="admin")])  # fmt: skip
        role = ex.client.get(ex.data("Role/r"), params={"resolvers": "permissions"}).json()
        assert [p["name"] for p in role["permissions"]] == ["write", "read"]
    finally:
        ex.server.publish_schema(json.loads(EXAMPLE_SCHEMA.read_text()))


def test_self_referencing_resolvers_stop_with_400(ex: Api) -> None:
    doc = schema_with('db.from("Role").where(eq("permissions.id", this.id)).list()')
    ex.server.publish_schema(doc)
    try:
        ex.save("Role", stamp(id="r", name="R"))
        response = ex.client.get(ex.data("Role/r"), params={"resolvers": "permissions"})
        assert response.status_code == 400
        assert "too deep" in response.json()["error"]["message"]
    finally:
        ex.server.publish_schema(json.loads(EXAMPLE_SCHEMA.read_text()))
