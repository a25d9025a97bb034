"""Credentials on every route, the database id in the path."""

from __future__ import annotations

import httpx
import pytest

from onyx_database.local import LocalServer

from .conftest import Api


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-onyx-key": "wrong", "x-onyx-secret": "wrong"},
        {"x-onyx-key": "KEY"},
        {"x-onyx-secret": "SECRET"},
    ],
)
@pytest.mark.parametrize("path", ["/data/{db}/Item/a", "/schemas/{db}", "/nowhere"])
def test_missing_or_wrong_credentials_are_401(
    local_server: LocalServer, headers: dict[str, str], path: str
) -> None:
    fixed = {
        k: local_server.api_key if v == "KEY" else local_server.api_secret if v == "SECRET" else v
        for k, v in headers.items()
    }
    with httpx.Client(base_url=local_server.url) as client:
        response = client.get(path.replace("{db}", local_server.database_id), headers=fixed)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert local_server.api_secret not in response.text


def test_wrong_database_id_is_404(api: Api) -> None:
    response = api.client.get("/data/another-db/Item/a")
    assert response.status_code == 404
    assert "database" in response.json()["message"]


def test_unknown_route_is_404_and_wrong_method_405(api: Api) -> None:
    assert api.client.get(f"/elsewhere/{api.db}").status_code == 404
    assert api.client.patch(api.data("Item/a")).status_code == 405
