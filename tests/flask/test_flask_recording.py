"""ONYX_RECORD_REQUESTS and get_recorded_requests(): the Onyx requests of one app context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from onyx_flask import Onyx, get_recorded_requests

MakeApp = Callable[..., tuple[Flask, Onyx]]


def _routes(app: Flask, onyx: Onyx, user: Callable[..., Any]) -> None:
    @app.post("/work")
    def work() -> Any:
        onyx.db.save("User", user(1))
        onyx.db.from_table("User").list()
        if "analytics" in onyx.binds:
            onyx.get_db("analytics").find_by_id("User", "u001")
        return [
            {"method": r.method, "path": r.path, "table": r.table, "status": r.status}
            for r in get_recorded_requests()
        ]


def test_recorded_requests_of_a_request_over_http(
    make_app: MakeApp,
    onyx_options: dict[str, Any],
    analytics_options: dict[str, Any],
    user: Callable[..., Any],
):
    app, onyx = make_app(ONYX=onyx_options, ONYX_BINDS={"analytics": analytics_options})
    _routes(app, onyx, user)
    client = app.test_client()
    for _ in range(2):  # each request starts empty
        answer = client.post("/work")
        assert answer.get_json() == [
            {"method": "PUT", "path": "/data/{db}/User", "table": "User", "status": 200},
            {"method": "PUT", "path": "/data/{db}/query/User", "table": "User", "status": 200},
            {"method": "GET", "path": "/data/{db}/User/u001", "table": "User", "status": 404},
        ]
        text = answer.get_data(as_text=True)
        assert onyx_options["api_key"] not in text and onyx_options["database_id"] not in text
    with app.app_context():
        onyx.db.find_by_id("User", "u001")
        (recorded,) = onyx.get_recorded_requests()
        assert recorded.duration >= 0 and recorded.database_id == onyx_options["database_id"]


def test_recording_is_off_without_debug_or_testing(
    onyx_options: dict[str, Any], user: Callable[..., Any]
):
    app = Flask(__name__)
    app.config["ONYX"] = onyx_options
    onyx = Onyx(app)
    try:
        _routes(app, onyx, user)
        assert app.test_client().post("/work").get_json() == []
        app.debug = True
        other = Flask("debug")
        other.debug = True
        other.config["ONYX"] = onyx_options
        onyx.init_app(other)
        assert other.config["ONYX_RECORD_REQUESTS"] is True
        onyx.close(other)
    finally:
        onyx.close(app)


def test_another_apps_requests_are_not_recorded(
    make_app: MakeApp,
    onyx_options: dict[str, Any],
    analytics_options: dict[str, Any],
    user: Callable[..., Any],
):
    app, onyx = make_app(ONYX=onyx_options)
    other, other_onyx = make_app(ONYX=analytics_options)
    with app.app_context():
        other_onyx.get_client(other).find_by_id("User", "x")  # another app's database
        onyx.db.find_by_id("User", "x")
        assert [r.path for r in get_recorded_requests()] == ["/data/{db}/User/x"]
    assert get_recorded_requests() == []  # outside an app context
