"""JSON answers: views return models and lists, Onyx values serialize, Onyx errors map to JSON."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from flask import Flask, jsonify, request
from pydantic import BaseModel

from onyx_database import OnyxUsageError
from onyx_flask import Onyx, OnyxJSONProvider

MakeApp = Callable[..., tuple[Flask, Onyx]]
API = {"Accept": "application/json"}


class User(BaseModel):
    __onyx_table__: ClassVar[str] = "User"

    id: str
    username: str
    email: str
    isActive: bool
    createdAt: datetime.datetime


@pytest.fixture
def app_onyx(make_app: MakeApp, onyx_options: dict[str, Any]) -> tuple[Flask, Onyx]:
    app, onyx = make_app(ONYX=onyx_options, ONYX_JSON_ERRORS=True)

    @app.get("/users/<user_id>")
    def show(user_id: str) -> Any:
        return onyx.get_or_404(User, user_id, description=f"No user {user_id}.")

    @app.get("/users")
    def index() -> Any:
        return onyx.db.from_table(User).list()

    @app.get("/users/first")
    def first() -> Any:
        return onyx.first_or_404(User), 200, {"X-Kind": "model"}

    @app.get("/users/one")
    def one() -> Any:
        return onyx.one_or_404("User")

    @app.post("/users")
    def create() -> Any:
        return onyx.db.create(User, request.get_json()), 201

    @app.post("/raw-users")
    def create_raw() -> Any:
        return onyx.db.save("User", request.get_json()), 201

    @app.get("/values")
    def values() -> Any:
        return jsonify(
            {
                "at": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
                "day": datetime.date(2026, 1, 2),
                "price": decimal.Decimal("19.90"),
                "ref": uuid.UUID(int=1),
                "users": onyx.db.from_table(User).list(),
            }
        )

    return app, onyx


def test_views_return_models_and_lists(app_onyx: tuple[Flask, Onyx], user: Callable[..., Any]):
    app, _ = app_onyx
    client = app.test_client()
    assert client.get("/users/first", headers=API).status_code == 404
    created = client.post("/users", json=user(1))
    assert created.status_code == 201
    assert created.get_json()["createdAt"] == "2026-01-01T00:00:00Z"
    assert client.get("/users/u001").get_json()["email"] == "user1@example.com"
    first = client.get("/users/first")
    assert first.headers["X-Kind"] == "model" and first.get_json()["id"] == "u001"
    assert client.get("/users/one").get_json()["id"] == "u001"
    client.post("/users", json=user(2))
    assert [item["id"] for item in client.get("/users").get_json()] == ["u001", "u002"]
    assert client.get("/users/one", headers=API).status_code == 404  # two records


def test_json_provider_serializes_onyx_values(
    app_onyx: tuple[Flask, Onyx], user: Callable[..., Any]
):
    app, _ = app_onyx
    assert isinstance(app.json, OnyxJSONProvider)
    app.test_client().post("/users", json=user(3))
    body = app.test_client().get("/values").get_json()
    assert body["at"] == "2026-01-02T03:04:05+00:00"
    assert body["day"] == "2026-01-02"
    assert body["price"] == "19.90"
    assert body["ref"] == str(uuid.UUID(int=1))
    assert body["users"][0]["username"] == "user3"


def test_onyx_errors_become_json_for_api_requests(
    app_onyx: tuple[Flask, Onyx], user: Callable[..., Any]
):
    app, _ = app_onyx
    client = app.test_client()
    missing = client.get("/users/nobody", headers=API)
    assert missing.status_code == 404
    assert missing.get_json()["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "No user nobody.",
    }
    assert client.post("/users", json=user(4)).status_code == 201
    conflict = client.post("/users", json=user(4))
    assert conflict.status_code == 409
    assert conflict.get_json()["error"]["code"] == "conflict"
    invalid = client.post("/raw-users", json={"id": "u9", "isActive": "not a boolean"})
    assert invalid.status_code == 422, invalid.get_data(as_text=True)
    assert invalid.get_json()["error"]["code"] == "invalid"
    # A browser still gets Flask's HTML answers.
    html = client.get("/users/nobody", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.mimetype == "text/html"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    browser = client.post("/users", json=user(4), headers={"Accept": "text/html"})
    assert browser.status_code == 409  # the JSON body makes it an API request
    page = client.get("/users/one", headers={"Accept": "text/html"})
    assert page.status_code == 200


def test_unreachable_database_is_503(make_app: MakeApp, onyx_options: dict[str, Any]):
    options = {**onyx_options, "base_url": "http://127.0.0.1:9", "max_retries": 0}
    app, onyx = make_app(ONYX=options, ONYX_JSON_ERRORS=True)

    @app.get("/count")
    def count() -> Any:
        return {"count": onyx.db.from_table("User").count()}

    answer = app.test_client().get("/count", headers=API)
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable"
    assert onyx_options["api_key"] not in answer.get_data(as_text=True)


def test_error_handler_is_opt_in(make_app: MakeApp, onyx_options: dict[str, Any]):
    app, onyx = make_app(ONYX=onyx_options)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/users/<user_id>")
    def show(user_id: str) -> Any:
        return onyx.get_or_404("User", user_id)

    @app.get("/bad")
    def bad() -> Any:
        raise OnyxUsageError("programming error")

    client = app.test_client()
    answer = client.get("/users/nobody", headers=API)
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert client.get("/bad", headers=API).status_code == 500
