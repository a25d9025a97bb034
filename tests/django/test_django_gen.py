"""``manage.py onyx_gen`` writes Django-style models (no subclassing needed), and the change-stream
bridge sends with the model class declared for a table."""

from __future__ import annotations

import importlib
import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import NOW
from django.core.management import call_command
from django.db import IntegrityError, models

from onyx_django import connections, listen
from onyx_django.models import OnyxModel
from onyx_django.signals import record_created

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


@pytest.fixture
def generated(tmp_path: Path, server: LocalServer) -> Iterator[Any]:
    """``manage.py onyx_gen --out <tmp>/people_gen/onyx_models`` (two tables), imported."""
    package = tmp_path / "people_gen"
    package.mkdir()
    (package / "__init__.py").write_text("")
    out = io.StringIO()
    call_command(
        "onyx_gen",
        "--source",
        "api",
        "--tables",
        "UserProfile,Role",
        "--out",
        str(package / "onyx_models"),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "Generated 2 models" in out.getvalue()
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("people_gen.onyx_models")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("people_gen")]:
            del sys.modules[name]


def test_generated_models_are_ready_to_use(generated: Any) -> None:
    profile_model = generated.UserProfile
    assert issubclass(profile_model, OnyxModel)
    source = Path(generated.__file__).with_name("models.py").read_text()
    assert "class UserProfile(OnyxModel)" in source and "onyx_django.models" in source
    opts = profile_model._meta
    assert (opts.app_label, opts.model_name, opts.db_table) == (
        "people_gen",
        "userprofile",
        "UserProfile",
    )
    kinds = {f.name: type(f) for f in opts.fields}
    assert kinds["createdAt"] is models.DateTimeField
    assert kinds["age"] is models.BigIntegerField
    assert kinds["address"] is models.JSONField
    assert opts.get_field("age").null and not opts.get_field("firstName").null

    ada = profile_model.onyx.get(pk="p1")
    assert ada.firstName == "Ada" and profile_model.objects.count() == 5
    ada.bio = "Analyst"
    ada.save(update_fields=["bio"])
    assert profile_model.onyx.get(pk="p1").bio == "Analyst"
    new = profile_model(id="g1", firstName="Gen", lastName="Erated", userId="u9", createdAt=NOW)
    new.save()
    with pytest.raises(IntegrityError):
        profile_model(id="g1", firstName="Gen", lastName="Erated", userId="u9", createdAt=NOW).save(
            force_insert=True
        )
    assert new.delete() == (1, {"people_gen.UserProfile": 1})
    with pytest.raises(profile_model.DoesNotExist):
        profile_model.onyx.get(pk="g1")


def test_generated_resolver_fields_are_not_table_fields(generated: Any) -> None:
    role = generated.Role
    assert "permissions" in role.model_fields
    relation = role._meta.get_field("permissions")  # a read-only relation field
    assert relation.is_relation and not relation.editable
    assert "permissions" not in [f.name for f in role._meta.fields]


def test_pydantic_target_is_still_available(tmp_path: Path, server: LocalServer) -> None:
    out = tmp_path / "plain"
    call_command(
        "onyx_gen",
        "--source",
        "api",
        "--target",
        "pydantic",
        "--out",
        str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    source = (out / "models.py").read_text()
    assert "class OnyxModel(BaseModel)" in source and "onyx_django" not in source


def test_stream_sender_is_the_model_declared_for_the_table(server: LocalServer) -> None:
    class Role(OnyxModel):
        id: str
        name: str

        class Meta:
            app_label = "auth_roles"

    arrived = threading.Event()
    received: list[tuple[Any, Any]] = []

    def receiver(sender: Any, record: Any, **kwargs: Any) -> None:
        received.append((sender, record))
        arrived.set()

    record_created.connect(receiver, sender=Role, weak=False)
    try:
        before = server.stream_connections
        with listen("Role"):
            _wait_subscribed(server, before)
            connections.pool().save(
                "Role",
                {
                    "id": "r1",
                    "name": "admin",
                    "isSystem": False,
                    "createdAt": NOW,
                    "updatedAt": NOW,
                },
            )
            assert arrived.wait(15.0)
    finally:
        record_created.disconnect(receiver, sender=Role)
    [(sender, record)] = received
    assert sender is Role and isinstance(record, Role) and record.name == "admin"


def _wait_subscribed(server: LocalServer, before: int) -> None:
    import time

    deadline = time.monotonic() + 15.0
    while server.stream_connections <= before:
        assert time.monotonic() < deadline, "the stream never subscribed"
        time.sleep(0.01)


def test_generated_models_belong_to_the_installed_app_they_are_written_into(
    tmp_path: Path, server: LocalServer
) -> None:
    from django.conf import settings
    from django.test import override_settings

    app = tmp_path / "gen_app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\n"
        "class PeopleConfig(AppConfig):\n"
        '    name = "gen_app"\n'
        '    label = "people_directory"\n'
    )
    call_command(
        "onyx_gen",
        "--source",
        "api",
        "--tables",
        "Role",
        "--out",
        str(app / "onyx_models"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    sys.path.insert(0, str(tmp_path))
    try:
        apps = [*settings.INSTALLED_APPS, "gen_app.apps.PeopleConfig"]
        with override_settings(INSTALLED_APPS=apps):
            role = importlib.import_module("gen_app.onyx_models").Role
            assert role._meta.app_label == "people_directory"
            assert role._meta.label == "people_directory.Role"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("gen_app")]:
            del sys.modules[name]


def test_a_subclass_of_a_generated_model_keeps_its_table(generated: Any) -> None:
    class Person(generated.UserProfile):  # type: ignore[misc,name-defined]
        def full_name(self) -> str:
            return f"{self.firstName} {self.lastName}"

    assert Person._meta.db_table == "UserProfile" and Person._meta.model_name == "person"
    assert Person.objects is Person.onyx and Person.onyx.model is Person
    grace = Person.onyx.get(pk="p3")
    assert isinstance(grace, Person) and grace.full_name() == "Grace Hopper"
    assert issubclass(Person.DoesNotExist, generated.UserProfile.DoesNotExist)
