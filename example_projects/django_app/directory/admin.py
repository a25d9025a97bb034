"""The Django admin over Onyx tables (``onyx_django.admin.OnyxModelAdmin``), beside Django's own
users and groups."""

from __future__ import annotations

from django.contrib import admin

from onyx_django.admin import OnyxModelAdmin

from .models import AuditLog, Role, User


@admin.register(User)
class UserAdmin(OnyxModelAdmin):
    list_display = ["username", "email", "isActive", "createdAt"]
    search_fields = ["username", "email"]
    list_filter = ["isActive", "createdAt"]
    ordering = ["username"]
    fields = ["id", "username", "email", "isActive"]


@admin.register(Role)
class RoleAdmin(OnyxModelAdmin):
    list_display = ["name", "description", "isSystem"]
    search_fields = ["name"]
    ordering = ["name"]
    fields = ["id", "name", "description", "isSystem"]


@admin.register(AuditLog)
class AuditLogAdmin(OnyxModelAdmin):
    list_display = ["dateTime", "action", "resource", "targetId", "status"]
    search_fields = ["action", "targetId"]
    ordering = ["-dateTime"]
    readonly_fields = ["changes"]
