"""The stock Django admin on Onyx models (``onyx_django.admin.OnyxModelAdmin``), driven through
Django's test client against Onyx Local; users, sessions, permissions and ``LogEntry`` rows live
in the SQL test database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.db.models.signals import pre_save
from django.test import Client
from onyx_django_admin_app import Assignment, Event, Staff

from onyx_database import record_requests
from onyx_django import NotSupportedError, connections
from onyx_django.admin import OnyxModelAdmin, ensure_permissions

pytestmark = [pytest.mark.urls("onyx_django_admin_urls"), pytest.mark.django_db]

T0 = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = "/admin/backoffice/event/"


@pytest.fixture
def events(django_onyx: Any) -> list[Event]:
    Event.onyx.all().delete()
    Staff.onyx.all().delete()
    rows = [
        Event(
            id=f"e{i}",
            action=f"action{i}",
            resource=f"doc{i}@example.org",
            status="ok" if i % 2 == 0 else "failed",
            dateTime=T0,
        )
        for i in range(5)
    ]
    for row in rows:
        row.save(force_insert=True)
    return rows


@pytest.fixture
def root(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def listed(response: Any) -> list[str]:
    return [obj.pk for obj in response.context["cl"].result_list]


def test_admin_system_checks_pass_for_onyx_models() -> None:
    errors = [m for m in run_checks(tags=["admin"]) if m.is_serious()]
    assert errors == []
    assert admin.site.is_registered(Event) and admin.site.is_registered(Staff)


def test_index_shows_onyx_models_beside_sql_models(root: Client) -> None:
    page = root.get("/admin/").content.decode()
    assert "Back office" in page and 'href="/admin/backoffice/event/"' in page
    assert 'href="/admin/auth/user/"' in page


def test_changelist_pages_with_limit_and_skip(root: Client, events: list[Event]) -> None:
    response = root.get(EVENTS, {"p": "2"})
    assert response.status_code == 200
    assert listed(response) == ["e2", "e3"]  # ordering = ["action"], 2 per page
    query = response.context["cl"].result_list.query
    assert (query.low_mark, query.high_mark) == (2, 4)  # the slice [2:4]: limit 4, not all
    assert response.context["cl"].result_count == 5
    assert "action2" in response.content.decode() and "action0" not in response.content.decode()


def test_deep_page_sends_ids_then_the_page(root: Client, django_onyx: Any) -> None:
    Event.onyx.all().delete()
    rows = [{"id": f"d{i:03}", "action": f"a{i:03}", "dateTime": T0} for i in range(105)]
    connections.pool().batch_save("AuditLog", rows)
    django_onyx.reset_request_counts()
    response = root.get(EVENTS, {"p": "53"})  # records 104..105 of 105: skips 104 > SKIP_INLINE
    # Onyx has no offset: one id-only query up to the page's end, one query for the page
    assert django_onyx.request_count("PUT", "/data/{db}/query/AuditLog") == 2
    assert "/admin/backoffice/event/d104/change/" in response.content.decode()
    assert "/admin/backoffice/event/d103/change/" not in response.content.decode()


def test_search_sends_icontains(root: Client, events: list[Event]) -> None:
    assert listed(root.get(EVENTS, {"q": "ACTION3"})) == ["e3"]
    assert listed(root.get(EVENTS, {"q": "doc4@EXAMPLE"})) == ["e4"]
    assert listed(root.get(EVENTS, {"q": "nobody"})) == []


def test_boolean_and_choices_filters(root: Client, events: list[Event]) -> None:
    response = root.get(EVENTS, {"status__exact": "failed", "all": ""})
    assert sorted(listed(response)) == ["e1", "e3"]
    assert "status__exact=ok" in response.content.decode()  # the choices, as filter links
    for i, name in enumerate(["admin", "editor", "editor"]):
        Staff(id=f"s{i}", name=name, isSystem=i == 0, createdAt=T0, updatedAt=T0).save()
    response = root.get("/admin/backoffice/staff/", {"name__exact": "editor"})
    assert listed(response) == ["s1", "s2"]
    response = root.get("/admin/backoffice/staff/", {"isSystem__exact": "1"})
    assert listed(response) == ["s0"]


def test_date_filter(root: Client, events: list[Event]) -> None:
    Event(id="e8", action="later", dateTime=datetime(2026, 3, 1, tzinfo=UTC)).save()
    span = {"dateTime__gte": "2026-02-01", "dateTime__lt": "2026-04-01"}
    assert listed(root.get(EVENTS, span)) == ["e8"]
    assert "Past 7 days" in root.get(EVENTS).content.decode()  # the date filter is offered


def test_full_text_search(root: Client, django_onyx: Any) -> None:
    Staff.onyx.all().delete()
    Staff(id="s1", name="editor", description="writes the release notes", createdAt=T0,
          updatedAt=T0).save()  # fmt: skip
    Staff(id="s2", name="viewer", description="reads dashboards", createdAt=T0,
          updatedAt=T0).save()  # fmt: skip
    assert listed(root.get("/admin/backoffice/staff/", {"q": "release"})) == ["s1"]
    assert listed(root.get("/admin/backoffice/staff/", {"q": "dashboards"})) == ["s2"]
    # Lucene syntax, which icontains on each word would not match at all
    assert listed(root.get("/admin/backoffice/staff/", {"q": "release OR dashboards"})) == [
        "s1",
        "s2",
    ]


def test_resolvers_in_list_display(root: Client, django_onyx: Any) -> None:
    Staff.onyx.all().delete()
    db = connections.pool()
    Staff(id="s1", name="admin", createdAt=T0, updatedAt=T0).save()
    Staff(id="s2", name="viewer", createdAt=T0, updatedAt=T0).save()
    db.save("Permission", {"id": "pm1", "name": "purge", "createdAt": T0, "updatedAt": T0})
    db.save("RolePermission", {"id": "rp1", "roleId": "s1", "permissionId": "pm1",
                               "createdAt": T0})  # fmt: skip
    django_onyx.reset_request_counts()
    page = root.get("/admin/backoffice/staff/").content.decode()
    assert django_onyx.request_count("PUT", "/data/{db}/query/Role") == 1
    assert '<td class="field-grants">purge</td>' in page
    assert '<td class="field-grants">-</td>' in page


def test_ordering_by_column(root: Client, events: list[Event]) -> None:
    # list_display = id, action, resource, status: "-2" is action descending
    assert listed(root.get(EVENTS, {"o": "-2", "all": ""})) == ["e4", "e3", "e2", "e1", "e0"]


def test_add_saves_to_onyx_and_logs_in_sql(root: Client, events: list[Event]) -> None:
    data = {"id": "e9", "action": "login", "resource": "site", "status": "ok"}
    data |= {"dateTime_0": "2026-01-01", "dateTime_1": "00:00:00"}
    response = root.post(f"{EVENTS}add/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Event.onyx.get(pk="e9").action == "login"
    entry = LogEntry.objects.get(object_id="e9")
    assert entry.action_flag == ADDITION and entry.content_type.app_label == "backoffice"
    recent = root.get("/admin/").content.decode()  # the index's "Recent actions"
    assert 'href="/admin/backoffice/event/e9/change/"' in recent


def test_lookup_onyx_cannot_express_is_a_bad_lookup(root: Client, events: list[Event]) -> None:
    response = root.get(EVENTS, {"dateTime__year": "2026"})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_add_shows_validation_errors_in_the_form(root: Client, events: list[Event]) -> None:
    response = root.post(f"{EVENTS}add/", {"id": "e0", "resource": "dup"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "action" in errors  # required
    assert "already exists" in str(errors["id"])  # duplicate id, checked before any write
    assert Event.onyx.get(pk="e0").resource == "doc0@example.org"


def test_write_refused_by_onyx_is_a_form_error(root: Client, django_onyx: Any) -> None:
    response = root.post("/admin/backoffice/roledraft/add/", {"id": "r1", "name": "x"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "The record was refused" in str(errors) and "createdAt" in str(errors)
    assert not LogEntry.objects.filter(object_id="r1").exists()


def test_write_conflict_409_is_a_form_error(root: Client, events: list[Event]) -> None:
    def concurrent_writer(sender: Any, instance: Event, **kwargs: Any) -> None:
        # another client creates the same id between the form's validation and the write
        connections.pool().save("AuditLog", {"id": instance.pk, "action": "first", "dateTime": T0})

    pre_save.connect(concurrent_writer, sender=Event)
    try:
        data = {"id": "e7", "action": "second", "dateTime_0": "2026-01-01", "dateTime_1": "0:00"}
        response = root.post(f"{EVENTS}add/", data)
    finally:
        pre_save.disconnect(concurrent_writer, sender=Event)
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["id"])
    assert Event.onyx.get(pk="e7").action == "first"  # not replaced
    assert not LogEntry.objects.filter(object_id="e7").exists()


def test_change_updates_the_record(root: Client, events: list[Event]) -> None:
    page = root.get(f"{EVENTS}e1/change/")
    assert page.status_code == 200 and 'value="action1"' in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data.pop("dateTime")
    data |= {"action": "renamed", "status": "ok", "dateTime_0": "2026-01-02", "dateTime_1": "10:00"}
    response = root.post(f"{EVENTS}e1/change/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    changed = Event.onyx.get(pk="e1")
    assert (changed.action, changed.status) == ("renamed", "ok")
    # the form's 10:00 is in settings.TIME_ZONE (Django's default, America/Chicago)
    assert changed.dateTime == datetime(2026, 1, 2, 16, tzinfo=UTC)
    assert LogEntry.objects.get(object_id="e1").action_flag == CHANGE
    history = root.get(f"{EVENTS}e1/history/").content.decode()
    assert "Changed Action, Status and Date time" in history


def test_custom_action_and_read_only_fields(
    root: Client, events: list[Event], django_onyx: Any
) -> None:
    chosen = {"action": "mark_ok", "_selected_action": ["e1", "e2"]}
    django_onyx.reset_request_counts()
    response = root.post(EVENTS, chosen, follow=True)
    assert django_onyx.request_count("PUT", "/data/{db}/query/update/AuditLog") == 1
    assert "2 marked ok" in response.content.decode()
    assert {e.pk: e.status for e in Event.onyx.all()}["e1"] == "ok"
    assert Event.onyx.filter(status="failed").count() == 1  # e3 only
    Staff(id="s9", name="viewer", isSystem=True, createdAt=T0, updatedAt=T0).save()
    page = root.get("/admin/backoffice/staff/s9/change/")
    assert "isSystem" not in page.context["adminform"].form.fields  # readonly_fields
    assert 'class="readonly"' in page.content.decode()


def test_delete_view(root: Client, events: list[Event]) -> None:
    confirm = root.get(f"{EVENTS}e2/delete/")
    assert confirm.status_code == 200 and "action2" in confirm.content.decode()
    response = root.post(f"{EVENTS}e2/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Event.onyx.filter(pk="e2").exists()
    assert LogEntry.objects.get(object_id="e2").action_flag == DELETION


def test_bulk_delete_action(root: Client, events: list[Event], django_onyx: Any) -> None:
    events_server = django_onyx
    selected = {"action": "delete_selected", "_selected_action": ["e1", "e3"]}
    confirm = root.post(EVENTS, selected)
    assert confirm.status_code == 200 and "action3" in confirm.content.decode()
    events_server.reset_request_counts()
    response = root.post(EVENTS, {**selected, "post": "yes"})
    assert response.status_code == 302
    assert events_server.request_count("PUT", "/data/{db}/query/delete/AuditLog") == 1
    assert sorted(m.pk for m in Event.onyx.all()) == ["e0", "e2", "e4"]
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 2


def test_permissions_for_a_non_superuser(client: Client, events: list[Event]) -> None:
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(EVENTS).status_code == 403
    perms = {p.codename: p for p in ensure_permissions(Event)}
    assert set(perms) == {"add_event", "change_event", "delete_event", "view_event"}
    clerk.user_permissions.add(perms["view_event"])
    assert client.get(EVENTS).status_code == 200
    assert 'href="/admin/backoffice/event/"' in client.get("/admin/").content.decode()
    assert "/admin/backoffice/staff/" not in client.get("/admin/").content.decode()
    assert client.get(f"{EVENTS}add/").status_code == 403
    assert client.post(f"{EVENTS}e0/delete/", {"post": "yes"}).status_code == 403
    view = client.get(f"{EVENTS}e0/change/")
    assert view.status_code == 200 and "Save" not in view.content.decode()  # read-only
    clerk.user_permissions.add(perms["delete_event"])
    clerk = User.objects.get(pk=clerk.pk)  # fresh permission cache
    client.force_login(clerk)
    assert client.post(f"{EVENTS}e0/delete/", {"post": "yes"}).status_code == 302
    assert not Event.onyx.filter(pk="e0").exists()


def test_permissions_exist_after_migrate() -> None:
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__app_label="backoffice").values_list(
            "codename", flat=True
        )
    )
    assert {"view_event", "change_staff", "add_roledraft"} <= codenames


@pytest.mark.parametrize("option", ["raw_id_fields", "inlines", "list_select_related"])
def test_unsupported_options_raise_at_registration(option: str) -> None:
    value: Any = {"list_select_related": True}.get(option, ["x"])
    admin_class = type("BadAdmin", (OnyxModelAdmin,), {option: value})
    with pytest.raises(NotSupportedError, match=option):
        admin_class(Event, admin.AdminSite(name="scratch"))


# -- date_hierarchy: years, then months, then days, each a list of ranges ----------------------


def test_date_hierarchy_drills_down_by_ranges(root: Client, django_onyx: Any) -> None:
    Event.onyx.all().delete()
    stamps = {
        "h1": datetime(2025, 12, 30, 23, tzinfo=UTC),
        "h2": datetime(2026, 1, 5, tzinfo=UTC),
        "h3": datetime(2026, 3, 1, 8, tzinfo=UTC),
        "h4": datetime(2026, 3, 15, 12, tzinfo=UTC),  # days are in TIME_ZONE (Chicago)
        "h5": datetime(2026, 3, 15, 18, tzinfo=UTC),
    }
    for pk, stamp in stamps.items():
        Event(id=pk, action=pk, dateTime=stamp).save()
    with record_requests() as recorded:
        page = root.get("/dated/backoffice/event/")
    body = page.content.decode()
    assert listed(page) == ["h1", "h2", "h3", "h4", "h5"]
    assert "?dateTime__year=2025" in body and "?dateTime__year=2026" in body
    # the page (5 records), Min and Max (1 each), then the years: one single-record query
    # per year found, plus one that finds none
    queries = [r.records for r in recorded if r.path == "/data/{db}/query/AuditLog"]
    assert queries == [5, 1, 1, 1, 1, 0]
    year = root.get("/dated/backoffice/event/", {"dateTime__year": "2026"})
    assert listed(year) == ["h2", "h3", "h4", "h5"]
    assert "dateTime__month=1" in year.content.decode()
    assert "dateTime__month=3" in year.content.decode()
    assert "dateTime__month=2" not in year.content.decode()
    month = root.get("/dated/backoffice/event/", {"dateTime__year": "2026", "dateTime__month": "3"})
    assert listed(month) == ["h3", "h4", "h5"]
    days = month.context["cl"].queryset.datetimes("dateTime", "day")
    assert [d.day for d in days] == [1, 15]
    day = root.get(
        "/dated/backoffice/event/",
        {"dateTime__year": "2026", "dateTime__month": "3", "dateTime__day": "15"},
    )
    assert listed(day) == ["h4", "h5"]


def test_dates_lists_distinct_periods(django_onyx: Any) -> None:
    Event.onyx.all().delete()
    noon = {"a": (2024, 2, 29), "b": (2026, 2, 1), "c": (2026, 2, 28)}  # same day in Chicago
    for pk, (y, m, d) in noon.items():
        stamp = datetime(y, m, d, 12, tzinfo=UTC)
        Event(id=pk, action=pk, dateTime=stamp).save()
    from datetime import date

    assert Event.onyx.dates("dateTime", "year") == [date(2024, 1, 1), date(2026, 1, 1)]
    months = Event.onyx.dates("dateTime", "month", order="DESC")
    assert months == [date(2026, 2, 1), date(2024, 2, 1)]
    assert Event.onyx.filter(action__in=["b", "c"]).dates("dateTime", "day") == [
        date(2026, 2, 1),
        date(2026, 2, 28),
    ]
    assert Event.onyx.none().dates("dateTime", "year") == []


# -- read-only inlines of resolver relations ---------------------------------------------------


@pytest.fixture
def assignments(django_onyx: Any) -> None:
    Staff.onyx.all().delete()
    Assignment.onyx.all().delete()
    Staff(id="s1", name="editor", createdAt=T0, updatedAt=T0).save()
    Assignment(id="a1", userId="u1", roleId="s1").save()


def test_a_resolver_is_a_read_only_inline(root: Client, assignments: None) -> None:
    page = root.get("/admin/backoffice/assignment/a1/change/")
    body = page.content.decode()
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    contents = [
        field.contents()
        for form in inline
        for fieldset in form
        for line in fieldset
        for field in line
    ]
    assert contents[:2] == ["s1", "editor"] and 'alt="False"' in contents[2]
    assert 'name="role-MAX_NUM_FORMS" value="0"' in body  # nothing to add
    assert "Staff object (s1)" in body  # readonly_fields = ["role"]
    # a save (without the inline's management form) writes the parent only
    data = {"id": "a1", "userId": "u2", "roleId": "s1"}
    saved = root.post("/admin/backoffice/assignment/a1/change/", data)
    assert saved.status_code == 302
    assert Assignment.onyx.get(pk="a1").userId == "u2"
    assert Staff.onyx.get(pk="s1").name == "editor"
    assert root.get("/admin/backoffice/assignment/add/").status_code == 200  # no parent yet


def test_a_non_superuser_with_view_permission_sees_the_inline(
    client: Client, assignments: None
) -> None:
    viewer = User.objects.create_user("viewer", "viewer@example.org", "pw", is_staff=True)
    perms = {p.codename: p for p in ensure_permissions(Assignment)}
    viewer.user_permissions.add(perms["view_assignment"])
    client.force_login(viewer)
    page = client.get("/admin/backoffice/assignment/a1/change/")
    assert page.status_code == 200 and len(page.context["inline_admin_formsets"]) == 1
    assert "editor" in page.content.decode()


def test_an_inline_must_name_a_resolver_with_a_model() -> None:
    from onyx_django.admin import OnyxRelationInline

    class Loose(OnyxRelationInline):
        relation = "permissions"  # list[dict]: no model to show

    admin_class = type("StaffWithInline", (OnyxModelAdmin,), {"inlines": [Loose]})
    with pytest.raises(NotSupportedError, match="annotated with its model"):
        admin_class(Staff, admin.AdminSite(name="scratch")).get_inline_instances(None)  # type: ignore[arg-type]
