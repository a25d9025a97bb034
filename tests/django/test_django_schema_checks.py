"""``manage.py check --database default``: the Onyx models against the published schema, over
real HTTP against Onyx Local (the check tagged ``database`` is the only one that contacts Onyx)."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from conftest import onyx_settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from pydantic import Field

from onyx_django.checks import check_onyx_schema
from onyx_django.models import OnyxModel

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


class Drifted(OnyxModel):
    """The ``Permission`` table, declared with every kind of drift."""

    id: str
    name: int  # a String attribute
    description: str  # nullable in the schema
    nickname: str | None = None  # no such attribute
    createdAt: datetime
    grants: list[dict[str, Any]] | None = Field(default=None, exclude=True)  # no such resolver

    class Meta:
        db_table = "Permission"
        app_label = "schemacheck"


class Missing(OnyxModel):
    id: str

    class Meta:
        db_table = "NoSuchTable"
        app_label = "schemacheck"


def _check(**kwargs: Any) -> list[tuple[str, str]]:
    app = SimpleNamespace(label="schemacheck")
    messages = check_onyx_schema(app_configs=[app], **kwargs)  # type: ignore[list-item]
    return [(str(m.id), m.msg) for m in messages]


def test_drift_is_reported_with_ids(server: LocalServer) -> None:
    found = _check(databases=["default"])
    assert found == [
        ("onyx_django.E013", "schemacheck.Drifted.name is a BigIntegerField, but "
         "Permission.name is String (settings.ONYX['default'])."),
        ("onyx_django.W014", "schemacheck.Drifted.description does not accept None, but "
         "Permission.description is nullable (settings.ONYX['default']): reading a record "
         "with a null there fails validation."),
        ("onyx_django.E012", "schemacheck.Drifted.nickname: the table 'Permission' has no "
         "attribute 'nickname' (settings.ONYX['default'])."),
        ("onyx_django.E015", "schemacheck.Drifted.grants is a resolver field, but the table "
         "'Permission' has no resolver 'grants' (settings.ONYX['default'])."),
        ("onyx_django.E011", "schemacheck.Missing: the table 'NoSuchTable' is not in the "
         "schema of settings.ONYX['default']."),
    ]  # fmt: skip


def test_it_runs_only_under_check_database(server: LocalServer) -> None:
    assert _check() == [] and _check(databases=None) == []
    assert [m for m in run_checks(tags=["database"]) if str(m.id).startswith("onyx")] == []
    server.reset_request_counts()
    out, err = StringIO(), StringIO()
    call_command("check", "backoffice", "--database", "default", stdout=out, stderr=err)
    # warnings do not fail the command; the back office's Event.action is one
    assert "(onyx_django.W014) backoffice.Event.action does not accept None" in err.getvalue()
    assert err.getvalue().count("(onyx_django.") == 1
    assert server.request_count("GET", "/schemas/{db}") >= 1


def test_matching_models_pass_and_drift_fails_manage_py_check(server: LocalServer) -> None:
    with pytest.raises(SystemCheckError, match=r"onyx_django\.E01[1-5]"):
        call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())


def test_an_unreachable_alias_is_e010(server: LocalServer) -> None:
    broken = {"base_url": "http://127.0.0.1:9", "max_retries": 0, "request_timeout_seconds": 2}
    settings = onyx_settings(server, broken={**onyx_settings(server)["default"], **broken})
    with override_settings(ONYX=settings):
        found = _check(databases=["default"])
    errors = [message for code, message in found if code == "onyx_django.E010"]
    assert len(errors) == 1 and errors[0].startswith("settings.ONYX['broken']: Onyx cannot")
    assert server.api_secret not in errors[0]
