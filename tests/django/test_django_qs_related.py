"""``select_related`` / ``prefetch_related`` as Onyx resolvers: values in the same request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from pydantic import BaseModel, Field

from onyx_django import OnyxManager, connections
from onyx_django.models import OnyxModel

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Role(OnyxModel):
    id: str
    name: str
    isSystem: bool = False
    createdAt: datetime = NOW
    updatedAt: datetime = NOW
    permissions: list[dict[str, Any]] | None = Field(default=None, exclude=True)

    class Meta:
        app_label = "roles"


class PlainRole(BaseModel):
    __onyx_table__: ClassVar[str] = "Role"
    id: str
    name: str

    onyx: ClassVar[OnyxManager[PlainRole]] = OnyxManager()


@pytest.fixture
def roles(server: LocalServer) -> LocalServer:
    db = connections.pool()
    db.save("Role", {"id": "r1", "name": "admin", "isSystem": True, "createdAt": NOW,
                     "updatedAt": NOW})  # fmt: skip
    db.save("Permission", {"id": "pm1", "name": "delete", "createdAt": NOW, "updatedAt": NOW})
    db.save("RolePermission", {"id": "rp1", "roleId": "r1", "permissionId": "pm1",
                               "createdAt": NOW})  # fmt: skip
    server.reset_request_counts()
    return server


def test_select_related_fills_the_resolver_in_one_request(roles: LocalServer) -> None:
    role = Role.onyx.select_related("permissions").get(pk="r1")
    assert [p["name"] for p in role.permissions or []] == ["delete"]
    assert roles.request_count("PUT", "/data/{db}/query/Role") == 1
    unresolved = Role.onyx.get(pk="r1")  # not asked for: not fetched with the record ...
    assert "permissions" not in unresolved.__dict__
    assert [p["name"] for p in unresolved.permissions or []] == ["delete"]  # ... but on access
    assert roles.request_count("GET", "/data/{db}/Role/r1") == 1


def test_prefetch_related_on_a_plain_model_and_values(roles: LocalServer) -> None:
    role = PlainRole.onyx.prefetch_related("permissions").get(pk="r1")
    assert [p["id"] for p in role.permissions] == ["pm1"]  # type: ignore[attr-defined]
    row = Role.onyx.select_related("permissions").values("id", "permissions").get(pk="r1")
    assert row["id"] == "r1"
