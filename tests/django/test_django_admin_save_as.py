"""The admin's "Save as new" (``save_as = True``) on a record with an editable inline, through
Django's test client against Onyx Local: the record is created as new and its rows copied as new
rows, as Django does; Onyx generates no ids here, so a copied row must be given a new one (a
clear error on the page until it is), and nothing is written before every id is new."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from onyx_django_admin_app import Team
from test_django_admin_cascade import accounts, form_data, grants_of, root  # noqa: F401

# ``root`` logs the test client in as a superuser; ``accounts`` holds team t1 with rows a1, a2
pytestmark = [
    pytest.mark.urls("onyx_django_admin_urls"),
    pytest.mark.django_db,
    pytest.mark.usefixtures("root", "accounts"),
]

TEAMS = "/admin/backoffice/team/"
ROWS = [{"id": "a1", "permissionId": "admin"}, {"id": "a2", "permissionId": "editor"}, {}]


@pytest.fixture(autouse=True)
def save_as(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin.site._registry[Team], "save_as", True)


def save_as_new(client: Client, parent: dict[str, str], rows: list[dict[str, str]]) -> Any:
    data = form_data(parent, rows, initial=2)
    data["_saveasnew"] = "Save as new"
    return client.post(f"{TEAMS}t1/change/", data)


def test_the_change_form_offers_save_as_new(client: Client) -> None:
    assert 'name="_saveasnew"' in client.get(f"{TEAMS}t1/change/").content.decode()


def test_copied_rows_keeping_their_ids_are_refused_on_the_page(client: Client) -> None:
    response = save_as_new(client, {"id": "t2", "name": "copy"}, ROWS)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors().as_data()[0].code == "copy_needs_id"
    assert "give each copied row a new id" in response.content.decode()
    assert [form.errors.as_data().get("id", [None])[0] for form in formset.forms][2] is None
    assert [form.errors["id"] for form in formset.forms[:2]] == [
        ["This id is taken (the row copied from): give the copy a new id."]
    ] * 2
    # shown again as Django shows a failed "Save as new": that button only, ids now editable
    body = response.content.decode()
    assert 'name="_saveasnew"' in body and 'name="_continue"' not in body
    (row_id,) = re.findall(r'<input[^>]*name="rolePermissions-0-id"[^>]*>', body)
    assert "readonly" not in row_id
    # nothing written: no new team, the original's rows untouched
    assert not Team.onyx.filter(pk="t2").exists()
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}


def test_rows_given_new_ids_are_copied_to_the_new_record(client: Client) -> None:
    rows = [{"id": "b1", "permissionId": "admin"}, {"id": "b2", "permissionId": "viewer"}, {}]
    response = save_as_new(client, {"id": "t2", "name": "copy"}, rows)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Team.onyx.get(pk="t2").name == "copy"
    assert grants_of("t2") == {"b1": "admin", "b2": "viewer"}
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}  # the original keeps its rows
    assert Team.onyx.get(pk="t1").name == "ada"


def test_a_row_ticked_delete_is_left_out_of_the_copy(client: Client) -> None:
    rows = [{"id": "a1", "permissionId": "admin", "DELETE": "on"}, ROWS[1] | {"id": "b2"}, {}]
    response = save_as_new(client, {"id": "t2", "name": "copy"}, rows)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert grants_of("t2") == {"b2": "editor"}
    assert grants_of("t1") == {"a1": "admin", "a2": "editor"}


def test_the_record_keeping_its_id_is_refused_too(client: Client) -> None:
    rows = [{"id": "b1", "permissionId": "admin"}, {}]
    response = save_as_new(client, {"id": "t1", "name": "copy"}, rows)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["id"] == ["Team with this Id already exists."]
    assert Team.onyx.get(pk="t1").name == "ada" and grants_of("t1") == {
        "a1": "admin",
        "a2": "editor",
    }
