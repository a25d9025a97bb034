"""Stock Django generic views, ModelForm, DRF and django-filter on an ``OnyxModel``, through
Django's test client against Onyx Local (see ``onyx_django_modelapp``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from onyx_database.local import LocalServer


def _profile(pk: str) -> Any:
    from onyx_django_modelapp import Profile

    return Profile.onyx.filter(pk=pk).first()


# -- generic views --------------------------------------------------------------------------


def test_list_view_default_template_context_and_pagination(app: Client) -> None:
    first = app.get("/people/")
    second = app.get("/people/?page=3")
    assert first.status_code == 200
    assert first.content.decode() == "p1,p2,|page=1/3"
    assert second.content.decode() == "p5,|page=3/3"


def test_detail_view_default_template_and_context_name(app: Client) -> None:
    response = app.get("/people/p3/")
    assert response.status_code == 200
    assert response.content.decode() == "Grace Hopper"
    assert app.get("/people/nobody/").status_code == 404


def test_get_object_or_404(app: Client) -> None:
    assert app.get("/people/p2/name/").content.decode() == "Alan Turing"
    assert app.get("/people/zz/name/").status_code == 404
    assert app.get("/adults/?min=40").content.decode() == "p2,p3"
    assert app.get("/adults/?min=200").status_code == 404


def test_create_view_saves_and_redirects_to_absolute_url(app: Client) -> None:
    response = app.post(
        "/people/new/", {"id": "p9", "firstName": "Barbara", "lastName": "Liskov", "age": "84"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/people/p9/"
    created = _profile("p9")
    assert (created.firstName, created.age, created.userId) == ("Barbara", 84, "u0")


def _shows_form_errors(app: Client, url: str, data: dict[str, str], *expected: str) -> None:
    """Posting ``data`` re-renders the form (200, no redirect) with each ``expected`` text."""
    response = app.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200, body
    assert all(text in body for text in expected), body


def test_create_view_duplicate_id_is_a_form_error(app: Client) -> None:
    data = {"id": "p1", "firstName": "X", "lastName": "Y"}
    _shows_form_errors(app, "/people/new/", data, "Profile with this Id already exists.")
    assert _profile("p1").firstName == "Ada"


def test_create_view_invalid_values_are_form_errors(app: Client) -> None:
    data = {"id": "p8", "firstName": "", "age": "old"}
    _shows_form_errors(app, "/people/new/", data, '"firstName"', '"lastName"', '"age"')
    assert _profile("p8") is None


def test_update_view_changes_only_the_form_fields(app: Client) -> None:
    page = app.get("/people/p2/edit/")
    assert page.status_code == 200 and page.content.decode() == "Alan|{}"
    response = app.post("/people/p2/edit/", {"firstName": "Alan M.", "age": "42", "bio": ""})
    assert response.status_code == 302
    updated = _profile("p2")
    assert (updated.firstName, updated.age, updated.lastName) == ("Alan M.", 42, "Turing")


def test_delete_view(app: Client) -> None:
    assert app.get("/people/p4/delete/").content.decode() == "delete p4?"
    response = app.post("/people/p4/delete/")
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert _profile("p4") is None


def test_model_form_outside_views(server: LocalServer) -> None:
    from onyx_django_modelapp import Profile, ProfileForm

    form = ProfileForm(data={"id": "p7", "firstName": "Frances", "lastName": "Allen"})
    assert form.is_valid(), form.errors
    saved = form.save()
    assert isinstance(saved, Profile) and saved.pk == "p7"
    assert _profile("p7").lastName == "Allen"
    edit = ProfileForm(
        data={"id": "p7", "firstName": "Fran", "lastName": "Allen", "userId": "u7"},
        instance=saved,
    )
    assert edit.is_valid(), edit.errors
    edit.save()
    assert (_profile("p7").firstName, _profile("p7").userId) == ("Fran", "u7")
    too_long = ProfileForm(data={"id": "x" * 41, "firstName": "a", "lastName": "b"})
    assert not too_long.is_valid() and "id" in too_long.errors


# -- DRF ------------------------------------------------------------------------------------


def test_drf_model_viewset_list_is_paginated_and_ordered(app: Client) -> None:
    body = app.get("/api/profiles/").json()
    assert body["count"] == 5
    assert [p["id"] for p in body["results"]] == ["p1", "p2"]
    assert body["next"].endswith("/api/profiles/?page=2")
    assert set(body["results"][0]) == {
        "id",
        "firstName",
        "lastName",
        "age",
        "bio",
        "userId",
        "createdAt",
    }


def test_drf_crud_through_the_router(app: Client) -> None:
    created = app.post(
        "/api/profiles/",
        {"id": "p10", "firstName": "Margaret", "lastName": "Hamilton", "age": 88},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert app.get("/api/profiles/p10/").json()["firstName"] == "Margaret"
    patched = app.patch("/api/profiles/p10/", {"age": 89}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["age"] == 89
    assert _profile("p10").age == 89
    assert app.delete("/api/profiles/p10/").status_code == 204
    assert _profile("p10") is None
    assert app.get("/api/profiles/p10/").status_code == 404


def test_drf_duplicate_id_and_invalid_values_are_400(app: Client) -> None:
    duplicate = app.post(
        "/api/profiles/",
        {"id": "p1", "firstName": "X", "lastName": "Y"},
        content_type="application/json",
    )
    assert duplicate.status_code == 400
    assert duplicate.json() == {"id": ["profile with this id already exists."]}
    invalid = app.post("/api/profiles/", {"id": "p11", "age": "x"}, content_type="application/json")
    assert invalid.status_code == 400
    assert set(invalid.json()) == {"firstName", "lastName", "age"}


def test_drf_filters_search_and_ordering(app: Client) -> None:
    def ids(query: str) -> list[str]:
        return [p["id"] for p in app.get(f"/api/profiles/{query}").json()["results"]]

    assert ids("?lastName=Turing") == ["p2"]
    assert ids("?age=36") == ["p1"]
    assert ids("?search=ada") == ["p1", "p4"]
    assert ids("?search=scientist") == ["p2"]
    assert ids("?ordering=-age") == ["p3", "p2"]
    assert ids("?ordering=firstName&page=2") == ["p5", "p3"]  # Ada Alan | Edsger Grace | ada


def test_drf_stale_rows_never_served_from_a_class_level_queryset(app: Client) -> None:
    assert app.get("/api/profiles/?lastName=Knuth").json()["count"] == 0
    from onyx_django_modelapp import Profile

    Profile(id="p12", firstName="Donald", lastName="Knuth").save()
    assert app.get("/api/profiles/?lastName=Knuth").json()["count"] == 1


def test_drf_limit_offset_and_cursor_pagination(app: Client) -> None:
    page = app.get("/api-lo/?limit=2&offset=3").json()
    assert page["count"] == 5 and [p["id"] for p in page["results"]] == ["p4", "p5"]
    first = app.get("/api-cursor/").json()
    assert [p["age"] for p in first["results"]] == [20, 36]
    second = app.get(first["next"]).json()
    assert [p["age"] for p in second["results"]] == [41, 85]
    assert second["next"] is None


def test_drf_generic_retrieve_update_destroy(app: Client) -> None:
    assert app.get("/api-one/p5/").json()["lastName"] == "Dijkstra"
    put = app.put(
        "/api-one/p5/",
        {"id": "p5", "firstName": "Edsger W.", "lastName": "Dijkstra"},
        content_type="application/json",
    )
    assert put.status_code == 200, put.content
    assert _profile("p5").firstName == "Edsger W."


# -- django-filter --------------------------------------------------------------------------


def test_django_filter_filterset(app: Client) -> None:
    assert app.get("/filtered/?lastName=Hopper").content.decode() == "p3"
    assert app.get("/filtered/?name=ad").content.decode() == "p1,p4"
    assert app.get("/filtered/?min_age=40").content.decode() == "p2,p3"
    assert app.get("/filtered/?min_age=40&name=g").content.decode() == "p3"
    assert app.get("/filtered/?age=abc").status_code == 400


# -- write refusals (onyx_django.forms / onyx_django.views) ----------------------------------


def test_a_409_at_save_is_a_form_error_with_the_mixin(app: Client) -> None:
    """A record with the same id appears between validation and the write (a concurrent
    writer, here a pre_save receiver): the form is re-rendered with the id error."""
    from django.db.models.signals import pre_save
    from onyx_django_modelapp import Profile

    from onyx_django import connections

    def concurrent_writer(sender: Any, instance: Any, **kwargs: Any) -> None:
        connections.pool().save(
            "UserProfile",
            {
                "id": instance.pk,
                "firstName": "Other",
                "lastName": "Writer",
                "userId": "u",
                "createdAt": "2026-01-01T00:00:00Z",
            },
        )

    pre_save.connect(concurrent_writer, sender=Profile, weak=False)
    try:
        data = {"id": "r1", "firstName": "Me", "lastName": "Too"}
        _shows_form_errors(app, "/guarded/new/", data, "Profile with this Id already exists.")
    finally:
        pre_save.disconnect(concurrent_writer, sender=Profile)
    assert _profile("r1").firstName == "Other"


def test_a_server_refusal_at_save_is_a_form_error_with_the_mixin(app: Client) -> None:
    data = {"id": "r2", "firstName": "Only", "lastName": ""}
    _shows_form_errors(app, "/loose/new/", data, "The record was refused", '"lastName"')
    assert _profile("r2") is None


def test_onyx_modelform_factory_and_save_error(server: LocalServer) -> None:
    from django.db import IntegrityError
    from onyx_django_modelapp import Profile

    from onyx_django.forms import OnyxModelForm, modelform_factory

    form_class = modelform_factory(Profile, fields=["id", "firstName", "lastName"])
    assert issubclass(form_class, OnyxModelForm)
    form = form_class(data={"id": "p1", "firstName": "A", "lastName": "B"})
    assert not form.is_valid() and "id" in form.errors  # validate_unique caught it
    form = form_class(data={"id": "r3", "firstName": "A", "lastName": "B"})
    assert form.is_valid()
    Profile(id="r3", firstName="First", lastName="Writer").save()  # meanwhile
    with pytest.raises(IntegrityError):
        form.save()
    assert form.errors == {"id": ["Profile with this Id already exists."]}
    assert _profile("r3").firstName == "First"


def test_drf_options_metadata_describes_the_fields(app: Client) -> None:
    actions = app.options("/api/profiles/").json()["actions"]["POST"]
    assert actions["firstName"]["type"] == "string" and actions["firstName"]["required"]
    assert actions["age"]["type"] == "integer" and not actions["age"]["required"]
    assert actions["createdAt"]["type"] == "datetime" and actions["id"]["max_length"] == 40


def test_views_and_drf_send_model_signals_once(app: Client) -> None:
    from django.db.models.signals import post_delete, post_save
    from onyx_django_modelapp import Profile

    seen: list[tuple[str, Any, Any]] = []

    def saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append(("save", instance.pk, created))

    def deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(("delete", kwargs["origin"] is instance, None))

    post_save.connect(saved, sender=Profile, weak=False)
    post_delete.connect(deleted, sender=Profile, weak=False)
    try:
        app.post("/people/new/", {"id": "s1", "firstName": "Sig", "lastName": "Nal"})
        app.post("/people/s1/edit/", {"firstName": "Sig2", "age": "3", "bio": ""})
        app.post(
            "/api/profiles/",
            {"id": "s2", "firstName": "Api", "lastName": "Post"},
            content_type="application/json",
        )
        app.patch("/api/profiles/s2/", {"age": 5}, content_type="application/json")
        app.delete("/api/profiles/s2/")
        app.post("/people/s1/delete/")
    finally:
        post_save.disconnect(saved, sender=Profile)
        post_delete.disconnect(deleted, sender=Profile)
    assert seen == [
        ("save", "s1", True),
        ("save", "s1", False),
        ("save", "s2", True),
        ("save", "s2", False),
        ("delete", True, None),
        ("delete", True, None),
    ]


def test_drf_hyperlinked_model_serializer(app: Client) -> None:
    from onyx_django_modelapp import Profile
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    class Linked(serializers.HyperlinkedModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Profile
            fields = ["url", "id", "firstName"]

    request = APIRequestFactory().get("/api/profiles/")
    data = Linked(Profile.onyx.get(pk="p1"), context={"request": request}).data
    assert data == {"url": "http://testserver/api/profiles/p1/", "id": "p1", "firstName": "Ada"}
