"""The Django admin over Onyx tables (``onyx_django.admin.OnyxModelAdmin``), beside Django's own
users and groups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from onyx_django.admin import OnyxModelAdmin, OnyxRelationInline

from .models import AuditLog, Role, User


class RoleAssignmentInline(OnyxRelationInline):
    """The user's roles, edited on the user's page: saved with the user in one cascade
    request (``User.userRoles`` is declared with its cascade)."""

    relation = "userRoles"
    editable = True
    fields = ["roleId"]  # the id is generated, userId comes from the user
    verbose_name_plural = "roles"

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest | None, **kwargs: Any
    ) -> Any:
        if db_field.name == "roleId":
            roles = [(role.id, role.name) for role in Role.onyx.order_by("name")]
            return forms.ChoiceField(label="Role", choices=[("", "---------"), *roles])
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(OnyxModelAdmin):
    list_display = ["username", "email", "isActive", "createdAt"]
    search_fields = ["username", "email"]
    list_filter = ["isActive", "createdAt"]
    ordering = ["username"]
    fields = ["id", "username", "email", "isActive"]
    inlines = [RoleAssignmentInline]


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
