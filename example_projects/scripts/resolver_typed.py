"""Resolvers with typed values: pydantic models for the record and for its resolved roles."""

from __future__ import annotations

from datetime import datetime

from _seed import connect, expect, seed_rbac
from pydantic import BaseModel

from onyx_database import eq


class Role(BaseModel):
    id: str
    name: str
    isSystem: bool
    createdAt: datetime


class User(BaseModel):
    id: str
    username: str
    isActive: bool
    roles: list[Role] = []


with connect() as db:
    seed_rbac(db)
    users = (
        db.from_table(User)
        .where(eq("isActive", True))
        .resolve(("roles", Role))
        .order_by("id")
        .list()
    )
    for user in users:
        print(f"{user.username}: {[role.name for role in user.roles]}")
    expect(all(isinstance(user, User) for user in users), True, "records are User models")
    expect(
        all(isinstance(role, Role) for user in users for role in user.roles),
        True,
        "resolved roles are Role models",
    )
    expect([user.username for user in users], ["ada", "bob", "dmitri"], "active users")
    expect(users[0].roles[0].isSystem, True, "ada's Admin role is a system role")
    expect(type(users[0].roles[0].createdAt), datetime, "timestamps become datetimes")
