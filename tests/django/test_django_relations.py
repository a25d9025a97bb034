"""Resolvers as read-only relation fields of ``_meta``, and fields that load on access
(``only()`` / ``defer()`` and unresolved relations), over real HTTP against Onyx Local."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import Field
from test_django_qs_related import NOW, Role

from onyx_django import connections
from onyx_django.models import OnyxModel

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


class Link(OnyxModel):
    """The ``UserRole`` table; its ``role`` resolver lists the linked roles."""

    id: str
    userId: str
    roleId: str
    createdAt: datetime = NOW
    role: list[Role] | None = Field(default=None, exclude=True)

    class Meta:
        db_table = "UserRole"
        app_label = "relations"
        ordering = ["id"]


class Grant(OnyxModel):
    """The ``RolePermission`` table: two to-one resolvers, one with a model."""

    id: str
    roleId: str
    permissionId: str
    createdAt: datetime = NOW
    role: Role | None = Field(default=None, exclude=True)
    permission: dict[str, Any] | None = Field(default=None, exclude=True)

    class Meta:
        db_table = "RolePermission"
        app_label = "relations"


@pytest.fixture
def links(server: LocalServer) -> LocalServer:
    db = connections.pool()
    for role_id, name in (("r1", "admin"), ("r2", "editor")):
        db.save("Role", {"id": role_id, "name": name, "isSystem": False, "createdAt": NOW,
                         "updatedAt": NOW})  # fmt: skip
    db.save("Permission", {"id": "pm1", "name": "delete", "createdAt": NOW, "updatedAt": NOW})
    db.save("RolePermission", {"id": "g1", "roleId": "r1", "permissionId": "pm1",
                               "createdAt": NOW})  # fmt: skip
    for link_id, user_id, role_id in (("l1", "u1", "r1"), ("l2", "u2", "r2")):
        db.save("UserRole", {"id": link_id, "userId": user_id, "roleId": role_id,
                             "createdAt": NOW})  # fmt: skip
    server.reset_request_counts()
    return server


def _reads(server: LocalServer) -> int:
    """Queries and finds by id on ``UserRole``."""
    finds = sum(server.request_count("GET", f"/data/{{db}}/UserRole/{pk}") for pk in ("l1", "l2"))
    return server.request_count("PUT", "/data/{db}/query/UserRole") + finds


def test_resolvers_are_read_only_relation_fields_of_meta() -> None:
    role = Link._meta.get_field("role")
    assert role.is_relation and role.many_to_many and not role.editable
    assert role.related_model is Role and not role.concrete
    assert [f.name for f in Link._meta.many_to_many] == ["role"]
    assert "role" not in [f.name for f in Link._meta.fields]  # never written with the record
    assert [f.name for f in Link._meta.get_fields()][-1] == "role"
    single = Grant._meta.get_field("role")
    assert single.many_to_one and not single.many_to_many and single.related_model is Role
    permission = Grant._meta.get_field("permission")
    assert permission.is_relation and permission.related_model is None
    assert list(Grant._meta.many_to_many) == []


def test_prefetch_related_reads_them_in_the_same_request(links: LocalServer) -> None:
    rows = list(Link.onyx.prefetch_related("role"))
    assert [[r.name for r in link.role or []] for link in rows] == [["admin"], ["editor"]]
    assert isinstance((rows[0].role or [])[0], Role)
    assert _reads(links) == 1
    grant = Grant.onyx.select_related("role", "permission").get(pk="g1")
    assert grant.role is not None and grant.role.name == "admin"
    assert grant.permission is not None and grant.permission["name"] == "delete"


def test_an_unresolved_relation_loads_on_first_access(links: LocalServer) -> None:
    link = Link.onyx.get(pk="l2")
    assert _reads(links) == 1
    assert [r.pk for r in link.role or []] == ["r2"]  # one find by id, with the resolver
    assert link.role is not None and _reads(links) == 2  # loaded once
    assert link.get_deferred_fields() == set()  # relations are not deferred fields


def test_drf_model_serializer_lists_the_related_pks_read_only(links: LocalServer) -> None:
    from rest_framework import serializers

    class LinkSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Link
            fields = "__all__"

    assert LinkSerializer().fields["role"].read_only
    data = LinkSerializer(Link.onyx.prefetch_related("role").get(pk="l1")).data
    assert data == {"id": "l1", "userId": "u1", "roleId": "r1", "createdAt": data["createdAt"],
                    "role": ["r1"]}  # fmt: skip
    serializer = LinkSerializer(data={"id": "l9", "userId": "u9", "roleId": "r1", "role": ["x"]})
    assert serializer.is_valid() and "role" not in serializer.validated_data


def test_a_model_form_leaves_relations_out_and_saving_keeps_them(links: LocalServer) -> None:
    from django.forms import modelform_factory

    assert "role" not in modelform_factory(Link, fields="__all__").base_fields
    link = Link.onyx.prefetch_related("role").get(pk="l1")
    link.userId = "u7"
    link.save()
    fresh = Link.onyx.prefetch_related("role").get(pk="l1")
    assert fresh.userId == "u7" and [r.pk for r in fresh.role or []] == ["r1"]


# -- only() / defer(): deferred fields load on access -------------------------------------------


def test_deferred_fields_load_on_access_one_request_each(links: LocalServer) -> None:
    link = Link.onyx.only("userId").get(pk="l1")
    assert link.get_deferred_fields() == {"roleId", "createdAt"}
    assert "roleId" not in link.__dict__
    assert _reads(links) == 1
    assert link.roleId == "r1"  # one find by id
    assert _reads(links) == 2
    assert link.roleId == "r1" and _reads(links) == 2
    assert link.get_deferred_fields() == {"createdAt"}
    deferred = Link.onyx.defer("roleId").get(pk="l2")
    assert deferred.get_deferred_fields() == {"roleId"} and deferred.userId == "u2"
    assert deferred.roleId == "r2"


def test_saving_a_deferred_instance_writes_only_the_loaded_fields(links: LocalServer) -> None:
    link = Link.onyx.only("userId").get(pk="l1")
    link.userId = "u8"
    link.save()
    assert link.get_deferred_fields() == {"roleId", "createdAt"}
    fresh = Link.onyx.get(pk="l1")
    assert (fresh.userId, fresh.roleId) == ("u8", "r1")
    assert link.roleId == "r1"  # still loads on access after the save


def test_reading_a_deferred_field_of_a_deleted_record_is_does_not_exist(
    links: LocalServer,
) -> None:
    link = Link.onyx.only("userId").get(pk="l2")
    connections.pool().delete("UserRole", "l2")
    with pytest.raises(Link.DoesNotExist):
        _ = link.roleId


def test_drf_depth_one_nests_the_related_records_read_only(links: LocalServer) -> None:
    from rest_framework import serializers

    class NestedLinkSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Link
            fields = "__all__"
            depth = 1

    data = NestedLinkSerializer(Link.onyx.prefetch_related("role").get(pk="l2")).data
    assert [(role["id"], role["name"]) for role in data["role"]] == [("r2", "editor")]
    assert NestedLinkSerializer().fields["role"].read_only
