"""LocalServer lifecycle, credentials, restarts, schema routes and the CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from onyx_database.local import LocalServer

from .conftest import Api, schema


def _client(server: LocalServer) -> httpx.Client:
    headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
    return httpx.Client(base_url=server.url, headers=headers)


def test_credentials_file_is_private_and_canonical(tmp_path: Path) -> None:
    with LocalServer(tmp_path) as server:
        path = tmp_path / "onyx-database.json"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        stored = json.loads(path.read_text())
        assert stored == server.config()
        assert set(stored) == {"databaseId", "baseUrl", "aiBaseUrl", "apiKey", "apiSecret"}
        assert stored["baseUrl"] == stored["aiBaseUrl"] == server.url
        assert server.url.startswith("http://127.0.0.1:")


def test_restart_keeps_ids_data_and_schema_and_rewrites_base_url(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=schema()) as first:
        config = first.config()
        with _client(first) as client:
            assert (
                client.put(f"/data/{first.database_id}/Item", json={"id": "kept"}).status_code
                == 200
            )
        port = first.port
    with socket.socket() as probe:  # the port was released
        probe.bind(("127.0.0.1", port))
    with LocalServer(tmp_path) as second:
        assert second.database_id == config["databaseId"]
        assert second.api_secret == config["apiSecret"]
        assert json.loads((tmp_path / "onyx-database.json").read_text())["baseUrl"] == second.url
        with _client(second) as client:
            assert client.get(f"/data/{second.database_id}/Item/kept").status_code == 200


def test_publishing_a_changed_schema_keeps_rows(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=schema()) as server, _client(server) as client:
        db = server.database_id
        client.put(f"/data/{db}/Item", json={"id": "a", "name": "before", "qty": 3})
        changed = schema()
        item = changed["entities"][0]
        item["attributes"].append({"name": "color", "type": "String", "isNullable": True})
        item["indexes"] = [{"name": "color", "type": "DEFAULT"}]
        response = client.put(f"/schemas/{db}", params={"publish": "true"}, json=changed)
        assert response.status_code == 200, response.text
        row = client.get(f"/data/{db}/Item/a").json()
        assert row["name"] == "before"
        assert row["color"] is None
        client.put(f"/data/{db}/Item", json={"id": "b", "color": "red"})
        body = {"conditions": {"criteria": {"field": "color", "operator": "EQUAL", "value": "red"}}}
        assert client.put(f"/data/{db}/query/count/Item", json=body).json() == 1


def test_new_identifier_rebuilds_the_table_and_keeps_rows(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=schema()) as server, _client(server) as client:
        db = server.database_id
        client.put(f"/data/{db}/Item", json={"id": "a", "name": "n1"})
        changed = schema()
        changed["entities"][0]["identifier"]["name"] = "name"
        server.publish_schema(changed)
        assert client.get(f"/data/{db}/Item/n1").json()["id"] == "a"


def test_reset_data_empties_tables_but_keeps_schema(api: Api) -> None:
    api.save("Item", {"id": "a"})
    api.save("Ticket", {"title": "t"})
    api.server.reset_data()
    assert api.count("Item") == 0
    assert api.save("Ticket", {"title": "t"}).json()["id"] == 1


def test_invalid_schema_at_start_raises(tmp_path: Path) -> None:
    bad = {"entities": [{"name": "X", "attributes": [], "identifier": {"name": "id"}}]}
    with pytest.raises(ValueError, match="identifier 'id' is not declared"):
        LocalServer(tmp_path, schema=bad).start()


def test_get_schema_strips_entity_text_and_overrides_database_id(api: Api) -> None:
    response = api.client.get(f"/schemas/{api.db}")
    revision = response.json()
    assert revision["databaseId"] == api.db
    assert "entityText" not in json.dumps(revision)
    assert set(revision["meta"]) == {"revisionId", "createdAt", "publishedAt"}
    assert revision["meta"]["publishedAt"].endswith("Z")
    names = [e["name"] for e in revision["entities"]]
    assert names == ["Item", "Note", "Ticket", "Event", "Person"]
    for query in ("tables=Item,Ticket", "tables=Item%2CTicket", "tables=Item%252CTicket"):
        filtered = api.client.get(f"/schemas/{api.db}?{query}").json()
        assert [e["name"] for e in filtered["entities"]] == ["Item", "Ticket"], query
    assert api.client.get(f"/database/{api.db}/schema").json()["entities"] == revision["entities"]


def test_schema_history_in_both_paths(api: Api) -> None:
    saved = api.client.put(f"/schemas/{api.db}", json=schema())  # saved, not published
    assert saved.json()["meta"]["publishedAt"] is None
    history = api.client.get(f"/schemas/history/{api.db}").json()
    assert history[0]["meta"]["revisionId"] == saved.json()["meta"]["revisionId"]
    assert api.client.get(f"/schemas/{api.db}/history").json() == history
    current = api.client.get(f"/schemas/{api.db}").json()
    assert current["meta"]["publishedAt"] is not None


def _one(entity: dict[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "A",
        "identifier": {"name": "id"},
        "attributes": [{"name": "id", "type": "String"}],
    }
    return {"entities": [{**base, **entity}]}


BAD_SCHEMAS: list[tuple[dict[str, Any], str]] = [
    (_one({"attributes": [{"name": "id", "type": "Integer"}]}), "unknown type 'Integer'"),
    (
        _one({"attributes": [{"name": "id", "type": "String"}, {"name": "id", "type": "Int"}]}),
        "duplicate attribute 'id'",
    ),
    (_one({"identifier": {"name": "key"}}), "identifier 'key' is not declared"),
    (_one({"identifier": {"name": "id", "generator": "Random"}}), "generator 'Random'"),
    (_one({"partition": "tenant"}), "partition attribute 'tenant'"),
    (_one({"indexes": [{"name": "id", "type": "BTREE"}]}), "unknown type 'BTREE'"),
    (_one({"name": "bad name"}), "must match"),
    (_one({"identifier": {"name": "id", "generator": "Sequence"}}), "must be an integer type"),
    ({"nothing": []}, "entities"),
]


@pytest.mark.parametrize(("doc", "message"), BAD_SCHEMAS)
def test_validate_names_the_problem(api: Api, doc: dict[str, Any], message: str) -> None:
    response = api.client.post(f"/schemas/{api.db}/validate", json=doc)
    assert response.status_code == 400
    body = response.json()
    assert body["valid"] is False
    assert any(message in e["message"] for e in body["errors"]), body["errors"]
    rejected = api.client.put(f"/schemas/{api.db}", params={"publish": "true"}, json=doc)
    assert rejected.status_code == 400
    assert message in rejected.json()["error"]["message"]


def test_validate_accepts_a_good_schema(api: Api) -> None:
    response = api.client.post(f"/schemas/{api.db}/validate", json=schema())
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["errors"] == []
    assert "entityText" not in json.dumps(body["schema"])


def test_cli_runs_until_sigterm_without_printing_the_secret(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "onyx_database.local", "--port", "0", "--data", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Onyx Local listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        config = json.loads((tmp_path / "onyx-database.json").read_text())
        assert config["baseUrl"] == url
        banner = first + "".join(process.stdout.readline() for _ in range(3))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        # communicate() reads the raw pipe, past what readline() buffered; read the files instead.
        out = banner + process.stdout.read()
        assert process.stderr is not None
        err = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert config["apiSecret"] not in out + err
    assert "credentials:" in out
