"""get_or_404, first_or_404 and paginate through real routes and Flask's test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from onyx_database import asc, eq
from onyx_flask import Onyx, Pagination

User = Callable[..., dict[str, Any]]


@pytest.fixture
def app(app_and_onyx: tuple[Flask, Onyx]) -> Flask:
    app, onyx = app_and_onyx

    @app.get("/users/<user_id>")
    def get_user(user_id: str) -> dict[str, Any]:
        record = onyx.get_or_404("User", user_id, description=f"No user {user_id}.")
        return {"id": record["id"], "email": record["email"]}

    @app.get("/by-email/<email>")
    def by_email(email: str) -> dict[str, Any]:
        query = onyx.db.from_table("User").where(eq("email", email))
        return {"id": onyx.first_or_404(query)["id"]}

    @app.get("/users")
    def list_users() -> dict[str, Any]:
        page = onyx.paginate(onyx.db.from_table("User").order_by(asc("id")))
        return {
            "ids": [record["id"] for record in page],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
            "has_next": page.has_next,
            "has_prev": page.has_prev,
            "next_num": page.next_num,
            "prev_num": page.prev_num,
            "first": page.first,
            "last": page.last,
        }

    return app


@pytest.fixture
def onyx(app_and_onyx: tuple[Flask, Onyx]) -> Onyx:
    return app_and_onyx[1]


def _seed(app: Flask, onyx: Onyx, user: User, count: int) -> list[str]:
    records = [user(number) for number in range(1, count + 1)]
    with app.app_context():
        onyx.db.batch_save("User", records)
    return [record["id"] for record in records]


def test_get_or_404(app: Flask, onyx: Onyx, user: User):
    _seed(app, onyx, user, 1)
    client = app.test_client()
    found = client.get("/users/u001")
    assert found.status_code == 200
    assert found.get_json() == {"id": "u001", "email": "user1@example.com"}
    missing = client.get("/users/nobody")
    assert missing.status_code == 404
    assert "No user nobody." in missing.get_data(as_text=True)


def test_first_or_404(app: Flask, onyx: Onyx, user: User):
    _seed(app, onyx, user, 2)
    client = app.test_client()
    assert client.get("/by-email/user2@example.com").get_json() == {"id": "u002"}
    assert client.get("/by-email/nobody@example.com").status_code == 404


def test_paginate_walks_every_record_once(app: Flask, onyx: Onyx, user: User):
    ids = _seed(app, onyx, user, 7)
    client = app.test_client()
    seen: list[str] = []
    pages = []
    for number in (1, 2, 3):
        body = client.get(f"/users?page={number}&per_page=3").get_json()
        pages.append(body)
        seen += body["ids"]
    assert seen == ids  # every record once, in order
    assert [len(body["ids"]) for body in pages] == [3, 3, 1]
    assert {body["total"] for body in pages} == {7}
    assert {body["pages"] for body in pages} == {3}
    first, middle, last = pages
    assert (first["has_prev"], first["prev_num"], first["has_next"], first["next_num"]) == (
        False,
        None,
        True,
        2,
    )
    assert (middle["prev_num"], middle["next_num"]) == (1, 3)
    assert (last["has_next"], last["next_num"], last["prev_num"]) == (False, None, 2)
    assert (first["first"], first["last"], last["first"], last["last"]) == (1, 3, 7, 7)


def test_paginate_reads_defaults_and_404s_out_of_range(app: Flask, onyx: Onyx, user: User):
    _seed(app, onyx, user, 7)
    client = app.test_client()
    default = client.get("/users").get_json()
    assert (default["page"], default["per_page"], len(default["ids"])) == (1, 20, 7)
    assert client.get("/users?page=4&per_page=3").status_code == 404
    assert client.get("/users?page=0").status_code == 404
    assert client.get("/users?page=abc").status_code == 404
    assert client.get("/users?per_page=-1").status_code == 404
    capped = client.get("/users?per_page=5000").get_json()
    assert capped["per_page"] == 100


def test_paginate_empty_table_first_page_is_not_404(app: Flask):
    body = app.test_client().get("/users").get_json()
    assert (body["ids"], body["total"], body["pages"], body["has_next"]) == ([], 0, 0, False)


def test_paginate_outside_a_request_and_without_error_out(app: Flask, onyx: Onyx, user: User):
    _seed(app, onyx, user, 5)
    with app.app_context():
        query = onyx.db.from_table("User").order_by(asc("id"))
        page = onyx.paginate(query, per_page=2)
        assert isinstance(page, Pagination)
        assert [r["id"] for r in page.items] == ["u001", "u002"]
        assert [r["id"] for r in page.next().items] == ["u003", "u004"]
        assert page.next().next().prev().page == 2
        assert onyx.paginate(query, page=9, per_page=2, error_out=False).items == []
        assert onyx.paginate(query, page=0, per_page=0, error_out=False).page == 1
        with pytest.raises(NotFound):
            onyx.paginate(query, page=9, per_page=2)


def test_paginate_without_count_still_knows_has_next(app: Flask, onyx: Onyx, user: User):
    _seed(app, onyx, user, 4)
    with app.app_context():
        query = onyx.db.from_table("User").order_by(asc("id"))
        first = onyx.paginate(query, per_page=2, count=False)
        assert (first.total, first.pages, first.has_next, first.next_num) == (None, 0, True, 2)
        second = onyx.paginate(query, page=2, per_page=2, count=False)
        assert [r["id"] for r in second] == ["u003", "u004"]
        assert second.has_next is False


def test_iter_pages_matches_flask_sqlalchemy(app: Flask, onyx: Onyx, user: User):
    _seed(app, onyx, user, 12)
    with app.app_context():
        query = onyx.db.from_table("User").order_by(asc("id"))
        page = onyx.paginate(query, page=6, per_page=1)
        assert list(page.iter_pages()) == [1, 2, None, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        page = onyx.paginate(query, page=1, per_page=1)
        assert list(page.iter_pages()) == [1, 2, 3, 4, 5, None, 11, 12]
        single = onyx.paginate(query, per_page=20)
        assert list(single.iter_pages()) == [1]


def test_paginate_request_cost(app: Flask, onyx: Onyx, user: User, server: Any):
    _seed(app, onyx, user, 7)
    with app.app_context():
        query = onyx.db.from_table("User").order_by(asc("id"))
        for number in (1, 3):
            server.reset_request_counts()
            page = onyx.paginate(query, page=number, per_page=3)
            assert page.items
            assert server.request_count("PUT", "/data/{db}/query/User") == 1
            assert server.request_count("PUT", "/data/{db}/query/count/User") == 1
        server.reset_request_counts()
        onyx.paginate(query, page=2, per_page=3, count=False)
        assert server.request_count("PUT", "/data/{db}/query/User") == 1
        assert server.request_count("PUT", "/data/{db}/query/count/User") == 0


def test_deep_pages_read_keys_then_the_window(app: Flask, onyx: Onyx, user: User, server: Any):
    _seed(app, onyx, user, 130)
    with app.app_context():
        query = onyx.db.from_table("User").order_by(asc("id"))
        server.reset_request_counts()
        page = onyx.paginate(query, page=12, per_page=11, count=False)
        assert [item["id"] for item in page.items] == [f"u{n:03d}" for n in range(122, 131)]
        assert not page.has_next
        # one key-only scan up to the window's end, one read of the window's records
        assert server.request_count("PUT", "/data/{db}/query/User") == 2
        deep = onyx.paginate(query, page=11, per_page=11, count=False)
        assert [item["id"] for item in deep.items] == [f"u{n:03d}" for n in range(111, 122)]
        assert deep.has_next
