"""URLs: the directory pages, its JSON API under ``api/`` and the Django admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("directory.api")),
    path("", include("directory.urls")),
]
