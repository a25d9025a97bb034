"""models_committed: one signal per app context with all of its writes, over real HTTP."""

from __future__ import annotations

import contextvars
import doctest
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, g

from onyx_database import eq
from onyx_flask import Change, Onyx, _batches
from onyx_flask.signals import models_committed, records_written

MakeApp = Callable[..., tuple[Flask, Onyx]]
Batches = list[dict[str, Any]]


@pytest.fixture
def app_onyx(
    make_app: MakeApp, onyx_options: dict[str, Any], analytics_options: dict[str, Any]
) -> tuple[Flask, Onyx]:
    return make_app(ONYX=onyx_options, ONYX_BINDS={"analytics": analytics_options})


def _listen(app: Flask) -> tuple[Batches, Callable[..., None]]:
    seen: Batches = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        assert sender is app
        seen.append(kwargs)

    models_committed.connect(receiver, sender=app)
    return seen, receiver


@pytest.fixture
def committed(app_onyx: tuple[Flask, Onyx]) -> Iterator[Batches]:
    app, _ = app_onyx
    seen, receiver = _listen(app)
    yield seen
    models_committed.disconnect(receiver, sender=app)


def _ops(batch: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(change.operation, change.table, change.bind) for change in batch["changes"]]


def test_one_signal_per_request_with_every_write_in_order(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx
    written: list[tuple[str, int]] = []

    def each_write(sender: Flask, operation: str, **extra: Any) -> None:
        written.append((operation, len(committed)))  # per write, before the teardown's signal

    records_written.connect(each_write, sender=app)

    @app.post("/writes")
    def writes() -> Any:
        db = onyx.db
        db.save("User", user(1))
        db.batch_save("User", [user(n) for n in range(2, 7)], batch_size=3)
        db.insert("User", [user(7)])
        db.delete("User", "u007")
        db.from_table("User").where(eq("id", "u006")).set_updates(username="six").update()
        db.from_table("User").where(eq("id", "u005")).delete()
        onyx.get_db("analytics").save("User", user(8))
        db.find_by_id("User", "u001")  # reads are not changes
        return {"ok": True}

    @app.post("/analytics")
    def analytics() -> Any:
        onyx.get_db("analytics").save("User", user(9))
        return {"ok": True}

    try:
        client = app.test_client()
        assert client.post("/writes").status_code == 200
        assert len(committed) == 1
        batch = committed[0]
        assert batch["exception"] is None
        assert _ops(batch) == [
            ("save", "User", None),
            ("save", "User", None),
            ("save", "User", None),
            ("insert", "User", None),
            ("delete", "User", None),
            ("update_query", "User", None),
            ("delete_query", "User", None),
            ("save", "User", "analytics"),
        ]
        changes: list[Change] = batch["changes"]
        assert all(isinstance(change, Change) for change in changes)
        assert [record["id"] for record in changes[0].records] == ["u001"]
        assert [record["id"] for record in changes[1].records] == ["u002", "u003", "u004"]
        assert [record["id"] for record in changes[2].records] == ["u005", "u006"]
        assert changes[4].ids == ("u007",) and changes[4].records == ()
        assert changes[5].count == 1 and changes[6].count == 1
        assert changes[7].records[0]["id"] == "u008"
        assert written == [(change.operation, 0) for change in changes]

        assert client.post("/analytics").status_code == 200
        assert len(committed) == 2
        assert _ops(committed[1]) == [("save", "User", "analytics")]
        assert written[-1] == ("save", 1)
    finally:
        records_written.disconnect(each_write, sender=app)


def test_cascade_relationships_are_kept(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx
    record = user(9, userRoles=[{"id": "u9:r1", "roleId": "r1", "createdAt": "2026-01-01"}])
    with app.app_context():
        onyx.db.cascade("userRoles:UserRole(userId, id)").save("User", record)
        onyx.db.cascade("userRoles").delete("User", "u009")
    assert [(c.operation, c.relationships) for c in committed[0]["changes"]] == [
        ("save", ("userRoles:UserRole(userId, id)",)),
        ("delete", ("userRoles",)),
    ]


def test_no_signal_when_nothing_was_written(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx

    @app.get("/count")
    def count() -> Any:
        return {"count": onyx.db.from_table("User").count()}

    @app.post("/conflict")
    def conflict() -> Any:
        onyx.db.insert("User", [user(1)])
        return {"ok": True}

    client = app.test_client()
    assert client.get("/count").get_json() == {"count": 0}
    with app.app_context():
        onyx.db.find_by_id("User", "u001")
    assert committed == []
    onyx.get_client(app).insert("User", [user(1)])  # outside any app context: not batched
    assert committed == []
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post("/conflict").status_code == 500  # a failed write is not a change
    assert len(committed) == 0


def test_manually_pushed_and_nested_app_contexts_batch_separately(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx
    with app.app_context():
        onyx.db.save("User", user(1))
        with app.app_context():
            onyx.db.save("User", user(2))
        assert [[c.records[0]["id"] for c in b["changes"]] for b in committed] == [["u002"]]
        onyx.db.save("User", user(3))
    assert [[c.records[0]["id"] for c in b["changes"]] for b in committed] == [
        ["u002"],
        ["u001", "u003"],
    ]
    assert [b["exception"] for b in committed] == [None, None]


def test_a_test_client_request_inside_an_app_context_joins_it(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx

    @app.post("/save")
    def save() -> Any:
        onyx.db.save("User", user(2))
        return {"ok": True}

    with app.app_context():
        onyx.db.save("User", user(1))
        assert app.test_client().post("/save").status_code == 200  # Flask reuses this context
        assert committed == []
    assert [[c.records[0]["id"] for c in b["changes"]] for b in committed] == [["u001", "u002"]]


def test_a_failed_request_still_sends_with_the_exception(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx

    @app.post("/half")
    def half() -> Any:
        onyx.db.save("User", user(1))
        raise RuntimeError("after the write")

    client = app.test_client()
    with pytest.raises(RuntimeError, match="after the write"):
        client.post("/half")  # TESTING propagates the exception
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post("/half").status_code == 500
    assert len(committed) == 2
    for batch in committed:
        assert isinstance(batch["exception"], RuntimeError)
        assert _ops(batch) == [("save", "User", None)]

    def manual() -> None:
        with app.app_context():
            onyx.db.save("User", user(2))
            raise KeyError("in a manual context")

    with pytest.raises(KeyError):
        manual()
    assert isinstance(committed[2]["exception"], KeyError)
    assert committed[2]["changes"][0].records[0]["id"] == "u002"


def test_two_apps_do_not_mix(
    make_app: MakeApp, onyx_options: dict[str, Any], user: Callable[..., Any]
):
    shared = Onyx()
    first, _ = make_app(shared, ONYX=onyx_options)
    second, _ = make_app(shared, ONYX=onyx_options)
    first_seen, first_receiver = _listen(first)
    second_seen, second_receiver = _listen(second)
    try:

        @first.post("/save")
        def save_first() -> Any:
            shared.db.save("User", user(1))
            shared.get_client(second).save("User", user(2))  # the other app's client
            return {"ok": True}

        assert first.test_client().post("/save").status_code == 200
        assert [c.records[0]["id"] for c in first_seen[0]["changes"]] == ["u001"]
        assert second_seen == []  # not in an app context of the second app: not batched
        with second.app_context():
            shared.db.save("User", user(3))
        assert len(first_seen) == 1
        assert [c.records[0]["id"] for c in second_seen[0]["changes"]] == ["u003"]
    finally:
        models_committed.disconnect(first_receiver, sender=first)
        models_committed.disconnect(second_receiver, sender=second)


def test_other_threads_do_not_leak_into_a_requests_batch(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx
    errors: list[BaseException] = []

    def run(target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except BaseException as error:  # reported to the test below
                errors.append(error)

        # a fresh contextvars context: no Flask context even where threads inherit the caller's
        thread = threading.Thread(target=contextvars.Context().run, args=(guarded,))
        thread.start()
        thread.join()

    def without_context() -> None:
        onyx.get_client(app).save("User", user(2))

    def with_own_context() -> None:
        with app.app_context():
            onyx.db.save("User", user(3))

    @app.post("/threads")
    def threads() -> Any:
        onyx.db.save("User", user(1))
        run(without_context)
        run(with_own_context)
        onyx.db.save("User", user(4))
        return {"ok": True}

    assert app.test_client().post("/threads").status_code == 200
    assert errors == []
    assert [[c.records[0]["id"] for c in b["changes"]] for b in committed] == [
        ["u003"],  # the thread's own app context, sent when it tore down
        ["u001", "u004"],
    ]


def test_nothing_is_collected_without_a_receiver(
    make_app: MakeApp, app_onyx: tuple[Flask, Onyx], user: Callable[..., Any], onyx_options: Any
):
    app, onyx = app_onyx
    other, _ = make_app(ONYX=onyx_options)
    other_seen, other_receiver = _listen(other)  # a receiver for another app only
    batches: list[object] = []

    @app.post("/save")
    def save() -> Any:
        onyx.db.save("User", user(1))
        batches.append(g.get(_batches._G_CHANGES))
        return {"ok": True}

    try:
        assert app.test_client().post("/save").status_code == 200
    finally:
        models_committed.disconnect(other_receiver, sender=other)
    assert app.test_client().post("/save").status_code == 200
    assert batches == [None, None]
    assert other_seen == []


def test_a_receiver_that_raises_propagates_like_a_teardown_function(
    app_onyx: tuple[Flask, Onyx], committed: Batches, user: Callable[..., Any]
):
    app, onyx = app_onyx
    calls: list[int] = []

    def failing(sender: Flask, changes: list[Change], **extra: Any) -> None:
        calls.append(len(changes))
        onyx.db.save("User", user(99))  # a receiver's own writes are not batched
        raise ValueError("receiver failed")

    models_committed.connect(failing, sender=app)
    try:
        with pytest.raises(ValueError, match="receiver failed"), app.app_context():
            onyx.db.save("User", user(1))

        @app.post("/save")
        def save() -> Any:
            onyx.db.save("User", user(2))
            return {"ok": True}

        with pytest.raises(ValueError, match="receiver failed"):
            app.test_client().post("/save")
    finally:
        models_committed.disconnect(failing, sender=app)
    assert calls == [1, 1]
    assert len(committed) == 2  # connected first, so it ran before the failing receiver
    with app.app_context():
        onyx.db.save("User", user(3))  # the app keeps working
    assert len(committed) == 3 and calls == [1, 1]
    assert _ops(committed[2]) == [("save", "User", None)]


def test_the_docstring_examples_run() -> None:
    assert doctest.testmod(_batches).failed == 0
    globs = {"models_committed": models_committed}
    runner = doctest.DocTestRunner()
    parsed = doctest.DocTestParser().get_doctest(
        models_committed.__doc__ or "", globs, "models_committed", None, 0
    )
    assert parsed.examples
    assert runner.run(parsed).failed == 0
