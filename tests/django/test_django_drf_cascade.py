"""DRF on relations: a to-one resolver in ``fields = "__all__"`` (read-only pk, or nested with
``depth``), and writable nested serializers saved by cascade
(``onyx_django.rest_framework.CascadeModelSerializer``), through DRF views against Onyx Local."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from onyx_django_admin_app import Grant, Staff, Team
from rest_framework import serializers, viewsets
from rest_framework.test import APIRequestFactory

from onyx_django import NotSupportedError
from onyx_django.rest_framework import CascadeModelSerializer

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class GrantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Grant
        fields = ["id", "permissionId", "roleId"]


class TeamSerializer(CascadeModelSerializer):
    rolePermissions = GrantSerializer(many=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "name", "rolePermissions"]


class TeamViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    queryset = Team.onyx.all()
    serializer_class = TeamSerializer
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []


@pytest.fixture
def team(django_onyx: Any) -> Team:
    for model in (Team, Grant):
        model.onyx.all().delete()
    Staff(id="t1", name="editor", createdAt=T0, updatedAt=T0).save()  # the Role of id t1
    Grant(id="g1", roleId="t1", permissionId="read", createdAt=T0).save()
    Grant(id="g2", roleId="t1", permissionId="write", createdAt=T0).save()
    Grant(id="g9", roleId="t9", permissionId="other", createdAt=T0).save()
    return Team.onyx.get(pk="t1")


def grants_of(team_id: str) -> dict[str, str]:
    return {g.id: g.permissionId for g in Grant.onyx.filter(roleId=team_id)}


def call(method: str, path: str, action: str, data: Any = None, **kwargs: Any) -> Any:
    request = getattr(APIRequestFactory(), method)(path, data, format="json")
    return TeamViewSet.as_view({method: action})(request, **kwargs)


def test_a_to_one_resolver_is_in_all_fields_as_a_read_only_pk(team: Team) -> None:
    class AllGrantFields(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Grant
            fields = "__all__"

    assert "role" in AllGrantFields().fields and AllGrantFields().fields["role"].read_only
    data = AllGrantFields(Grant.onyx.select_related("role").get(pk="g1")).data
    assert data["role"] == "t1" and data["permissionId"] == "read"
    assert AllGrantFields(Grant.onyx.get(pk="g9")).data["role"] is None  # no Role t9

    class NestedGrant(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Grant
            fields = "__all__"
            depth = 1

    nested = NestedGrant(Grant.onyx.get(pk="g1")).data["role"]
    assert nested["id"] == "t1" and nested["name"] == "editor"


def test_nested_create_writes_the_parent_and_children_in_one_cascade(
    team: Team, django_onyx: Any
) -> None:
    django_onyx.reset_request_counts()
    body = {
        "id": "t2",
        "name": "ops",
        "rolePermissions": [{"id": "g3", "permissionId": "deploy", "roleId": "ignored"}],
    }
    response = call("post", "/teams/", "create", body)
    assert response.status_code == 201, response.data
    assert response.data["rolePermissions"] == [
        {"id": "g3", "permissionId": "deploy", "roleId": "t2"}
    ]
    assert Team.onyx.get(pk="t2").name == "ops" and grants_of("t2") == {"g3": "deploy"}
    assert django_onyx.request_count("POST", "/data/{db}/Role") == 1
    assert django_onyx.request_count("PUT", "/data/{db}/RolePermission") == 0


def test_nested_update_replaces_the_children(team: Team) -> None:
    body = {
        "id": "t1",
        "name": "editors",
        "rolePermissions": [
            {"id": "g1", "permissionId": "read-all"},
            {"id": "g4", "permissionId": "new"},
        ],
    }
    response = call("put", "/teams/t1/", "update", body, pk="t1")
    assert response.status_code == 200, response.data
    assert grants_of("t1") == {"g1": "read-all", "g4": "new"}  # g2 left out: deleted
    assert grants_of("t9") == {"g9": "other"}
    assert Team.onyx.get(pk="t1").name == "editors"
    # a PATCH without the relation leaves the children alone
    response = call("patch", "/teams/t1/", "partial_update", {"name": "eds"}, pk="t1")
    assert response.status_code == 200
    assert grants_of("t1") == {"g1": "read-all", "g4": "new"}
    assert sorted(g["id"] for g in response.data["rolePermissions"]) == ["g1", "g4"]


def test_a_new_child_cannot_take_another_parents_child(team: Team) -> None:
    body = {"id": "t1", "name": "x", "rolePermissions": [{"id": "g9", "permissionId": "stolen"}]}
    response = call("put", "/teams/t1/", "update", body, pk="t1")
    assert response.status_code == 400
    assert "id 'g9' already exists" in str(response.data["rolePermissions"])
    assert grants_of("t9") == {"g9": "other"} and grants_of("t1") == {"g1": "read", "g2": "write"}


def test_invalid_nested_data_is_a_400_and_nothing_is_written(team: Team) -> None:
    body = {"id": "t1", "name": "x", "rolePermissions": [{"id": "g1"}]}
    response = call("put", "/teams/t1/", "update", body, pk="t1")
    assert response.status_code == 400
    assert "permissionId" in response.data["rolePermissions"][0]
    assert (
        grants_of("t1") == {"g1": "read", "g2": "write"} and Team.onyx.get(pk="t1").name == "editor"
    )


def test_a_conflict_on_create_is_a_400_and_no_child_is_written(team: Team) -> None:
    serializer = TeamSerializer(data={"id": "t1", "name": "dup", "rolePermissions": []})
    assert not serializer.is_valid()  # DRF's unique check on the id, before any write
    assert "already exists" in str(serializer.errors["id"])
    # an id taken between validation and save: Onyx's 409, as a ValidationError
    validated = {"id": "t1", "name": "dup", "rolePermissions": [{"id": "g5", "permissionId": "p"}]}
    with pytest.raises(serializers.ValidationError) as refused:
        TeamSerializer().create(validated)
    [message] = refused.value.detail["non_field_errors"]
    assert message == "The record was refused: Role with id 't1' already exists"
    assert Team.onyx.get(pk="t1").name == "editor" and "g5" not in grants_of("t1")


def test_a_writable_nested_serializer_needs_a_relation_onyx_can_save() -> None:
    with pytest.raises(NotSupportedError, match=r"Broken.permissions: Team.permissions cannot"):

        class Broken(CascadeModelSerializer):
            permissions = GrantSerializer(many=True)

            class Meta:
                model = Team
                fields = ["id", "permissions"]

    class ReadOnlyIsFine(CascadeModelSerializer):
        permissions = GrantSerializer(many=True, read_only=True)

        class Meta:
            model = Team
            fields = ["id", "permissions"]

    assert ReadOnlyIsFine().fields["permissions"].read_only


def test_a_nested_to_one_relation_is_written_by_cascade(team: Team) -> None:
    class StaffSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Staff
            fields = ["id", "name"]  # id: the cascade's key, set from the grant's roleId

    class GrantWithRole(CascadeModelSerializer):
        role = StaffSerializer(required=False, allow_null=True)

        class Meta:
            model = Grant
            fields = ["id", "roleId", "permissionId", "role"]

    body = {"id": "g6", "roleId": "t6", "permissionId": "p", "role": {"name": "viewer"}}
    serializer = GrantWithRole(data=body)
    assert serializer.is_valid(), serializer.errors
    grant = serializer.save()
    assert Staff.onyx.get(pk="t6").name == "viewer" and Grant.onyx.get(pk="g6").roleId == "t6"
    assert GrantWithRole(grant).data["role"] == {"id": "t6", "name": "viewer"}
    # an update of the role through the grant
    update = GrantWithRole(Grant.onyx.get(pk="g6"), data={**body, "role": {"name": "admin"}})
    assert update.is_valid(), update.errors
    update.save()
    assert Staff.onyx.get(pk="t6").name == "admin"


def test_a_django_filter_filterset_of_all_fields_leaves_the_resolvers_out(team: Team) -> None:
    import django_filters
    from onyx_django_admin_app import Assignment

    for model in (Grant, Assignment, Team):
        meta = type("Meta", (), {"model": model, "fields": "__all__"})
        filterset_class = type("AllFields", (django_filters.FilterSet,), {"Meta": meta})
        names = set(filterset_class.base_filters)
        assert names == {f.name for f in model._meta.concrete_fields}, model
    filterset = filterset_class({"name": "editor"}, queryset=Team.onyx.all())
    assert [team.pk for team in filterset.qs] == ["t1"]
