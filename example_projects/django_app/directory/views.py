"""The directory's pages: Django's stock generic views over the generated Onyx models."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse_lazy
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django.views.generic.base import TemplateView

from onyx_database import ChangeBridge, gte
from onyx_django import connections
from onyx_django.views import OnyxFormMixin

from .filters import UserFilter
from .forms import UserForm
from .models import AuditLog, User

# How often an idle live page gets a comment line: a closed tab is noticed at the next write.
KEEP_ALIVE_SECONDS = 10.0


class UserList(ListView):
    model = User
    paginate_by = 10

    def get_queryset(self) -> Any:
        self.filterset = UserFilter(self.request.GET or None, queryset=User.onyx.all())
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class UserDetail(DetailView):
    model = User

    def get_queryset(self) -> Any:
        # Onyx resolvers, read in the same request as the record.
        return User.onyx.select_related("profile", "roles")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = AuditLog.onyx.filter(targetId=self.object.pk).order_by("-dateTime")[
            :10
        ]
        return context


class UserCreate(OnyxFormMixin, CreateView):
    model = User
    form_class = UserForm


class UserUpdate(OnyxFormMixin, UpdateView):
    model = User
    form_class = UserForm


class UserDelete(DeleteView):
    model = User
    success_url = reverse_lazy("user-list")


class LiveAudit(TemplateView):
    template_name = "directory/live.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entries"] = AuditLog.onyx.order_by("-dateTime")[:15]
        return context


def audit_events(request: HttpRequest) -> StreamingHttpResponse:
    """Server-sent events: one ``audit`` event per new ``AuditLog`` record, from Onyx's change
    stream (a :class:`~onyx_database.ChangeBridge`, which reconnects and re-reads on its own)."""
    response = StreamingHttpResponse(_audit_stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _audit_stream() -> Iterator[str]:
    changes: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    def deliver(action: str, record: Any) -> None:
        if action == "CREATE":
            changes.put(record)

    since = datetime.now(UTC)
    query = connections.pool("default").from_table("AuditLog").where(gte("dateTime", since))
    bridge = ChangeBridge(query, deliver).start()
    try:
        bridge.wait_connected(10)
        # The first bytes go out once the stream is subscribed: the page's EventSource "open"
        # then means no later entry can be missed.
        yield "retry: 2000\n\n"
        while bridge.is_running:
            try:
                record = changes.get(timeout=KEEP_ALIVE_SECONDS)
            except queue.Empty:
                yield ": keep-alive\n\n"
                continue
            entry = AuditLog.model_validate(record)
            yield f"event: audit\ndata: {json.dumps(_entry_json(entry))}\n\n"
    finally:
        bridge.cancel()


def _entry_json(entry: AuditLog) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "action": entry.action,
        "targetId": entry.targetId,
        "username": (entry.changes or {}).get("username"),
        "dateTime": entry.dateTime.isoformat(),
        "url": str(reverse_lazy("user-detail", args=[entry.targetId]))
        if entry.action != "DELETE" and entry.targetId
        else None,
    }
