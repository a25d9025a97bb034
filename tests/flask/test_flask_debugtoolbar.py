"""The Flask-DebugToolbar "Onyx" panel, rendered into a real page over Onyx Local."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from flask import Flask
from flask_debugtoolbar import DebugToolbarExtension

from onyx_flask import Onyx

MakeApp = Callable[..., tuple[Flask, Onyx]]

PANELS = [
    "flask_debugtoolbar.panels.timer.TimerDebugPanel",
    "onyx_flask.debugtoolbar.OnyxDebugPanel",
]


def _app(make_app: MakeApp, onyx_options: dict[str, Any], **config: Any) -> tuple[Flask, Onyx]:
    app, onyx = make_app(
        ONYX=onyx_options,
        DEBUG=True,
        SECRET_KEY="toolbar-test",
        DEBUG_TB_ENABLED=True,
        DEBUG_TB_PANELS=PANELS,
        DEBUG_TB_INTERCEPT_REDIRECTS=False,
        **config,
    )
    DebugToolbarExtension(app)

    @app.get("/page")
    def page() -> str:
        onyx.db.save("User", _user())
        onyx.db.from_table("User").list()
        onyx.db.find_by_id("User", "nobody")
        return "<html><body><h1>users</h1></body></html>"

    return app, onyx


def _user() -> dict[str, Any]:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "id": "u001",
        "username": "ada",
        "email": "ada@example.com",
        "isActive": True,
        "createdAt": now,
        "updatedAt": now,
    }


def _panel(html: str) -> str:
    match = re.search(
        r'id="flDebugOnyxPanel-content"(.*?)(?:<div id="flDebug\w+-content"|</body>)', html, re.S
    )
    assert match, "the Onyx panel is not in the page"
    return match.group(1)


def _rows(panel: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr class=\"flDebug(?:Odd|Even)\">(.*?)</tr>", panel, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        rows.append([unescape(cell).strip() for cell in cells])
    return rows


def test_the_panel_lists_the_onyx_requests_of_the_page(
    make_app: MakeApp, onyx_options: dict[str, Any]
) -> None:
    app, _ = _app(make_app, onyx_options)
    answer = app.test_client().get("/page")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "3 requests in" in html  # the toolbar's navigation subtitle
    rows = _rows(_panel(html))
    summary = [(row[1], row[2], row[3], row[5], row[6]) for row in rows]
    assert summary == [
        ("PUT", "/data/{db}/User", "200", "User", "save"),
        ("PUT", "/data/{db}/query/User", "200", "User", "query"),
        ("GET", "/data/{db}/User/nobody", "404", "User", "find_by_id"),
    ]
    assert rows[1][7] == "1"  # one record on the query page
    assert all(float(row[4]) >= 0 for row in rows)
    for secret in (
        onyx_options["api_key"],
        onyx_options["api_secret"],
        onyx_options["database_id"],
    ):
        assert secret not in html
    # the next page starts empty
    again = _rows(_panel(app.test_client().get("/page").get_data(as_text=True)))
    assert len(again) == 3


def test_the_panel_says_when_recording_is_off(
    make_app: MakeApp, onyx_options: dict[str, Any]
) -> None:
    app, _ = _app(make_app, onyx_options, ONYX_RECORD_REQUESTS=False)
    html = app.test_client().get("/page").get_data(as_text=True)
    panel = _panel(html)
    assert "recording is off" in panel
    assert _rows(panel) == []
