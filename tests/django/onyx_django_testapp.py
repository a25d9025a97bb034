"""The tests' Django app: a pydantic model with an Onyx manager, views and ``urlpatterns``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.generic import ListView
from pydantic import BaseModel

from onyx_django import OnyxManager, connections, db


class Profile(BaseModel):
    """A record of ``UserProfile`` (as ``onyx-py gen`` would write it, trimmed)."""

    __onyx_table__: ClassVar[str] = "UserProfile"
    id: str
    firstName: str | None = None
    lastName: str | None = None
    age: int | None = None
    bio: str | None = None
    userId: str | None = None
    createdAt: datetime | None = None

    onyx: ClassVar[OnyxManager[Profile]] = OnyxManager()


class ProfileListView(ListView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]  # found through Profile._default_manager
    paginate_by = 2
    ordering = ["id"]


def connection_view(request: HttpRequest) -> JsonResponse:
    view = connections["default"]
    return JsonResponse(
        {
            "same_view_twice": connections["default"] is view,
            "shares_pool": view._transport is connections.pool()._transport,
            "view_id": id(view),
            "analytics_timeout": connections["analytics"].config.request_timeout_seconds,
            "proxy_count": db.from_table("UserProfile").count(),
            "has_view": connections.has_view(),
        }
    )


def profile_detail(request: HttpRequest, pk: str) -> HttpResponse:
    profile: Any = get_object_or_404(Profile, pk=pk)
    return HttpResponse(profile.firstName)


urlpatterns = [
    path("connection/", connection_view),
    path("profiles/", ProfileListView.as_view()),
    path("profiles/<str:pk>/", profile_detail),
]
