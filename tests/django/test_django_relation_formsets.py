"""Relations saved by cascade outside the admin: ``relation_formset_factory`` in a plain view,
``save_with_children`` / ``asave_with_children``, and what happens when Onyx refuses a child
(nothing is written)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from onyx_django_admin_app import Grant, Team
from onyx_django_admin_app import GrantDraft as LooseGrant
from onyx_django_admin_app import TeamDraft as LooseTeam

from onyx_django import (
    NotSupportedError,
    RelationChanges,
    asave_with_children,
    cascade_relation,
    connections,
    save_with_children,
)
from onyx_django.forms import relation_formset_factory
from onyx_django.models import OnyxModel, relation

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def team(django_onyx: Any) -> Team:
    Team.onyx.all().delete()
    Grant.onyx.all().delete()
    team = Team(id="t1", name="ops", createdAt=T0, updatedAt=T0)
    team.save()
    Grant(id="g1", roleId="t1", permissionId="read", createdAt=T0).save()
    return team


def grants_of(team_id: str) -> dict[str, str]:
    return {g.id: g.permissionId for g in Grant.onyx.filter(roleId=team_id)}


GrantFormSet = relation_formset_factory(Team, "rolePermissions", fields=["id", "permissionId"])


def edit_grants(request: HttpRequest, pk: str) -> HttpResponse:
    """A plain function view, as with Django's ``inlineformset_factory``."""
    team = Team.onyx.get(pk=pk)
    formset = GrantFormSet(request.POST or None, instance=team)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        return HttpResponse("saved")
    rows = "".join(str(form["permissionId"]) for form in formset)
    return HttpResponse(f"{formset.management_form}{rows}{formset.errors}")


def post_data(rows: list[dict[str, str]], initial: int) -> dict[str, str]:
    data = {
        "rolePermissions-TOTAL_FORMS": str(len(rows)),
        "rolePermissions-INITIAL_FORMS": str(initial),
    }
    for index, row in enumerate(rows):
        data.update({f"rolePermissions-{index}-{key}": value for key, value in row.items()})
    return data


def test_a_formset_in_a_plain_view(rf: RequestFactory, team: Team) -> None:
    page = edit_grants(rf.get("/grants/t1/"), "t1")
    body = page.content.decode()
    assert 'value="read"' in body and 'name="rolePermissions-TOTAL_FORMS" value="4"' in body
    rows = [{"id": "g1", "permissionId": "write"}, {"id": "g2", "permissionId": "admin"}]
    saved = edit_grants(rf.post("/grants/t1/", post_data(rows, initial=1)), "t1")
    assert saved.content == b"saved"
    assert grants_of("t1") == {"g1": "write", "g2": "admin"}
    rows = [{"id": "g1", "permissionId": "write", "DELETE": "on"}, {"id": "g2", "permissionId": ""}]
    refused = edit_grants(rf.post("/grants/t1/", post_data(rows, initial=2)), "t1")
    assert "This field is required" in refused.content.decode()
    assert grants_of("t1") == {"g1": "write", "g2": "admin"}  # nothing written


def test_rows_without_the_id_field_carry_it_hidden(team: Team) -> None:
    HiddenIds = relation_formset_factory(Team, "rolePermissions", fields=["permissionId"])
    page = HiddenIds(instance=team)
    # as_div(): str(form) on Django 4.2 goes through a deprecated template
    assert 'type="hidden" name="rolePermissions-0-id" value="g1"' in page.forms[0].as_div()
    formset = HiddenIds(
        post_data([{"id": "g1", "permissionId": "audit"}], initial=1), instance=team
    )
    assert formset.is_valid(), formset.errors
    formset.save()
    assert grants_of("t1") == {"g1": "audit"}


def test_save_commit_false_then_save_with_children(team: Team) -> None:
    rows = [{"id": "g1", "permissionId": "read", "DELETE": "on"}, {"id": "g3", "permissionId": "x"}]
    formset = GrantFormSet(post_data(rows, initial=1), instance=team)
    assert formset.is_valid(), formset.errors
    new = formset.save(commit=False)
    assert [g.id for g in new] == ["g3"] and [g.id for g in formset.deleted_objects] == ["g1"]
    assert grants_of("t1") == {"g1": "read"}  # nothing written yet
    team.name = "operations"
    save_with_children(team, [formset.changes()])
    assert grants_of("t1") == {"g3": "x"} and Team.onyx.get(pk="t1").name == "operations"
    assert new[0].roleId == "t1" and not new[0]._state.adding


@pytest.mark.anyio
async def test_asave_with_children(team: Team) -> None:
    cascade = cascade_relation(Team, "rolePermissions")
    grant = Grant(id="g4", roleId="", permissionId="async")
    try:
        await asave_with_children(team, [RelationChanges(cascade, save=[grant])])
        assert grant.roleId == "t1"
        assert {g.id async for g in Grant.onyx.filter(roleId="t1")} == {"g1", "g4"}
    finally:
        await connections.aclose_all()


