"""System checks of settings.ONYX: each problem is an Error with an id and a hint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import onyx_settings
from django.core.checks import run_checks
from django.test import override_settings

from onyx_database import onyx

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ONYX_* variables, no config files in the working or home directory."""
    import os

    for name in list(os.environ):
        if name.startswith("ONYX_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    onyx.clear_cache_config()


def onyx_errors(value: Any) -> list[tuple[str, str]]:
    with override_settings(ONYX=value):
        return [
            (str(m.id), m.msg)
            for m in run_checks(tags=["onyx"])
            if str(m.id).startswith("onyx_django.") and m.hint
        ]


def test_valid_settings_pass(local_server: LocalServer) -> None:
    assert onyx_errors(onyx_settings(local_server)) == []


def test_wrong_shape_is_e001() -> None:
    assert [e[0] for e in onyx_errors(["default"])] == ["onyx_django.E001"]
    assert [
        e[0]
        for e in onyx_errors({"analytics": {"database_id": "a", "api_key": "k", "api_secret": "s"}})
    ] == ["onyx_django.E001"]
    errors = onyx_errors({"default": "http://example"})
    assert errors[0][0] == "onyx_django.E001" and "'default'" in errors[0][1]


def test_unknown_option_is_e002(local_server: LocalServer) -> None:
    settings = onyx_settings(local_server)
    settings["default"]["api_secrte"] = "typo"
    errors = onyx_errors(settings)
    assert errors == [
        ("onyx_django.E002", "settings.ONYX['default'] has unknown option(s): api_secrte.")
    ]


def test_unresolvable_config_is_e003() -> None:
    errors = onyx_errors({"default": {"database_id": "db-only"}})
    assert [e[0] for e in errors] == ["onyx_django.E003"]
    assert "api_key" in errors[0][1] or "key" in errors[0][1].lower()
    bad_value = onyx_errors(
        {"default": {"database_id": "d", "api_key": "k", "api_secret": "s", "max_retries": "many"}}
    )
    assert [e[0] for e in bad_value] == ["onyx_django.E003"]
