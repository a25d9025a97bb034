"""The Onyx admin under a themed admin (django-jazzmin: templates and static files only, no
change of ours), driven through Django's test client against Onyx Local."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from onyx_django_admin_app import Event

pytest.importorskip("jazzmin")

pytestmark = [pytest.mark.urls("onyx_django_admin_urls"), pytest.mark.django_db]

EVENTS = "/admin/backoffice/event/"


@pytest.fixture
def themed(client: Client, django_onyx: Any) -> Iterator[Client]:
    apps = ["jazzmin", *settings.INSTALLED_APPS, "django.contrib.staticfiles"]
    with override_settings(INSTALLED_APPS=apps):
        client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
        Event.onyx.all().delete()
        yield client


def test_changelist_add_change_search_and_delete_under_jazzmin(themed: Client) -> None:
    index = themed.get("/admin/").content.decode()
    assert "jazzmin" in index and 'href="/admin/backoffice/event/"' in index
    when = {"dateTime_0": "2026-01-01", "dateTime_1": "10:00:00"}
    added = themed.post(f"{EVENTS}add/", {"id": "t1", "action": "themed", "status": "ok", **when})
    assert added.status_code == 302, added.content.decode()[:2000]
    listing = themed.get(EVENTS, {"q": "them"})
    assert "jazzmin" in listing.content.decode()
    assert [e.pk for e in listing.context["cl"].result_list] == ["t1"]
    change = themed.get(f"{EVENTS}t1/change/")
    assert change.status_code == 200 and 'value="themed"' in change.content.decode()
    duplicate = themed.post(f"{EVENTS}add/", {"id": "t1", "action": "again", **when})
    assert duplicate.status_code == 200
    assert "already exists" in str(duplicate.context["adminform"].form.errors["id"])
    deleted = themed.post(f"{EVENTS}t1/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and Event.onyx.filter(pk="t1").count() == 0