def test_onyx_refusing_a_child_writes_nothing(django_onyx: Any) -> None:
    LooseTeam.onyx.all().delete()
    LooseGrant.onyx.all().delete()
    cascade = cascade_relation(LooseTeam, "rolePermissions")
    children = [LooseGrant(id="g1", permissionId="read"), LooseGrant(id="g2", permissionId="x")]
    with pytest.raises(DataError, match="createdAt"):
        save_with_children(LooseTeam(id="t7", name="new"), [RelationChanges(cascade, children)])
    assert not LooseTeam.onyx.filter(pk="t7").exists()  # the parent is rolled back too
    assert not LooseGrant.onyx.exists()
    # an existing parent keeps its values
    LooseTeam(id="t8", name="kept").save()
    changed = LooseTeam.onyx.get(pk="t8")
    changed.name = "changed"
    with pytest.raises(DataError):
        save_with_children(changed, [RelationChanges(cascade, children)])
    assert LooseTeam.onyx.get(pk="t8").name == "kept" and not LooseGrant.onyx.exists()


def test_a_formset_needs_a_relation_onyx_can_save() -> None:
    with pytest.raises(NotSupportedError, match=r"Team.permissions cannot be saved by Onyx"):
        relation_formset_factory(Team, "permissions", fields=["id"])
    with pytest.raises(NotSupportedError, match="has no resolver field 'nope'"):
        relation_formset_factory(Team, "nope", fields=["id"])


def test_a_cascade_that_does_not_fit_its_models_is_refused() -> None:
    class Mismatched(OnyxModel):
        id: str
        grants: list[Grant] | None = relation(cascade="UserRole(ownerId, key)")

        class Meta:
            db_table = "Role"
            app_label = "scratch"  # outside the back office, whose schema check must pass

    with pytest.raises(NotSupportedError) as caught:
        cascade_relation(Mismatched, "grants")
    message = str(caught.value)
    assert "saves into 'UserRole', but Grant is the table 'RolePermission'" in message
    assert "Grant has no field 'ownerId'" in message and "Mismatched has no field 'key'" in message
    with pytest.raises(ValueError, match="invalid cascade"):
        relation(cascade="grants")


class WrongKey(OnyxModel):
    """The ``Role`` table whose ``rolePermissions`` resolver reads by ``roleId``, declared with
    a cascade that writes ``permissionId``; ``permissions`` reads through a nested query."""

    id: str
    rolePermissions: list[Grant] | None = relation(cascade="RolePermission(permissionId, id)")
    permissions: list[Grant] | None = relation(cascade="RolePermission(roleId, id)")

    class Meta:
        db_table = "Role"
        app_label = "cascadecheck"


class RightKey(OnyxModel):
    id: str
    rolePermissions: list[Grant] | None = relation(cascade="RolePermission(roleId, id)")

    class Meta:
        db_table = "Role"
        app_label = "cascadecheck_ok"


def test_check_database_compares_each_cascade_with_its_resolver(django_onyx: Any) -> None:
    from types import SimpleNamespace

    from onyx_django.checks import check_onyx_schema

    def check(label: str) -> list[tuple[str, str]]:
        app = SimpleNamespace(label=label)
        found = check_onyx_schema(app_configs=[app], databases=["default"])  # type: ignore[list-item]
        return [(str(m.id), m.msg) for m in found]

    [permissions, role_permissions] = check("cascadecheck")
    assert permissions[0] == role_permissions[0] == "onyx_django.E016"
    assert (
        "WrongKey.permissions is saved by the cascade RolePermission(roleId, id)" in permissions[1]
    )
    assert "is not a plain db.from(T)" in permissions[1]
    assert (
        "WrongKey.rolePermissions is saved by the cascade RolePermission(permissionId, id), but "
        "its resolver reads RolePermission(roleId, id)" in role_permissions[1]
    )
    assert check("cascadecheck_ok") == []


def test_a_to_one_relation_is_a_formset_of_at_most_one_row(team: Team) -> None:
    from onyx_django_admin_app import Staff

    # Grant.role reads db.from("Role").where(eq("id", this.roleId)).firstOrNull(): the cascade
    # Role(id, roleId) saves the grant with its role, the role's id set from the grant's roleId
    RoleFormSet = relation_formset_factory(Grant, "role", fields=["name"], extra=1)
    grant = Grant(id="g5", roleId="t5", permissionId="p", createdAt=T0)
    grant.save()
    empty = RoleFormSet(instance=grant)
    assert empty.max_num == 1 and len(empty.forms) == 1  # no role t5 yet: one empty row
    data = {
        "role-TOTAL_FORMS": "1",
        "role-INITIAL_FORMS": "0",
        "role-0-name": "editor",
    }
    formset = RoleFormSet(data, instance=grant)
    assert formset.is_valid(), formset.errors
    formset.save()
    assert Staff.onyx.get(pk="t5").name == "editor"  # the role took the grant's roleId
    grant = Grant.onyx.get(pk="g5")
    assert RoleFormSet(instance=grant).forms[0].instance.pk == "t5"
