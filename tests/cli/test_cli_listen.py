"""``onyx-py listen``: the framework-free front end of the core's listen loop."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from onyx_database import init
from onyx_database._cli import main

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"
WAIT = 60.0  # an upper bound on waits for events; reached only when a test fails


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    from onyx_database.local import LocalServer

    with LocalServer(tmp_path_factory.mktemp("listen-onyx-local"), schema=SCHEMA) as local:
        yield local


def test_listen_prints_one_json_line_per_change(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in (
        ("ONYX_DATABASE_ID", server.database_id),
        ("ONYX_DATABASE_BASE_URL", server.url),
        ("ONYX_DATABASE_API_KEY", server.api_key),
        ("ONYX_DATABASE_API_SECRET", server.api_secret),
    ):
        monkeypatch.setenv(name, value)
    before = server.stream_connections
    codes: list[int] = []
    runner = threading.Thread(
        daemon=True,
        target=lambda: codes.append(
            main(["listen", "Role", "--max-events", "2", "--timeout", "30"])
        ),
    )
    runner.start()
    deadline = time.monotonic() + WAIT
    while server.stream_connections <= before:  # wait for the subscription: nothing is missed
        assert time.monotonic() < deadline, "the listener never connected"
        time.sleep(0.01)
    with init(
        database_id=server.database_id,
        base_url=server.url,
        api_key=server.api_key,
        api_secret=server.api_secret,
    ) as db:
        db.save(
            "Role",
            {
                "id": "r1",
                "name": "admin",
                "isSystem": False,
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z",
            },
        )
        db.delete("Role", "r1")
    runner.join(WAIT)
    assert codes == [0]
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [["CREATE", "Role"], ["DELETE", "Role"]]
    assert json.loads(lines[0].split(" ", 2)[2])["name"] == "admin"


def test_listen_without_config_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ONYX_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["listen", "User", "--timeout", "5"]) == 2
    assert "configuration error" in capsys.readouterr().err
