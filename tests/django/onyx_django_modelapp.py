"""An app written as for Django models, on :class:`OnyxModel`: stock generic views, a stock
``ModelForm``, DRF (ModelSerializer, ModelViewSet, router, pagination, filters) and django-filter.

Nothing here knows that the model is not a Django model; only the model class is Onyx's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django_filters
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_list_or_404, get_object_or_404
from django.urls import include, path
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django_filters.rest_framework import DjangoFilterBackend
from onyx_django_people import Profile, _now
from pydantic import Field
from rest_framework import generics, pagination, routers, serializers, viewsets
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import AllowAny

from onyx_django.models import OnyxModel
from onyx_django.views import OnyxCursorPaginationMixin, OnyxFormMixin

# -- stock Django views ---------------------------------------------------------------------


class ProfileList(ListView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]
    paginate_by = 2


class ProfileDetail(DetailView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]


class ProfileCreate(CreateView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]
    fields = ["id", "firstName", "lastName", "age"]


class ProfileUpdate(UpdateView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]
    fields = ["firstName", "age", "bio"]


class ProfileDelete(DeleteView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]
    success_url = "/people/"


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Profile
        fields = "__all__"


def adults(request: HttpRequest) -> HttpResponse:
    found = get_list_or_404(Profile, age__gte=int(request.GET["min"]))
    return HttpResponse(",".join(sorted(p.id for p in found)))


def profile_name(request: HttpRequest, pk: str) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)  # type: ignore[arg-type,var-annotated]
    return HttpResponse(f"{profile.firstName} {profile.lastName}")


# -- DRF ------------------------------------------------------------------------------------


class ProfileSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Profile
        fields = "__all__"


class SmallPages(pagination.PageNumberPagination):
    page_size = 2


class ProfileViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    queryset = Profile.onyx.all()
    serializer_class = ProfileSerializer
    pagination_class = SmallPages
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["lastName", "age"]
    search_fields = ["firstName", "bio"]
    ordering_fields = ["age", "firstName", "id"]
    ordering = ["id"]


class ProfileLimitOffset(generics.ListAPIView):  # type: ignore[type-arg]
    queryset = Profile.onyx.order_by("id")
    serializer_class = ProfileSerializer
    pagination_class = pagination.LimitOffsetPagination
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class AgeCursor(pagination.CursorPagination):
    page_size = 2
    ordering = "age"


class ProfileCursor(generics.ListAPIView):  # type: ignore[type-arg]
    queryset = Profile.onyx.filter(age__isnull=False)
    serializer_class = ProfileSerializer
    pagination_class = AgeCursor
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class ProfileRetrieve(generics.RetrieveUpdateDestroyAPIView):  # type: ignore[type-arg]
    queryset = Profile.onyx.all()
    serializer_class = ProfileSerializer
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


# -- django-filter --------------------------------------------------------------------------


class ProfileFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="firstName", lookup_expr="istartswith")
    min_age = django_filters.NumberFilter(field_name="age", lookup_expr="gte")

    class Meta:
        model = Profile
        fields = ["lastName", "age"]


def filtered(request: HttpRequest) -> HttpResponse:
    filterset = ProfileFilter(request.GET)
    if not filterset.is_valid():
        return HttpResponse(str(filterset.errors), status=400)
    return HttpResponse(",".join(p.id for p in filterset.qs))


router = routers.DefaultRouter()
router.register("profiles", ProfileViewSet)

urlpatterns = [
    path("people/", ProfileList.as_view(), name="person-list"),
    path("people/new/", ProfileCreate.as_view(), name="person-create"),
    path("people/<str:pk>/", ProfileDetail.as_view(), name="person-detail"),
    path("people/<str:pk>/edit/", ProfileUpdate.as_view(), name="person-update"),
    path("people/<str:pk>/delete/", ProfileDelete.as_view(), name="person-delete"),
    path("people/<str:pk>/name/", profile_name),
    path("filtered/", filtered),
    path("adults/", adults),
    path("api/", include(router.urls)),
    path("api-lo/", ProfileLimitOffset.as_view()),
    path("api-cursor/", ProfileCursor.as_view()),
    path("api-one/<str:pk>/", ProfileRetrieve.as_view()),
]

TEMPLATES = {
    "people/profile_cursor.html": (
        "{% for p in profile_list %}{{ p.id }},{% endfor %}"
        "|next={{ page_obj.next_cursor|default:''|urlencode }}"
    ),
    "people/profile_list.html": (
        "{% for p in profile_list %}{{ p.id }},{% endfor %}"
        "|page={{ page_obj.number }}/{{ paginator.num_pages }}"
    ),
    "people/profile_detail.html": "{{ profile.firstName }} {{ object.lastName }}",
    "people/profile_form.html": "{{ form.initial.firstName }}|{{ form.errors.as_json|safe }}",
    "people/profile_confirm_delete.html": "delete {{ profile.id }}?",
}


# -- onyx_django.forms / views: write refusals become form errors ----------------------------


class GuardedCreate(OnyxFormMixin, CreateView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]
    fields = ["id", "firstName", "lastName"]
    success_url = "/people/"


class LooseProfile(OnyxModel):
    """Looser than the table (which says ``lastName`` is not nullable): the server refuses."""

    id: str
    firstName: str
    lastName: str | None = None
    userId: str = "u0"
    createdAt: datetime = Field(default_factory=_now)

    class Meta:
        db_table = "UserProfile"
        app_label = "people"


class LooseCreate(OnyxFormMixin, CreateView):  # type: ignore[type-arg]
    model = LooseProfile  # type: ignore[assignment]
    fields = ["id", "firstName", "lastName"]
    success_url = "/people/"
    template_name = "people/profile_form.html"


urlpatterns += [
    path("guarded/new/", GuardedCreate.as_view()),
    path("loose/new/", LooseCreate.as_view()),
]


class CursorList(OnyxCursorPaginationMixin, ListView):  # type: ignore[type-arg]
    model = Profile  # type: ignore[assignment]
    paginate_by = 2
    template_name = "people/profile_cursor.html"


urlpatterns += [path("cursor/", CursorList.as_view())]
