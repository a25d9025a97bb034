"""Selections, resolvers, sub-queries, full-text search, cascade, update/delete by query and
typed results against Onyx Local over real HTTP, sync and async."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel

from onyx_database import (
    AsyncOnyxDatabase,
    OnyxDatabase,
    OnyxNotFoundError,
    asc,
    avg,
    count,
    eq,
    gt,
    lower,
    max,
    min,
    not_within,
    percentile,
    search,
    substring,
    sum,
    upper,
    within,
)
from onyx_database.local import LocalServer

T0 = "2025-01-01T00:00:00.000Z"

USERS = [
    {"id": "u1", "username": "ada", "email": "ada@example.com", "isActive": True},
    {"id": "u2", "username": "grace", "email": "grace@example.com", "isActive": True},
    {"id": "u3", "username": "linus", "email": "linus@example.com", "isActive": False},
]
PROFILES = [
    {"id": "p1", "userId": "u1", "firstName": "Ada", "lastName": "Lovelace-King", "age": 21},
    {"id": "p2", "userId": "u2", "firstName": "Grace", "lastName": "Hopper", "age": 42},
    {"id": "p3", "userId": "u3", "firstName": "Linus", "lastName": "Torvalds", "age": 63},
]
ROLES = [
    {"id": "admin", "name": "Admin", "description": "full access"},
    {"id": "editor", "name": "Editor", "description": "edits content"},
    {"id": "guest", "name": "Guest", "description": "read only"},
]
PERMISSIONS = [
    {"id": "read", "name": "read"},
    {"id": "write", "name": "write"},
]
USER_ROLES = [
    {"id": "ur1", "userId": "u1", "roleId": "admin"},
    {"id": "ur2", "userId": "u2", "roleId": "editor"},
]
ROLE_PERMISSIONS = [
    {"id": "rp1", "roleId": "admin", "permissionId": "read"},
    {"id": "rp2", "roleId": "admin", "permissionId": "write"},
    {"id": "rp3", "roleId": "editor", "permissionId": "read"},
]


DEFAULTS: dict[str, dict[str, Any]] = {
    "User": {"isActive": True, "email": "someone@example.com"},
    "Role": {"isSystem": False},
}


def full(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with the schema's required columns filled in (children of a cascade too)."""
    out = {"createdAt": T0, "updatedAt": T0, **DEFAULTS.get(table, {}), **row}
    for key, child_table in (("userRoles", "UserRole"),):
        if key in out:
            out[key] = [full(child_table, child) for child in out[key]]
    return out


