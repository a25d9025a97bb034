"""The directory's HTML pages."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.UserList.as_view(), name="user-list"),
    path("people/new/", views.UserCreate.as_view(), name="user-create"),
    path("people/<str:pk>/", views.UserDetail.as_view(), name="user-detail"),
    path("people/<str:pk>/edit/", views.UserUpdate.as_view(), name="user-update"),
    path("people/<str:pk>/delete/", views.UserDelete.as_view(), name="user-delete"),
    path("live/", views.LiveAudit.as_view(), name="live"),
    path("live/events/", views.audit_events, name="live-events"),
]
