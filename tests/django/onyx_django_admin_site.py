"""Admin registrations of the ``backoffice`` test app, both spellings: ``admin.site.register``
and ``@admin.register``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from onyx_django_admin_app import Assignment, Event, RoleDraft, Staff, Team, TeamDraft

from onyx_django.admin import OnyxModelAdmin, OnyxRelationInline


@admin.action(description="Mark as ok", permissions=["change"])
def mark_ok(modeladmin: OnyxModelAdmin, request: HttpRequest, queryset: Any) -> None:
    modeladmin.message_user(request, f"{queryset.update(status='ok')} marked ok")


class EventAdmin(OnyxModelAdmin):
    actions = [mark_ok]
    list_display = ["id", "action", "resource", "status"]
    search_fields = ["action", "resource"]
    list_filter = ["status", "dateTime"]
    ordering = ["action"]
    list_per_page = 2


admin.site.register(Event, EventAdmin)


@admin.register(Staff)
class StaffAdmin(OnyxModelAdmin):
    list_display = ["id", "name", "isSystem", "grants"]
    list_select_related = ["permissions"]  # an Onyx resolver, fetched in the same request
    exclude = ["permissions"]

    @admin.display(description="Grants")
    def grants(self, obj: Staff) -> str:
        return ", ".join(sorted(p["name"] for p in obj.permissions or [])) or "-"

    list_filter = ["name", "isSystem"]
    search_fields = ["name", "description"]
    full_text_search = True
    readonly_fields = ["isSystem"]


class DatedEventAdmin(OnyxModelAdmin):
    date_hierarchy = "dateTime"
    list_display = ["id", "action", "dateTime"]
    ordering = ["id"]


#: A second site, mounted at /dated/: Event with a date hierarchy.
dated_site = admin.AdminSite(name="dated")
dated_site.register(Event, DatedEventAdmin)


@admin.register(RoleDraft)
class RoleDraftAdmin(OnyxModelAdmin):
    fields = ["id", "name"]


class RoleInline(OnyxRelationInline):
    relation = "role"
    fields = ["id", "name", "isSystem"]


@admin.register(Assignment)
class AssignmentAdmin(OnyxModelAdmin):
    list_display = ["id", "userId", "roleId"]
    readonly_fields = ["role"]  # the resolver, as text
    inlines = [RoleInline]


class GrantInline(OnyxRelationInline):
    relation = "rolePermissions"
    editable = True
    fields = ["id", "permissionId"]


@admin.register(Team)
class TeamAdmin(OnyxModelAdmin):
    list_display = ["id", "name"]
    fields = ["id", "name", "description", "isSystem"]
    inlines = [GrantInline]


class GrantDraftInline(OnyxRelationInline):
    relation = "rolePermissions"
    editable = True
    fields = ["id", "permissionId"]


@admin.register(TeamDraft)
class TeamDraftAdmin(OnyxModelAdmin):
    fields = ["id", "name"]
    inlines = [GrantDraftInline]
