"""ONYX_BINDS: one pooled client per bind per app, __bind_key__, helpers on a bind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import pytest
from flask import Flask
from pydantic import BaseModel

from onyx_database import asc
from onyx_flask import Onyx

MakeApp = Callable[..., tuple[Flask, Onyx]]


class AnalyticsUser(BaseModel):
    __onyx_table__: ClassVar[str] = "User"
    __bind_key__: ClassVar[str] = "analytics"

    id: str
    username: str
    email: str
    isActive: bool
    createdAt: datetime


@pytest.fixture
def app_onyx(
    make_app: MakeApp, onyx_options: dict[str, Any], analytics_options: dict[str, Any]
) -> tuple[Flask, Onyx]:
    app, onyx = make_app(ONYX=onyx_options, ONYX_BINDS={"analytics": analytics_options})

    @app.get("/analytics/users/<user_id>")
    def analytics_user(user_id: str) -> Any:
        return onyx.get_or_404(AnalyticsUser, user_id)

    @app.get("/analytics/users/by-table/<user_id>")
    def analytics_user_by_table(user_id: str) -> Any:
        return onyx.get_or_404("User", user_id, bind="analytics")

    @app.get("/analytics/users")
    def analytics_users() -> Any:
        page = onyx.paginate(AnalyticsUser)
        return {"items": page.items, "total": page.total}

    @app.get("/analytics/only")
    def analytics_only() -> Any:
        return onyx.one_or_404("User", bind="analytics")

    @app.get("/main/users/<user_id>")
    def main_user(user_id: str) -> Any:
        return onyx.get_or_404("User", user_id)

    return app, onyx


def test_one_pooled_client_per_bind_per_app(app_onyx: tuple[Flask, Onyx]):
    app, onyx = app_onyx
    analytics = onyx.get_client(app, bind="analytics")
    assert analytics is onyx.get_client(app, bind="analytics")
    assert analytics is not onyx.get_client(app)
    assert analytics.database_id == onyx.config(app, bind="analytics").database_id
    assert analytics.database_id != onyx.get_client(app).database_id
    with app.app_context():
        assert onyx.binds == ("analytics",)
        assert onyx.get_db("analytics") is onyx.get_db("analytics")
        assert onyx.get_db("analytics")._transport is analytics._transport


def test_bind_key_routes_helpers_over_http(
    app_onyx: tuple[Flask, Onyx], user: Callable[..., Any], analytics_local: Any
):
    app, onyx = app_onyx
    onyx.get_client(app, bind="analytics").save("User", [user(1), user(2)])
    client = app.test_client()
    assert client.get("/analytics/users/u001").get_json()["username"] == "user1"
    assert client.get("/analytics/users/by-table/u002").status_code == 200
    assert client.get("/main/users/u001").status_code == 404  # not in the default database
    listing = client.get("/analytics/users?per_page=1").get_json()
    assert listing["total"] == 2 and len(listing["items"]) == 1
    assert client.get("/analytics/only").status_code == 404  # two records: not exactly one
    onyx.get_client(app, bind="analytics").delete("User", "u002")
    assert client.get("/analytics/only").get_json()["id"] == "u001"
    assert analytics_local.request_count("GET", "/data/{db}/User/u001") >= 1


def test_binds_alone_are_enough_and_the_default_is_then_an_error(
    make_app: MakeApp, analytics_options: dict[str, Any]
):
    app, onyx = make_app(ONYX_BINDS={"analytics": analytics_options})
    assert onyx.get_client(app, bind="analytics").from_table("User").count() == 0
    with pytest.raises(RuntimeError, match="no default Onyx database"):
        onyx.get_client(app)
    with pytest.raises(KeyError, match="'nope' is not in"):
        onyx.get_client(app, bind="nope")


def test_bind_config_errors_name_the_bind(make_app: MakeApp, onyx_options: dict[str, Any]):
    with pytest.raises(RuntimeError, match=r"ONYX_BINDS'\]\['analytics'\]"):
        make_app(ONYX=onyx_options, ONYX_BINDS={"analytics": {"database_id": "x"}})


def test_pagination_on_a_bind_with_a_query(app_onyx: tuple[Flask, Onyx], user: Callable[..., Any]):
    app, onyx = app_onyx
    onyx.get_client(app, bind="analytics").save("User", [user(n) for n in range(1, 6)])
    with app.test_request_context("/?page=2&per_page=2"):
        page = onyx.paginate(onyx.get_db("analytics").from_table("User").order_by(asc("id")))
        assert [item["id"] for item in page.items] == ["u003", "u004"]
        model_page = onyx.paginate(AnalyticsUser, per_page=2, page=3)
        assert [item.id for item in model_page.items] == ["u005"]
