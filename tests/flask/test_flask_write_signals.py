"""records_written: a signal after every write through the extension's clients (in process)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from onyx_database import add_write_listener, eq, init
from onyx_flask import Onyx
from onyx_flask.signals import records_written

MakeApp = Callable[..., tuple[Flask, Onyx]]


@pytest.fixture
def app_onyx(
    make_app: MakeApp, onyx_options: dict[str, Any], analytics_options: dict[str, Any]
) -> tuple[Flask, Onyx]:
    return make_app(ONYX=onyx_options, ONYX_BINDS={"analytics": analytics_options})


@pytest.fixture
def written(app_onyx: tuple[Flask, Onyx]) -> Iterator[list[dict[str, Any]]]:
    app, _ = app_onyx
    seen: list[dict[str, Any]] = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        assert sender is app
        seen.append(kwargs)

    records_written.connect(receiver, sender=app)
    yield seen
    records_written.disconnect(receiver, sender=app)


def test_every_kind_of_write_sends_one_signal_over_http(
    app_onyx: tuple[Flask, Onyx], written: list[dict[str, Any]], user: Callable[..., Any]
):
    app, onyx = app_onyx

    @app.post("/writes")
    def writes() -> Any:
        db = onyx.db
        db.save("User", user(1))
        db.batch_save("User", [user(n) for n in range(2, 7)], batch_size=3)
        db.insert("User", [user(7)])
        db.create("User", user(8))
        db.delete("User", "u008")
        db.from_table("User").where(eq("id", "u007")).set_updates(username="seven").update()
        db.from_table("User").where(eq("id", "u006")).delete()
        db.find_by_id("User", "u001")  # reads send nothing
        db.from_table("User").count()
        return {"ok": True}

    assert app.test_client().post("/writes").status_code == 200
    kinds = [(item["operation"], item["table"], len(item["records"])) for item in written]
    assert kinds == [
        ("save", "User", 1),
        ("save", "User", 3),
        ("save", "User", 2),
        ("insert", "User", 1),
        ("insert", "User", 1),
        ("delete", "User", 0),
        ("update_query", "User", 0),
        ("delete_query", "User", 0),
    ]
    assert written[0]["records"][0]["id"] == "u001"
    assert [r["id"] for r in written[1]["records"]] == ["u002", "u003", "u004"]
    assert written[5]["ids"] == ["u008"]
    assert written[6]["count"] == 1 and written[7]["count"] == 1
    assert {item["bind"] for item in written} == {None}


def test_cascade_and_bind_writes(
    app_onyx: tuple[Flask, Onyx], written: list[dict[str, Any]], user: Callable[..., Any]
):
    app, onyx = app_onyx
    record = user(9, userRoles=[{"id": "u9:r1", "roleId": "r1", "createdAt": "2026-01-01"}])
    with app.app_context():
        onyx.db.cascade("userRoles:UserRole(userId, id)").save("User", record)
        onyx.db.cascade("userRoles").delete("User", "u009")
        onyx.get_db("analytics").save("User", user(10))
    assert [(item["operation"], item["relationships"]) for item in written] == [
        ("save", ["userRoles:UserRole(userId, id)"]),
        ("delete", ["userRoles"]),
        ("save", []),
    ]
    assert written[2]["bind"] == "analytics"


def test_failed_writes_and_other_clients_send_nothing(
    app_onyx: tuple[Flask, Onyx],
    written: list[dict[str, Any]],
    user: Callable[..., Any],
    onyx_options: dict[str, Any],
):
    app, onyx = app_onyx
    client = onyx.get_client(app)
    client.insert("User", [user(1)])
    with pytest.raises(Exception, match="409"):
        client.insert("User", [user(1)])
    with init(**onyx_options) as other:  # not the extension's client
        other.save("User", user(2))
    assert [item["operation"] for item in written] == ["insert"]


def test_core_write_listener_for_any_client(onyx_options: dict[str, Any], user: Callable[..., Any]):
    seen: list[Any] = []
    with init(**onyx_options) as db:
        remove = add_write_listener(seen.append, client=db)
        try:
            db.with_options(partition=None).save("User", user(1))
        finally:
            remove()
        db.save("User", user(2))
    assert [(event.operation, event.records[0]["id"]) for event in seen] == [("save", "u001")]