def fill(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [full(table, row) for row in rows]


def seed(db: OnyxDatabase) -> None:
    for table, rows in (
        ("User", USERS),
        ("UserProfile", PROFILES),
        ("Role", ROLES),
        ("Permission", PERMISSIONS),
        ("UserRole", USER_ROLES),
        ("RolePermission", ROLE_PERMISSIONS),
    ):
        db.save(table, fill(table, rows))


@pytest.fixture
def seeded(db: OnyxDatabase) -> OnyxDatabase:
    seed(db)
    return db


def ids(rows: list[Any]) -> set[str]:
    return {row["id"] for row in rows}


# -- selections --------------------------------------------------------------------------------


def test_projection_rows_are_keyed_by_the_selection_strings(seeded: OnyxDatabase) -> None:
    rows = (
        seeded.select("id", upper("firstName"), lower("lastName"), substring("lastName", 0, 3))
        .from_table("UserProfile")
        .order_by(asc("id"))
        .list()
    )
    assert rows[0] == {
        "id": "p1",
        "upper(firstName)": "ADA",
        "lower(lastName)": "lovelace-king",
        "substring(lastName,0,3)": "Lov",
    }


def test_aggregates(seeded: OnyxDatabase) -> None:
    row = (
        seeded.select(avg("age"), sum("age"), min("age"), max("age"), count("id"))
        .from_table("UserProfile")
        .first_or_none()
    )
    assert row == {"avg(age)": 42, "sum(age)": 126, "min(age)": 21, "max(age)": 63, "count(id)": 3}
    (p75,) = seeded.select(percentile("age", 75)).from_table("UserProfile").list()
    assert p75["percentile(age, 75)"] == 52  # cast back to the Int column


def test_group_by_and_distinct(seeded: OnyxDatabase) -> None:
    grouped = seeded.select("isActive", count("id")).from_table("User").group_by("isActive").list()
    assert sorted((row["isActive"], row["count(id)"]) for row in grouped) == [
        (False, 1),
        (True, 2),
    ]
    distinct = seeded.select("isActive").from_table("User").distinct().list()
    assert sorted(row["isActive"] for row in distinct) == [False, True]


# -- resolvers ---------------------------------------------------------------------------------


def test_find_by_id_with_nested_resolvers(seeded: OnyxDatabase) -> None:
    user = seeded.find_by_id("User", "u1", resolvers=["roles", "roles.permissions", "profile"])
    assert user is not None
    assert [role["id"] for role in user["roles"]] == ["admin"]
    assert ids(user["roles"][0]["permissions"]) == {"read", "write"}
    assert user["profile"]["firstName"] == "Ada"


def test_query_resolve_appends(seeded: OnyxDatabase) -> None:
    users = (
        seeded.from_table("User")
        .resolve("roles")
        .resolve("profile")
        .where(eq("isActive", True))
        .order_by("id")
        .list()
    )
    assert [(u["id"], ids(u["roles"]), u["profile"]["userId"]) for u in users] == [
        ("u1", {"admin"}, "u1"),
        ("u2", {"editor"}, "u2"),
    ]


# -- sub-queries -------------------------------------------------------------------------------


def test_within_and_not_within(seeded: OnyxDatabase) -> None:
    admins = seeded.select("userId").from_table("UserRole").where(eq("roleId", "admin"))
    assert ids(seeded.from_table("User").where(within("id", admins)).list()) == {"u1"}
    granted = seeded.select("roleId").from_table("RolePermission")
    assert ids(seeded.from_table("Role").where(not_within("id", granted)).list()) == {"guest"}


# -- full-text ---------------------------------------------------------------------------------


def test_table_search_and_search_everywhere(seeded: OnyxDatabase) -> None:
    hits = seeded.from_table("Role").search("content").list()
    assert ids(hits) == {"editor"}
    both = seeded.from_table("Role").where(eq("id", "admin")).search("content").list()
    assert both == []
    assert ids(seeded.from_table("Role").where(search("access")).list()) == {"admin"}
    everywhere = seeded.search("grace").list()
    assert {(hit["entityType"], hit["id"]) for hit in everywhere} >= {("User", "u2")}
    for hit in everywhere:
        assert set(hit) >= {"id", "entityType", "entity"}
        assert hit["entity"]["id"] == hit["id"]


# -- cascade -----------------------------------------------------------------------------------


def test_cascade_save_then_delete(db: OnyxDatabase) -> None:
    db.save("Role", fill("Role", ROLES))
    spec = (
        db.cascade_builder()
        .graph("userRoles")
        .graph_type("UserRole")
        .target_field("userId")
        .source_field("id")
    )
    user = {
        "id": "u9",
        "username": "dana",
        "userRoles": [{"id": "ur9", "roleId": "admin"}, {"id": "ur10", "roleId": "guest"}],
    }
    db.cascade(spec).save("User", full("User", user))
    children = db.from_table("UserRole").where(eq("userId", "u9")).list()
    assert ids(children) == {"ur9", "ur10"}
    found = db.find_by_id("User", "u9", resolvers="roles")
    assert found is not None and ids(found["roles"]) == {"admin", "guest"}

    assert db.cascade("userRoles").delete("User", "u9") is True
    assert db.find_by_id("User", "u9") is None
    assert db.from_table("UserRole").where(eq("userId", "u9")).count() == 0


def test_cascade_delete_returns_the_graph_when_asked(db: OnyxDatabase) -> None:
    db.save("Role", fill("Role", ROLES[:1]))
    db.save("RolePermission", fill("RolePermission", ROLE_PERMISSIONS[:2]))
    graph = db.delete("Role", "admin", relationships=["rolePermissions"], return_graph=True)
    assert isinstance(graph, dict) and graph["id"] == "admin"
    assert db.from_table("RolePermission").count() == 0
    with pytest.raises(OnyxNotFoundError):
        db.cascade("rolePermissions").delete("Role", "admin")


# -- typed results -----------------------------------------------------------------------------


class Role(BaseModel):
    id: str
    name: str
    description: str | None = None


class User(BaseModel):
    id: str
    username: str
    email: str | None = None
    isActive: bool | None = None
    createdAt: dt.datetime | None = None
    updatedAt: dt.datetime = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    roles: list[Role] | None = None


class Account(BaseModel):
    __onyx_table__ = "User"
    id: str
    username: str


def test_typed_results_with_a_pydantic_model(db: OnyxDatabase) -> None:
    seed(db)
    created = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    saved = db.save(
        User,
        User(id="u7", username="kay", email="kay@example.com", isActive=False, createdAt=created),
    )
    assert isinstance(saved, User) and saved.id == "u7"
    found = db.find_by_id(User, "u7")
    assert isinstance(found, User)
    assert found.createdAt == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert found.createdAt.tzinfo is not None
    assert db.find_by_id(User, "missing") is None
    users = db.from_table(User).where(eq("isActive", True)).resolve("roles").order_by("id").list()
    assert [type(u) for u in users] == [User, User]
    assert users[0].roles == [Role(id="admin", name="Admin", description="full access")]
    first = db.from_table(Account).order_by("id").first_or_none()
    assert first == Account(id="u1", username="ada")
    page = db.from_table(User).page_size(2).page()
    assert all(isinstance(u, User) for u in page.records)
    projected = db.from_table(User).select("username").where(eq("id", "u1")).list()
    assert projected == [{"username": "ada"}]
    aggregated = db.from_table(User).select(count("id")).list()
    assert aggregated == [{"count(id)": 4}]
    typed_resolver = db.from_table("User").where(eq("id", "u1")).resolve(("roles", Role)).list()
    assert typed_resolver[0]["roles"] == [Role(id="admin", name="Admin", description="full access")]
    names = db.from_table(User).where(gt("username", "k")).order_by("username").values("username")
    assert names == ["kay", "linus"]


# -- update and delete by query ----------------------------------------------------------------


def test_update_and_delete_by_query(seeded: OnyxDatabase) -> None:
    changed = (
        seeded.from_table("User")
        .where(eq("isActive", True))
        .set_updates(isActive=False, lastLoginAt=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .update()
    )
    assert changed == 2
    assert seeded.from_table("User").where(eq("isActive", False)).count() == 3
    assert seeded.find_by_id("User", "u1")["lastLoginAt"] == T0  # type: ignore[index]
    limited = seeded.from_table("User").order_by("id").limit(1).set_updates(username="x").update()
    assert limited == 1
    assert seeded.find_by_id("User", "u1")["username"] == "x"  # type: ignore[index]
    assert seeded.find_by_id("User", "u2")["username"] == "grace"  # type: ignore[index]
    assert seeded.from_table("Role").where(eq("id", "guest")).delete() == 1
    assert ids(seeded.from_table("Role").list()) == {"admin", "editor"}
    assert seeded.from_table("Permission").delete() == 2
    assert seeded.from_table("Permission").count() == 0


# -- async -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_features(adb: AsyncOnyxDatabase, server: LocalServer) -> None:
    for table, rows in (
        ("User", USERS),
        ("UserProfile", PROFILES),
        ("Role", ROLES),
        ("UserRole", USER_ROLES),
    ):
        await adb.save(table, fill(table, rows))
    row = await adb.select(avg("age"), count("id")).from_table("UserProfile").first_or_none()
    assert row == {"avg(age)": 42, "count(id)": 3}
    admins = adb.select("userId").from_table("UserRole").where(eq("roleId", "admin"))
    assert ids(await adb.from_table("User").where(within("id", admins)).list()) == {"u1"}
    users = await adb.from_table(User).resolve("roles").where(eq("id", "u2")).list()
    assert users == [
        User(
            id="u2",
            username="grace",
            email="grace@example.com",
            isActive=True,
            createdAt=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            roles=[Role(id="editor", name="Editor", description="edits content")],
        )
    ]
    found = await adb.find_by_id(User, "u1")
    assert isinstance(found, User)
    hits = await adb.search("grace").list()
    assert ("User", "u2") in {(hit["entityType"], hit["id"]) for hit in hits}
    assert ids(await adb.from_table("Role").search("content").list()) == {"editor"}
    await adb.cascade("userRoles:UserRole(userId, id)").save(
        "User",
        full("User", {"id": "u8", "username": "eve", "userRoles": [{"id": "ur8", "roleId": "g"}]}),
    )
    assert await adb.from_table("UserRole").where(eq("userId", "u8")).count() == 1
    graph = await adb.cascade("userRoles").delete("User", "u8", return_graph=True)
    assert graph["id"] == "u8"
    assert await adb.from_table("UserRole").where(eq("userId", "u8")).count() == 0
    updated = await adb.from_table("User").where(eq("id", "u3")).set_updates(isActive=True).update()
    assert updated == 1
    assert await adb.from_table("UserRole").delete() == 2
