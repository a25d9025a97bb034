"""The JSON API: Django REST framework's stock router, viewsets, pagination and filters."""

from __future__ import annotations

from django.urls import include, path
from rest_framework import routers, serializers, viewsets

from .filters import UserFilter
from .models import AuditLog, Role, User


class UserSerializer(serializers.ModelSerializer):
    email = serializers.EmailField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "isActive", "createdAt", "updatedAt"]
        read_only_fields = ["createdAt", "updatedAt"]


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name", "description", "isSystem"]


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = ["id", "action", "resource", "targetId", "status", "changes", "dateTime"]


class UserViewSet(viewsets.ModelViewSet):
    """Members: ``?q=`` searches username and email, ``?isActive=`` / ``?role=`` filter,
    ``?ordering=-createdAt`` sorts, ``?page=`` pages."""

    queryset = User.onyx.all()
    serializer_class = UserSerializer
    filterset_class = UserFilter
    search_fields = ["username", "email"]
    ordering_fields = ["username", "createdAt"]
    ordering = ["username"]


class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Role.onyx.all()
    serializer_class = RoleSerializer
    ordering = ["name"]


class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditLog.onyx.all()
    serializer_class = AuditLogSerializer
    filterset_fields = ["action", "targetId"]
    ordering = ["-dateTime"]


router = routers.DefaultRouter()
router.register("users", UserViewSet)
router.register("roles", RoleViewSet)
router.register("audit", AuditLogViewSet)

urlpatterns = [path("", include(router.urls))]
