"""The Flask example's forms carry Flask-WTF CSRF tokens: a POST without one is refused with
400, its pages and Flask-Admin's forms post theirs, the JSON API takes JSON only."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "flask_app"


@pytest.fixture
def example(onyx_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    from teamdir_flask import create_app, onyx

    app = create_app({"ONYX": onyx_options, "TESTING": True})
    yield app
    onyx.close(app)
    for name in [name for name in sys.modules if name.startswith("teamdir_flask")]:
        monkeypatch.delitem(sys.modules, name)


def _token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.text)
    assert match is not None, page.text
    return match.group(1)


def test_a_form_posted_without_its_token_is_400_and_writes_nothing(
    example: Flask, user: Any
) -> None:
    from teamdir_flask import onyx

    client = example.test_client()
    forged = client.post("/people/new", data={"username": "forged", "email": "f@example.com"})
    assert forged.status_code == 400
    assert "CSRF" in forged.text
    with example.app_context():
        onyx.db.save("User", user(1))
        assert onyx.db.from_table("User").count() == 1
    assert client.post("/people/u001/delete").status_code == 400
    assert client.post("/people/u001/edit", data={"username": "x"}).status_code == 400
    with example.app_context():
        assert [r["username"] for r in onyx.db.from_table("User").list()] == ["user1"]


def test_the_forms_post_their_token(example: Flask) -> None:
    client = example.test_client()
    token = _token(client, "/people/new")
    invalid = client.post("/people/new", data={"csrf_token": token, "username": "", "email": "x"})
    assert invalid.status_code == 200 and "This field is required." in invalid.text
    made = client.post(
        "/people/new",
        data={"csrf_token": token, "username": "ada", "email": "ada@example.com"},
    )
    assert made.status_code == 302
    member = made.headers["Location"]
    deleted = client.post(f"{member}/delete", data={"csrf_token": _token(client, member)})
    assert deleted.status_code == 302
    assert client.get(member).status_code == 404


def test_the_json_api_needs_no_token_but_json(example: Flask) -> None:
    client = example.test_client()
    made = client.post("/api/users", json={"username": "api.user", "email": "a@example.com"})
    assert made.status_code == 201, made.text
    as_form = client.post("/api/users", data={"username": "form.user", "email": "f@example.com"})
    assert as_form.status_code == 415
    plain = client.post(
        "/api/users",
        data='{"username": "plain.user", "email": "p@example.com"}',
        content_type="text/plain",
    )
    assert plain.status_code == 415


def test_flask_admin_forms_post_the_token(example: Flask) -> None:
    client = example.test_client()
    fields = {"username": "admin.made", "email": "am@example.com", "isActive": "y"}
    assert client.post("/admin/member/new/", data=fields).status_code == 400
    token = _token(client, "/admin/member/new/")
    made = client.post("/admin/member/new/", data={**fields, "csrf_token": token})
    assert made.status_code == 302, made.text
    listing = client.get("/admin/member/", query_string={"search": "admin.made"})
    assert "admin.made" in listing.text
    assert 'placeholder="Username, Email"' in listing.text
