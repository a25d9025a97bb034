"""Editable admin inlines of relations Onyx saves by cascade (``OnyxRelationInline`` with
``editable = True``): add, change and delete child rows in the parent's change form, through
Django's test client against Onyx Local."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.test import Client
from onyx_django_admin_app import Grant, Team

from onyx_django import NotSupportedError
from onyx_django.admin import OnyxModelAdmin, OnyxRelationInline, ensure_permissions

pytestmark = [pytest.mark.urls("onyx_django_admin_urls"), pytest.mark.django_db]

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TEAMS = "/admin/backoffice/team/"


@pytest.fixture
def accounts(django_onyx: Any) -> Any:
    Team.onyx.all().delete()
    Grant.onyx.all().delete()
    Team(id="t1", name="ada", createdAt=T0, updatedAt=T0).save()
    Grant(id="a1", roleId="t1", permissionId="admin", createdAt=T0).save()
    Grant(id="a2", roleId="t1", permissionId="editor", createdAt=T0).save()
    Grant(id="a9", roleId="t9", permissionId="viewer", createdAt=T0).save()  # another team's
    django_onyx.reset_request_counts()
    return django_onyx


@pytest.fixture
def root(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def grants_of(team_id: str) -> dict[str, str]:
    return {a.id: a.permissionId for a in Grant.onyx.filter(roleId=team_id)}


def form_data(
    parent: dict[str, str], rows: list[dict[str, str]], *, initial: int
) -> dict[str, str]:
    data = {
        **parent,
        "rolePermissions-TOTAL_FORMS": str(len(rows)),
        "rolePermissions-INITIAL_FORMS": str(initial),
        "rolePermissions-MIN_NUM_FORMS": "0",
        "rolePermissions-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"rolePermissions-{index}-{key}": value for key, value in row.items()})
    return data


ADA = {"id": "t1", "name": "ada"}


@pytest.fixture
def sent() -> Iterator[list[tuple[str, str, Any]]]:
    """Every signal sent for an Team or Grant, as ``(signal, model name, pk)``."""
    seen: list[tuple[str, str, Any]] = []
    receivers = []
    for name, signal in (
        ("pre_save", pre_save),
        ("post_save", post_save),
        ("pre_delete", pre_delete),
        ("post_delete", post_delete),
    ):

        def receiver(sender: Any, instance: Any, _name: str = name, **kwargs: Any) -> None:
            if sender in (Team, Grant):
                seen.append((_name, sender.__name__, instance.pk))

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield seen
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def test_the_change_form_shows_the_children_as_editable_rows(root: Client, accounts: Any) -> None:
    page = root.get(f"{TEAMS}t1/change/")
    assert page.status_code == 200
    formset = page.context["inline_admin_formsets"][0].formset
    assert sorted(form.instance.pk for form in formset.initial_forms) == ["a1", "a2"]
    assert len(formset.extra_forms) == 1  # one empty row to add a child
    body = page.content.decode()
    assert (
        'name="rolePermissions-0-permissionId"' in body
        and 'name="rolePermissions-0-DELETE"' in body
    )
    assert 'name="rolePermissions-0-roleId"' not in body  # the key comes from the parent
    assert (
        'name="rolePermissions-0-id"' in body and "readonly" in body
    )  # a saved child keeps its id


def test_add_a_parent_with_children_in_one_cascade_request(
    root: Client, accounts: Any, sent: list[tuple[str, str, Any]]
) -> None:
    data = form_data(
        {"id": "t2", "name": "alan"},
        [{"id": "a3", "permissionId": "admin"}, {"id": "a4", "permissionId": "viewer"}, {}],
        initial=0,
    )
    response = root.post(f"{TEAMS}add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Team.onyx.get(pk="t2").name == "alan"
    assert grants_of("t2") == {"a3": "admin", "a4": "viewer"}
    # the team and its grants in one insert with the cascade; nothing else written
    assert accounts.request_count("POST", "/data/{db}/Role") == 1
    assert accounts.request_count("PUT", "/data/{db}/Role") == 0
    assert accounts.request_count("PUT", "/data/{db}/RoleRole") == 0
    saves = [(s, m, pk) for s, m, pk in sent if s.endswith("_save")]
    assert saves == [
        ("pre_save", "Team", "t2"),
        ("pre_save", "Grant", "a3"),
        ("pre_save", "Grant", "a4"),
        ("post_save", "Team", "t2"),
        ("post_save", "Grant", "a3"),
        ("post_save", "Grant", "a4"),
    ]
    entry = LogEntry.objects.get(object_id="t2")
    assert entry.is_addition() and "grant" in entry.get_change_message().lower()


def test_change_edits_adds_and_deletes_children(
    root: Client, accounts: Any, sent: list[tuple[str, str, Any]]
) -> None:
    data = form_data(
        {**ADA, "description": "first"},
        [
            {"id": "a1", "permissionId": "owner"},  # changed
            {"id": "a2", "permissionId": "editor", "DELETE": "on"},  # deleted
            {"id": "a5", "permissionId": "viewer"},  # added
        ],
        initial=2,
    )
    response = root.post(f"{TEAMS}t1/change/", data)
    assert response.status_code == 302
    assert grants_of("t1") == {"a1": "owner", "a5": "viewer"}
    assert grants_of("t9") == {"a9": "viewer"}  # another team's child is untouched
    assert Team.onyx.get(pk="t1").description == "first"
    # one cascade save of the user with its rows, one delete by query for the removed row
    assert accounts.request_count("PUT", "/data/{db}/Role") == 1
    assert accounts.request_count("PUT", "/data/{db}/query/delete/RolePermission") == 1
    assert ("pre_delete", "Grant", "a2") in sent and (
        "post_delete",
        "Grant",
        "a2",
    ) in sent
    assert ("post_save", "Grant", "a5") in sent and ("post_save", "Grant", "a1") in sent
    message = LogEntry.objects.get(object_id="t1").get_change_message()
    assert "Added" in message and "Changed" in message and "Deleted" in message


def test_an_unchanged_inline_saves_the_parent_as_usual(root: Client, accounts: Any) -> None:
    rows = [{"id": "a1", "permissionId": "admin"}, {"id": "a2", "permissionId": "editor"}, {}]
    response = root.post(f"{TEAMS}t1/change/", form_data({**ADA, "name": "ada2"}, rows, initial=2))
    assert response.status_code == 302
    assert Team.onyx.get(pk="t1").name == "ada2"
    assert accounts.request_count("PUT", "/data/{db}/Role") == 0  # an update by query
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}


def test_invalid_rows_are_formset_errors_and_nothing_is_written(
    root: Client, accounts: Any
) -> None:
    data = form_data(
        {**ADA, "name": "renamed"},
        [
            {"id": "a1", "permissionId": ""},  # required
            {"id": "a2", "permissionId": "editor", "DELETE": "on"},
            {"id": "a9", "permissionId": "viewer"},  # another team's child: the id is taken
        ],
        initial=2,
    )
    response = root.post(f"{TEAMS}t1/change/", data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors == {"permissionId": ["This field is required."]}
    assert "already exists" in str(formset.forms[2].errors["id"])
    assert not formset.forms[1].errors  # the deleted row is not validated
    assert Team.onyx.get(pk="t1").name == "ada"
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}
    assert grants_of("t9") == {"a9": "viewer"}


def test_a_saved_childs_id_cannot_be_changed(root: Client, accounts: Any) -> None:
    rows = [{"id": "a1", "permissionId": "admin"}, {"id": "a2", "permissionId": "other"}]
    data = form_data(ADA, rows, initial=2)
    data["rolePermissions-1-id"] = "a2-renamed"  # no saved child has that id
    response = root.post(f"{TEAMS}t1/change/", data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "reload the page" in str(formset.non_form_errors())
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}


def test_a_conflict_on_add_is_a_form_error_and_no_child_is_written(
    root: Client, accounts: Any
) -> None:
    data = form_data(
        {"id": "t1", "name": "ada"},
        [{"id": "a7", "permissionId": "admin"}],
        initial=0,
    )
    # the form's own check (validate_unique) is passed by creating u1 after it
    Team.onyx.filter(pk="t1").delete()

    def take_the_id(sender: Any, instance: Any, **kwargs: Any) -> None:
        if sender is Team and instance.name == "ada":
            Team(id="t1", name="first").save()

    pre_save.connect(take_the_id, weak=False)
    try:
        response = root.post(f"{TEAMS}add/", data)
    finally:
        pre_save.disconnect(take_the_id)
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["id"])
    assert Team.onyx.get(pk="t1").name == "first"
    assert "a7" not in grants_of("t1")  # the cascade wrote nothing


def test_a_row_onyx_refuses_is_a_form_error_and_nothing_is_written(
    root: Client, accounts: Any
) -> None:
    data = form_data(
        {"id": "t1", "name": "renamed"}, [{"id": "g7", "permissionId": "x"}], initial=0
    )
    # the TeamDraft admin's rows lack the createdAt Onyx requires: the cascade is refused
    response = root.post("/admin/backoffice/teamdraft/t1/change/", data)
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.non_field_errors())
    assert "The record was refused" in errors and "createdAt" in errors
    assert "rolePermissions" in errors  # Onyx names the relation
    assert Team.onyx.get(pk="t1").name == "ada"  # the parent was not written either
    assert "g7" not in grants_of("t1") and not LogEntry.objects.filter(object_id="t1").exists()


def test_permissions_guard_the_rows(client: Client, accounts: Any) -> None:
    clerk = User.objects.create_user("clerk", "clerk@example.org", "pw", is_staff=True)
    perms = {p.codename: p for p in ensure_permissions(Team, Grant)}
    clerk.user_permissions.add(perms["change_team"], perms["view_grant"])
    client.force_login(clerk)
    page = client.get(f"{TEAMS}t1/change/")
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_change_permission
    # a row posted anyway is not written: the user may not add or change grants
    rows = [{"id": "a1", "permissionId": "owner"}, {"id": "a2", "permissionId": "editor"}]
    rows.append({"id": "a8", "permissionId": "admin"})
    response = client.post(f"{TEAMS}t1/change/", form_data(ADA, rows, initial=2))
    assert response.status_code == 302
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}
    # with add permission, the new row is written
    clerk.user_permissions.add(perms["add_grant"])
    clerk = User.objects.get(pk=clerk.pk)  # drop the permission cache
    client.force_login(clerk)
    response = client.post(f"{TEAMS}t1/change/", form_data(ADA, rows, initial=2))
    assert response.status_code == 302
    assert grants_of("t1") == {"a1": "admin", "a2": "editor", "a8": "admin"}


def test_an_editable_inline_on_a_relation_onyx_cannot_save_fails_at_registration() -> None:
    class GrantsInline(OnyxRelationInline):
        relation = "permissions"  # declared without a cascade
        editable = True

    admin_class = type("TeamWithRoles", (OnyxModelAdmin,), {"inlines": [GrantsInline]})
    with pytest.raises(NotSupportedError, match=r"GrantsInline.editable: Team.permissions cannot"):
        admin_class(Team, admin.AdminSite(name="scratch"))


def test_a_read_only_inline_of_the_same_relation_is_still_allowed(
    root: Client, accounts: Any
) -> None:
    class GrantsInline(OnyxRelationInline):
        relation = "rolePermissions"

    site = admin.AdminSite(name="scratch")
    model_admin = type("TeamReadOnly", (OnyxModelAdmin,), {"inlines": [GrantsInline]})(Team, site)
    assert not model_admin.get_inline_instances(None)[0].has_add_permission(None)  # type: ignore[arg-type]


def test_an_overridden_save_model_still_gets_the_rows_written(
    rf: Any, accounts: Any, sent: list[tuple[str, str, Any]]
) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from onyx_django_admin_site import TeamAdmin

    class OwnSave(TeamAdmin):
        def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
            obj.description = "saved by my save_model"
            obj.save()  # no super(): the parent is saved alone, first

    data = form_data({**ADA, "id": "t3"}, [{"id": "a6", "permissionId": "deploy"}], initial=0)
    request = rf.post(f"{TEAMS}add/", data)
    request.user = User.objects.create_superuser("own", "own@example.org", "pw")
    request._dont_enforce_csrf_checks = True
    request.session = {}
    request._messages = FallbackStorage(request)
    response = OwnSave(Team, admin.site).changeform_view(request)
    assert response.status_code == 302
    assert Team.onyx.get(pk="t3").description == "saved by my save_model"
    assert grants_of("t3") == {"a6": "deploy"}
    assert ("post_save", "Grant", "a6") in sent
