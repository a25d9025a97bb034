"""URLs of the debug-toolbar test: a page that reads Onyx twice, and the toolbar's own views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from onyx_django import connections


def people(request: HttpRequest) -> HttpResponse:
    db = connections["default"]
    count = db.from_table("UserProfile").count()
    names = [r["firstName"] for r in db.from_table("UserProfile").order_by("id").limit(2).list()]
    return HttpResponse(f"<html><body>{count}: {', '.join(names)}</body></html>")


urlpatterns = [
    path("people/", people),
    path("__debug__/", include("debug_toolbar.urls")),
]
