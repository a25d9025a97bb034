"""The complete app in docs/flask.md runs as written."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

DOC = Path(__file__).resolve().parents[2] / "docs" / "flask.md"


def _doc_app_source() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return next(block for block in blocks if block.startswith("# app.py"))


def test_the_documented_app_works(
    onyx_options: dict[str, Any], monkeypatch: Any, user: Callable[..., dict[str, Any]]
):
    # The doc's app takes its credentials from the environment.
    monkeypatch.setenv("ONYX_DATABASE_ID", onyx_options["database_id"])
    monkeypatch.setenv("ONYX_DATABASE_BASE_URL", onyx_options["base_url"])
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", onyx_options["api_key"])
    monkeypatch.setenv("ONYX_DATABASE_API_SECRET", onyx_options["api_secret"])
    namespace: dict[str, Any] = {"__name__": "doc_app"}
    exec(compile(_doc_app_source(), str(DOC), "exec"), namespace)  # noqa: S102
    app: Flask = namespace["create_app"]({"TESTING": True})
    onyx = namespace["onyx"]
    try:
        client = app.test_client()
        for number in range(1, 6):
            record = user(
                number, createdAt="2026-01-01T00:00:00Z", updatedAt="2026-01-01T00:00:00Z"
            )
            assert client.post("/users", json=record).status_code == 201
        assert client.get("/users/u003").get_json()["email"] == "user3@example.com"
        assert client.get("/users/nope").status_code == 404
        assert client.get("/users/by-email/user2@example.com").get_json()["id"] == "u002"
        page = client.get("/users?page=2&per_page=2").get_json()
        assert [item["id"] for item in page["items"]] == ["u003", "u004"]
        assert (page["total"], page["pages"], page["next"], page["prev"]) == (5, 3, 3, 1)
        assert client.get("/users?page=4&per_page=2").status_code == 404
    finally:
        onyx.close(app)
