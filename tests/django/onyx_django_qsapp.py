"""URLs for the stale-rows tests: querysets kept on classes and in module constants."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.generic import ListView
from onyx_django_testapp import Profile

ADULTS = Profile.onyx.filter(age__gte=18).order_by("id")
"""A module constant evaluated by every request (never ``.all()``-ed by anyone)."""


def adults(request: HttpRequest) -> JsonResponse:
    first = len(ADULTS)  # fills the cache for this request...
    names = [p.id for p in ADULTS]  # ...which this iteration reuses
    return JsonResponse({"count": first, "ids": names})


async def adults_async(request: HttpRequest) -> JsonResponse:
    names = [p.id async for p in ADULTS]
    return JsonResponse({"ids": names})


class AdultList(ListView):  # type: ignore[type-arg]
    queryset = Profile.onyx.filter(age__gte=18).order_by("id")
    template_name = "onyx/profile_list.html"
    context_object_name = "profile_list"

    def render_to_response(self, context: dict[str, object], **kwargs: object) -> HttpResponse:
        return HttpResponse(",".join(p.id for p in context["object_list"]))  # type: ignore[attr-defined]


urlpatterns = [
    path("adults/", adults),
    path("adults-async/", adults_async),
    path("adult-list/", AdultList.as_view()),
]
