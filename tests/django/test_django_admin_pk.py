"""``pk`` in an admin's options and URLs, as Django admins use it (``list_display = ["pk"]``,
``ordering = ["-pk"]``, ``search_fields = ["=pk"]``, ``?pk__in=``), through Django's test client
against Onyx Local."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.test import Client
from onyx_django_admin_app import Team
from test_django_admin_cascade import accounts, root  # noqa: F401

# ``root`` logs the test client in as a superuser; ``accounts`` holds team t1
pytestmark = [
    pytest.mark.urls("onyx_django_admin_urls"),
    pytest.mark.django_db,
    pytest.mark.usefixtures("root", "accounts"),
]

TEAMS = "/admin/backoffice/team/"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def by_pk(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("accounts")  # first: it empties the table
    team_admin = admin.site._registry[Team]
    monkeypatch.setattr(team_admin, "list_display", ["pk", "name"])
    monkeypatch.setattr(team_admin, "ordering", ["-pk"])
    monkeypatch.setattr(team_admin, "search_fields", ["=pk"])
    for key, name in (("t2", "alan"), ("t3", "grace")):
        Team(id=key, name=name, createdAt=T0, updatedAt=T0).save()


def listed(client: Client, query: str = "") -> list[str]:
    page = client.get(f"{TEAMS}{query}")
    assert page.status_code == 200
    return [team.pk for team in page.context["cl"].result_list]


def test_the_changelist_orders_searches_and_filters_by_pk(client: Client) -> None:
    assert listed(client) == ["t3", "t2", "t1"]
    assert listed(client, "?q=t2") == ["t2"]
    assert listed(client, "?pk__in=t1,t3") == ["t3", "t1"]
    body = client.get(TEAMS).content.decode()
    assert 'class="column-pk' in body and ">grace<" in body
