"""The config chain: precedence, files, typos, missing secrets, cache; never the real env."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from onyx_database._config import ConfigResolver, ResolvedConfig, resolve_config
from onyx_database._errors import OnyxConfigError

FULL_ENV = {
    "ONYX_DATABASE_ID": "env-db",
    "ONYX_DATABASE_API_KEY": "env-key",
    "ONYX_DATABASE_API_SECRET": "env-secret",
}


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    cwd = tmp_path / "project"
    home.mkdir()
    cwd.mkdir()
    return home, cwd


def write(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def resolve(
    dirs: tuple[Path, Path],
    explicit: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> ResolvedConfig:
    home, cwd = dirs
    return resolve_config(explicit or {}, environ=env or {}, home=home, cwd=cwd)


def test_explicit_beats_env_per_field(dirs: tuple[Path, Path]) -> None:
    cfg = resolve(dirs, {"api_key": "explicit-key"}, FULL_ENV)
    assert cfg.api_key == "explicit-key"
    assert cfg.api_secret == "env-secret"
    assert cfg.database_id == "env-db"
    assert cfg.sources["api_key"] == "explicit"
    assert cfg.sources["api_secret"] == "env ONYX_DATABASE_API_SECRET"


def test_env_beats_config_path_file_which_beats_project_and_home(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    path = write(
        cwd / "custom.json", {"databaseId": "env-db", "apiKey": "path-key", "baseUrl": "http://x"}
    )
    write(cwd / "onyx-database.json", {"apiSecret": "project-secret", "defaultModel": "m-project"})
    write(home / ".onyx" / "onyx-database.json", {"aiBaseUrl": "http://ai.home"})
    env = {"ONYX_DATABASE_ID": "env-db", "ONYX_CONFIG_PATH": str(path)}
    cfg = resolve(dirs, {}, env)
    assert cfg.api_key == "path-key"
    assert cfg.base_url == "http://x"
    assert cfg.api_secret == "project-secret"
    assert cfg.default_model == "m-project"
    assert cfg.ai_base_url == "http://ai.home"
    assert cfg.sources["api_key"].startswith("ONYX_CONFIG_PATH")
    assert cfg.sources["api_secret"] == f"file {cwd / 'onyx-database.json'}"


def test_relative_config_path_resolves_against_cwd(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    write(cwd / "conf" / "db.json", {"databaseId": "d", "apiKey": "k", "apiSecret": "s"})
    cfg = resolve(dirs, {}, {"ONYX_CONFIG_PATH": "conf/db.json"})
    assert (cfg.database_id, cfg.api_key, cfg.api_secret) == ("d", "k", "s")


def test_missing_config_path_file_is_an_error(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(OnyxConfigError, match="does not exist"):
        resolve(dirs, {}, {"ONYX_CONFIG_PATH": "nope.json", **FULL_ENV})


@pytest.mark.parametrize(
    ("relative", "uses_id"),
    [
        ("onyx-database-db1.json", True),
        ("config/onyx-database-db1.json", True),
        ("config/onyx-database.json", False),
        ("onyx-database.json", False),
    ],
)
def test_project_files(dirs: tuple[Path, Path], relative: str, uses_id: bool) -> None:
    _, cwd = dirs
    write(cwd / relative, {"databaseId": "db1", "apiKey": "k-file", "apiSecret": "s-file"})
    explicit = {"database_id": "db1"} if uses_id else {}
    cfg = resolve(dirs, explicit)
    assert cfg.api_key == "k-file"
    assert cfg.sources["api_secret"] == f"file {cwd / relative}"


def test_project_file_order_id_specific_first(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    write(cwd / "onyx-database.json", {"apiKey": "generic", "apiSecret": "s"})
    write(cwd / "onyx-database-db1.json", {"apiKey": "specific"})
    write(cwd / "config" / "onyx-database.json", {"apiKey": "config-dir"})
    assert resolve(dirs, {"database_id": "db1"}).api_key == "specific"
    (cwd / "onyx-database-db1.json").unlink()
    assert resolve(dirs, {"database_id": "db1"}).api_key == "config-dir"


@pytest.mark.parametrize(
    "relative",
    [".onyx/onyx-database-db1.json", ".onyx/onyx-database.json", "onyx-database.json"],
)
def test_home_files(dirs: tuple[Path, Path], relative: str) -> None:
    home, _ = dirs
    write(home / relative, {"databaseId": "db1", "api_key": "hk", "api_secret": "hs"})
    cfg = resolve(dirs, {"database_id": "db1"})
    assert (cfg.api_key, cfg.api_secret) == ("hk", "hs")


def test_project_file_beats_home_file(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(
        home / ".onyx" / "onyx-database.json", {"databaseId": "d", "apiKey": "h", "apiSecret": "h"}
    )
    write(cwd / "onyx-database.json", {"databaseId": "d", "apiKey": "p"})
    cfg = resolve(dirs)
    assert cfg.api_key == "p"
    assert cfg.api_secret == "h"


def test_id_learned_from_a_generic_file_unlocks_id_specific_home_file(
    dirs: tuple[Path, Path],
) -> None:
    home, cwd = dirs
    write(cwd / "onyx-database.json", {"databaseId": "db9", "apiKey": "k"})
    write(home / ".onyx" / "onyx-database-db9.json", {"apiSecret": "from-home-specific"})
    assert resolve(dirs).api_secret == "from-home-specific"


def test_file_of_another_database_is_never_mixed_in(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    write(cwd / "onyx-database.json", {"databaseId": "other", "apiKey": "k2", "apiSecret": "s2"})
    with pytest.raises(OnyxConfigError, match="api_key, api_secret"):
        resolve(dirs, {"database_id": "mine"})


def test_env_of_another_database_is_ignored(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(OnyxConfigError, match="Missing required config: api_key, api_secret"):
        resolve(dirs, {"database_id": "mine"}, FULL_ENV)


def test_env_without_database_id_still_supplies_credentials(dirs: tuple[Path, Path]) -> None:
    env = {"ONYX_DATABASE_API_KEY": "k", "ONYX_DATABASE_API_SECRET": "s"}
    cfg = resolve(dirs, {"database_id": "mine"}, env)
    assert (cfg.database_id, cfg.api_key) == ("mine", "k")


def test_camel_and_snake_keys_and_nested_auth_and_defaults(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    write(
        cwd / "onyx-database.json",
        {
            "database_id": "d",
            "auth": {"type": "inline", "apiKey": "k", "apiSecret": "s"},
            "defaults": {"partition": "tenant-a"},
            "requestTimeoutSeconds": 5,
            "max_retries": 0,
            "wireFormat": "msgpack",
        },
    )
    cfg = resolve(dirs)
    assert (cfg.api_key, cfg.partition, cfg.request_timeout_seconds) == ("k", "tenant-a", 5.0)
    assert cfg.max_retries == 0
    assert cfg.wire_format == "msgpack"


def test_stray_newlines_in_file_values_are_tolerated(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    (cwd / "onyx-database.json").write_text(
        '{"databaseId": "d", "apiKey": "ab\ncd", "apiSecret": "s"}'
    )
    assert resolve(dirs).api_key == "abcd"


def test_invalid_json_file_names_the_file_not_its_content(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    (cwd / "onyx-database.json").write_text('{"apiSecret": "TOPSECRET", ')
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {"database_id": "d"})
    assert "onyx-database.json" in str(info.value)
    assert "TOPSECRET" not in str(info.value)


def test_unsupported_auth_type_is_rejected(dirs: tuple[Path, Path]) -> None:
    _, cwd = dirs
    write(cwd / "onyx-database.json", {"auth": {"type": "aws_secrets_manager"}})
    with pytest.raises(OnyxConfigError, match="Unsupported auth type"):
        resolve(dirs, {"database_id": "d"})


def test_defaults(dirs: tuple[Path, Path]) -> None:
    cfg = resolve(dirs, {}, FULL_ENV)
    assert cfg.base_url == "https://api.onyx.dev"
    assert cfg.ai_base_url == "https://ai.onyx.dev"
    assert cfg.default_model == "onyx"
    assert cfg.wire_format == "json"
    assert cfg.partition is None
    assert cfg.sources["base_url"] == "default"


def test_all_env_variables(dirs: tuple[Path, Path]) -> None:
    env = {
        **FULL_ENV,
        "ONYX_DATABASE_BASE_URL": "http://127.0.0.1:9/",
        "ONYX_AI_BASE_URL": "http://ai.local",
        "ONYX_DEFAULT_MODEL": "tiny",
        "ONYX_PARTITION": "p1",
        "ONYX_REQUEST_TIMEOUT_SECONDS": "2.5",
        "ONYX_MAX_RETRIES": "7",
        "ONYX_DEBUG": "true",
    }
    cfg = resolve(dirs, {}, env)
    assert cfg.base_url == "http://127.0.0.1:9"
    assert (cfg.ai_base_url, cfg.default_model, cfg.partition) == ("http://ai.local", "tiny", "p1")
    assert (cfg.request_timeout_seconds, cfg.max_retries) == (2.5, 7)
    assert cfg.debug and cfg.request_logging_enabled and cfg.response_logging_enabled


def test_request_deadline_from_every_source(dirs: tuple[Path, Path]) -> None:
    assert resolve(dirs, {}, FULL_ENV).request_deadline_seconds == 40.0  # well under a minute
    env = {**FULL_ENV, "ONYX_REQUEST_DEADLINE_SECONDS": "off"}
    assert resolve(dirs, {}, env).request_deadline_seconds is None
    assert resolve(dirs, {"request_deadline_seconds": 5}, env).request_deadline_seconds == 5.0
    assert resolve(dirs, {"requestDeadlineSeconds": "0"}, FULL_ENV).request_deadline_seconds is None
    write(dirs[0] / "onyx-database.json", {"requestDeadlineSeconds": 12})
    assert resolve(dirs, {}, FULL_ENV).request_deadline_seconds == 12.0
    with pytest.raises(OnyxConfigError, match="request_deadline_seconds"):
        resolve(dirs, {"request_deadline_seconds": -1}, FULL_ENV)


def test_config_errors_keep_no_traceback_below_the_entry_point(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {"wire_format": "xml"}, FULL_ENV)
    error = info.value
    assert error.__cause__ is None and error.__context__ is None
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "_coerce" not in frames and "_finish" not in frames  # their locals hold the secret


def test_empty_env_values_count_as_unset(dirs: tuple[Path, Path]) -> None:
    env = {**FULL_ENV, "ONYX_DATABASE_BASE_URL": "  ", "ONYX_PARTITION": ""}
    cfg = resolve(dirs, {}, env)
    assert cfg.base_url == "https://api.onyx.dev"
    assert cfg.partition is None


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("api_secert", "api_secret"), ("databaseid", "databaseId"), ("base_ur", "base_url")],
)
def test_unknown_option_is_an_error_naming_valid_ones(
    dirs: tuple[Path, Path], typo: str, suggestion: str
) -> None:
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {typo: "x"}, FULL_ENV)
    message = str(info.value)
    assert f"Unknown config option {typo!r}" in message
    assert suggestion in message
    assert "database_id" in message and "api_key" in message


def test_missing_secret_lists_every_source_tried(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {"database_id": "db1", "api_key": "k"})
    message = str(info.value)
    assert "Missing required config: api_secret" in message
    assert "ONYX_DATABASE_API_SECRET" in message
    for expected in [
        "explicit arguments",
        "environment",
        "ONYX_CONFIG_PATH (unset)",
        str(cwd / "onyx-database-db1.json"),
        str(cwd / "config" / "onyx-database-db1.json"),
        str(cwd / "config" / "onyx-database.json"),
        str(cwd / "onyx-database.json"),
        str(home / ".onyx" / "onyx-database-db1.json"),
        str(home / ".onyx" / "onyx-database.json"),
        str(home / "onyx-database.json"),
        "defaults",
    ]:
        assert expected in message


def test_missing_database_id(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(OnyxConfigError, match="database_id"):
        resolve(dirs, {"api_key": "k", "api_secret": "s"})


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("base_url", "api.onyx.dev", "http:// or https://"),
        ("max_retries", "-1", "must not be negative"),
        ("max_retries", "1.5", "whole number"),
        ("request_timeout_seconds", "soon", "must be a number"),
        ("wire_format", "xml", "'json' or 'msgpack'"),
        ("debug", "maybe", "true or false"),
    ],
)
def test_bad_values(dirs: tuple[Path, Path], option: str, value: str, message: str) -> None:
    with pytest.raises(OnyxConfigError, match=message):
        resolve(dirs, {option: value}, FULL_ENV)


def test_secret_never_in_repr_or_debug_logs(
    dirs: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="onyx_database")
    cfg = resolve(
        dirs,
        {"api_secret": "sup3r-s3cret", "api_key": "key-123456"},
        {
            "ONYX_DATABASE_ID": "d",
            "ONYX_DEBUG": "true",
        },
    )
    assert "sup3r-s3cret" not in repr(cfg)
    assert "sup3r-s3cret" not in caplog.text
    assert "key-123456" not in caplog.text
    assert "api_secret = [REDACTED] (from explicit)" in caplog.text
    assert "database_id = 'd' (from env ONYX_DATABASE_ID)" in caplog.text


def test_cache_reuses_within_ttl_and_clear_forces_reread(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    now = [0.0]
    env = dict(FULL_ENV)
    resolver = ConfigResolver(environ=env, home=home, cwd=cwd, clock=lambda: now[0])
    first = resolver.resolve({"ttl": 10})
    env["ONYX_DATABASE_API_KEY"] = "rotated"
    assert resolver.resolve({"ttl": 10}) is first
    now[0] = 11.0
    assert resolver.resolve({"ttl": 10}).api_key == "rotated"
    env["ONYX_DATABASE_API_KEY"] = "rotated-again"
    assert resolver.resolve({"ttl": 10}).api_key == "rotated"
    resolver.clear_cache()
    assert resolver.resolve({"ttl": 10}).api_key == "rotated-again"


def test_cache_is_keyed_per_database_and_key(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    resolver = ConfigResolver(environ={}, home=home, cwd=cwd)
    a = resolver.resolve({"database_id": "a", "api_key": "k", "api_secret": "s"})
    b = resolver.resolve({"database_id": "b", "api_key": "k", "api_secret": "s"})
    assert (a.database_id, b.database_id) == ("a", "b")


def test_onyx_local_credentials_are_found_after_the_project_files(tmp_path: Path) -> None:
    """``onyx-py local`` writes ``./.onyx-local/onyx-database.json``; an app started from the
    same directory connects with no setting at all."""
    import onyx_database
    from onyx_database.local import LocalServer

    home, cwd = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    cwd.mkdir()
    schema = Path(__file__).resolve().parents[1] / "onyx.test.schema.json"
    with LocalServer(cwd / ".onyx-local", schema=schema, port=0) as server:
        cfg = resolve_config({}, environ={}, home=home, cwd=cwd)
        local_file = cwd / ".onyx-local" / "onyx-database.json"
        assert cfg.sources["api_secret"] == f"file {local_file}"
        assert (cfg.base_url, cfg.database_id) == (server.url, server.database_id)
        with onyx_database.init(config=cfg) as db:
            assert db.get_schema()["entities"]
        # project files come first; a project file of another database is never mixed in
        write(cwd / "onyx-database.json", {"databaseId": "cloud-db", "apiKey": "k"})
        with pytest.raises(OnyxConfigError, match="Missing required config: api_secret"):
            resolve_config({}, environ={}, home=home, cwd=cwd)


def test_missing_config_is_a_short_multi_line_message_naming_onyx_local(
    dirs: tuple[Path, Path],
) -> None:
    _, cwd = dirs
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {"database_id": "db1"})
    lines = str(info.value).splitlines()
    assert lines[0] == "Missing required config: api_key, api_secret."
    assert "`onyx-py local`" in lines[2]
    assert lines[3] == "Sources tried, in order:"
    local = f"  {cwd / '.onyx-local' / 'onyx-database.json'} (Onyx Local's credentials"
    assert any(line.startswith(local) for line in lines)
    listed = [line.strip().split(" (")[0] for line in lines[4:]]
    local_file = str(cwd / ".onyx-local" / "onyx-database.json")
    assert listed.index(str(cwd / "onyx-database.json")) < listed.index(local_file)
    assert all(len(line) <= 150 for line in lines[:4])


def test_bad_value_names_its_source_and_hides_the_secret(dirs: tuple[Path, Path]) -> None:
    env = {**FULL_ENV, "ONYX_MAX_RETRIES": "many"}
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {}, env)
    assert str(info.value) == (
        "Config option 'max_retries' must be a number, got 'many'. (from env ONYX_MAX_RETRIES)"
    )
    with pytest.raises(OnyxConfigError) as info:
        resolve(dirs, {"api_secret": ["env-secret-in-a-list"]}, FULL_ENV)
    assert "env-secret-in-a-list" not in str(info.value)
    assert "'api_secret'" in str(info.value)


def test_config_values_model_keeps_the_secret_out_of_repr() -> None:
    from onyx_database._config import ConfigValues

    values = ConfigValues(database_id="d", api_key="key-98765", api_secret="hunter22", debug="yes")
    for text in (repr(values), str(values), values.model_dump_json()):
        assert "hunter22" not in text and "key-98765" not in text
    assert values.request_logging_enabled and values.response_logging_enabled
    assert values.plain()["api_secret"] == "hunter22"
