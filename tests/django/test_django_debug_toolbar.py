"""``onyx_django.debug_toolbar.OnyxPanel`` in a real request cycle with django-debug-toolbar
installed: the page's Onyx requests, listed by the toolbar's own panel view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client, override_settings

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytest.importorskip("debug_toolbar")


@pytest.fixture
def toolbar() -> Iterator[object]:
    """The toolbar installed for one test; its apps, middleware and the system checks its app
    registers are gone afterwards."""
    from django.core.checks.registry import registry

    checks = set(registry.registered_checks), set(registry.deployment_checks)
    with override_settings(
        DEBUG=True,
        INTERNAL_IPS=["127.0.0.1"],
        INSTALLED_APPS=[*settings.INSTALLED_APPS, "django.contrib.staticfiles", "debug_toolbar"],
        MIDDLEWARE=["debug_toolbar.middleware.DebugToolbarMiddleware", *settings.MIDDLEWARE],
        ROOT_URLCONF="onyx_django_toolbar_urls",
        DEBUG_TOOLBAR_PANELS=[
            "debug_toolbar.panels.timer.TimerPanel",
            "onyx_django.debug_toolbar.OnyxPanel",
        ],
        DEBUG_TOOLBAR_CONFIG={"IS_RUNNING_TESTS": False, "RENDER_PANELS": False},
    ) as overridden:
        yield overridden
    registry.registered_checks &= checks[0]
    registry.deployment_checks &= checks[1]


def test_the_panel_lists_the_pages_onyx_requests(server: LocalServer, toolbar: object) -> None:
    client = Client()
    page = client.get("/people/")
    body = page.content.decode()
    assert page.status_code == 200 and body.startswith("<html><body>5: Ada, Alan")
    assert "OnyxPanel" in body and re.search(r"2 requests in [0-9.]+ ms", body)
    # django-debug-toolbar 6+ names the stored request "request_id", 5.x "store_id"
    stored = re.search(r'data-(?:request|store)-id="([0-9a-f]+)"', body)
    assert stored is not None
    key = stored.group(1)
    panel = client.get(
        "/__debug__/render_panel/", {"request_id": key, "store_id": key, "panel_id": "OnyxPanel"}
    )
    content = panel.json()["content"]
    assert content.count("<tr><td>PUT</td>") == 2
    assert "/data/{db}/query/count/UserProfile" in content
    assert "/data/{db}/query/UserProfile" in content and "<td>200</td>" in content
    for secret in (server.api_key, server.api_secret, server.database_id):
        assert secret not in content
    # other threads' requests (and requests outside a page) are not listed
    second = client.get("/people/")
    assert re.search(r"2 requests in", second.content.decode())
