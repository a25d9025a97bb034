"""Publishing a schema never loses stored data silently: refused with 409, dry run, opt-in."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import onyx_database
from onyx_database import OnyxConflictError
from onyx_database._cli import main
from onyx_database._config import resolve_config
from onyx_database.local import LocalServer


def _attr(name: str, kind: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "isNullable": name != "id"}


def _entity(name: str, *attributes: tuple[str, str], identifier: str = "id") -> dict[str, Any]:
    attrs = [_attr(n, k) for n, k in attributes]
    id_type = next(a["type"] for a in attrs if a["name"] == identifier)
    return {
        "name": name,
        "identifier": {"name": identifier, "generator": "None", "type": id_type},
        "partition": "",
        "attributes": attrs,
        "indexes": [],
        "resolvers": [],
        "triggers": [],
    }


BASE: dict[str, Any] = {
    "revisionDescription": "schema safety",
    "entities": [
        _entity("User", ("id", "String"), ("email", "String"), ("nick", "String")),
        _entity("UserProfile", ("id", "String"), ("phone", "String"), ("age", "String")),
        _entity("Legacy", ("id", "String"), ("note", "String")),
    ],
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def _table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in doc["entities"] if e["name"] == name)
    return found


def _with_email_identifier() -> dict[str, Any]:
    doc = base()
    _table(doc, "User")["identifier"] = {"name": "email", "generator": "None", "type": "String"}
    return doc


def _with_int_phone() -> dict[str, Any]:
    doc = base()
    for attribute in _table(doc, "UserProfile")["attributes"]:
        if attribute["name"] == "phone":
            attribute["type"] = "Int"
    return doc


class Http:
    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.db = server.database_id
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        self.client = httpx.Client(base_url=server.url, headers=headers, timeout=10)

    def publish(self, doc: dict[str, Any], **params: str) -> httpx.Response:
        return self.client.put(
            f"/schemas/{self.db}", params={"publish": "true", **params}, json=doc
        )

    def validate(self, doc: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"/schemas/{self.db}/validate", json=doc)

    def save(self, table: str, body: Any) -> None:
        response = self.client.put(f"/data/{self.db}/{table}", json=body)
        assert response.status_code == 200, response.text

    def records(self, table: str) -> list[dict[str, Any]]:
        response = self.client.put(f"/data/{self.db}/query/{table}", json={})
        assert response.status_code == 200, response.text
        records: list[dict[str, Any]] = response.json()["records"]
        return records

    def live_identifier(self, table: str) -> str:
        doc = self.client.get(f"/schemas/{self.db}").json()
        return str(_table(doc, table)["identifier"]["name"])


@pytest.fixture
def http(tmp_path: Path) -> Iterator[Http]:
    with LocalServer(tmp_path / "data", schema=base()) as server:
        api = Http(server)
        try:
            api.save(
                "User",
                [
                    {"id": "u1", "email": "a@x.io", "nick": "ann"},
                    {"id": "u2", "email": "shared@x.io"},
                    {"id": "u3", "email": "shared@x.io"},
                    {"id": "u4", "email": "shared@x.io"},
                    {"id": "u5", "email": "b@x.io"},
                ],
            )
            api.save(
                "UserProfile", [{"id": "p1", "phone": "555-1234"}, {"id": "p2", "phone": "42"}]
            )
            yield api
        finally:
            api.client.close()


def test_new_identifier_with_duplicates_is_refused_naming_table_attribute_and_count(
    http: Http,
) -> None:
    response = http.publish(_with_email_identifier())
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "SCHEMA_DATA_LOSS"
    assert body["dataLoss"] == [
        {
            "table": "User",
            "attribute": "email",
            "change": "identifier",
            "records": 2,
            "totalRecords": 5,
            "message": body["dataLoss"][0]["message"],
        }
    ]
    assert "User.email" in body["message"]
    assert "2 records of 5" in body["message"]
    assert "allowDataLoss=true" in body["message"]
    assert len(http.records("User")) == 5
    assert http.live_identifier("User") == "id"


def test_type_change_whose_values_do_not_convert_is_refused_then_allowed(http: Http) -> None:
    refused = http.publish(_with_int_phone())
    assert refused.status_code == 409, refused.text
    (loss,) = refused.json()["dataLoss"]
    assert (loss["table"], loss["attribute"], loss["change"], loss["records"]) == (
        "UserProfile",
        "phone",
        "type",
        1,
    )
    assert "String to Int" in loss["message"]
    assert {r["id"]: r["phone"] for r in http.records("UserProfile")} == {
        "p1": "555-1234",
        "p2": "42",
    }
    allowed = http.publish(_with_int_phone(), allowDataLoss="true")
    assert allowed.status_code == 200, allowed.text
    assert {r["id"]: r["phone"] for r in http.records("UserProfile")} == {"p1": None, "p2": 42}


def test_removed_attribute_and_removed_table_holding_data_are_refused(http: Http) -> None:
    http.save("Legacy", [{"id": "l1"}, {"id": "l2", "note": "keep me"}])
    doc = base()
    doc["entities"] = [e for e in doc["entities"] if e["name"] != "Legacy"]
    user = _table(doc, "User")
    user["attributes"] = [a for a in user["attributes"] if a["name"] != "nick"]
    response = http.publish(doc)
    assert response.status_code == 409, response.text
    found = {
        (d["table"], d["attribute"], d["change"], d["records"]) for d in response.json()["dataLoss"]
    }
    assert found == {("User", "nick", "removedAttribute", 1), ("Legacy", None, "removedTable", 2)}
    assert len(http.records("Legacy")) == 2


def test_changes_that_lose_nothing_publish_as_before(http: Http) -> None:
    doc = base()
    profile = _table(doc, "UserProfile")
    profile["attributes"].append(_attr("city", "String"))
    for attribute in profile["attributes"]:
        if attribute["name"] == "age":
            attribute["type"] = "Int"  # no value stored: nothing to lose
    doc["entities"] = [e for e in doc["entities"] if e["name"] != "Legacy"]  # empty table
    legacy_free = http.publish(doc)
    assert legacy_free.status_code == 200, legacy_free.text
    unique = copy.deepcopy(doc)
    _table(unique, "User")["identifier"] = {"name": "id", "generator": "None", "type": "String"}
    for attribute in _table(unique, "UserProfile")["attributes"]:
        if attribute["name"] == "phone":
            attribute["type"] = "EmbeddedObject"
    http.save("UserProfile", {"id": "p1", "phone": None})
    http.save("UserProfile", {"id": "p2", "phone": None})
    assert http.publish(unique).status_code == 200


def test_validate_is_a_dry_run_that_reports_the_loss(http: Http) -> None:
    response = http.validate(_with_email_identifier())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] is True
    assert [(d["table"], d["attribute"], d["records"]) for d in body["dataLoss"]] == [
        ("User", "email", 2)
    ]
    assert http.validate(base()).json()["dataLoss"] == []
    assert http.live_identifier("User") == "id"
    assert len(http.records("User")) == 5


def test_allowing_the_loss_publishes_and_drops_the_duplicates(http: Http) -> None:
    response = http.publish(_with_email_identifier(), allowDataLoss="true")
    assert response.status_code == 200, response.text
    assert http.live_identifier("User") == "email"
    assert len(http.records("User")) == 3


def test_saving_a_revision_without_publishing_is_not_refused(http: Http) -> None:
    response = http.client.put(f"/schemas/{http.db}", json=_with_email_identifier())
    assert response.status_code == 200, response.text
    assert len(http.records("User")) == 5


def test_local_server_publish_schema_refuses_unless_allowed(http: Http) -> None:
    with pytest.raises(ValueError, match=r"User\.email.*allow_data_loss=True"):
        http.server.publish_schema(_with_email_identifier())
    http.server.publish_schema(_with_email_identifier(), allow_data_loss=True)
    assert len(http.records("User")) == 3


def test_sdk_update_schema_conflict_and_opt_in(http: Http, tmp_path: Path) -> None:
    config = resolve_config(http.server.config(), environ={}, home=tmp_path, cwd=tmp_path)
    with onyx_database.init(config=config) as db:
        checked = db.validate_schema(_with_int_phone())
        assert [d["attribute"] for d in checked["dataLoss"]] == ["phone"]
        with pytest.raises(OnyxConflictError, match=r"UserProfile\.phone"):
            db.update_schema(_with_int_phone(), publish=True)
        db.update_schema(_with_int_phone(), publish=True, allow_data_loss=True)
    assert {r["id"]: r["phone"] for r in http.records("UserProfile")} == {"p1": None, "p2": 42}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_sdk_update_schema_conflict_and_opt_in(http: Http, tmp_path: Path) -> None:
    config = resolve_config(http.server.config(), environ={}, home=tmp_path, cwd=tmp_path)
    async with onyx_database.init_async(config=config) as db:
        with pytest.raises(OnyxConflictError, match=r"UserProfile\.phone"):
            await db.update_schema(_with_int_phone(), publish=True)
        await db.update_schema(_with_int_phone(), publish=True, allow_data_loss=True)
    assert {r["id"]: r["phone"] for r in http.records("UserProfile")} == {"p1": None, "p2": 42}


def _cli(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_diff_and_publish_show_the_loss_before_it_happens(
    http: Http, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    schema_file = tmp_path / "onyx.schema.json"
    schema_file.write_text(json.dumps(_with_email_identifier()), encoding="utf-8")
    config = http.server.config_path

    code, out, _ = _cli(capsys, config, "schema", "diff", str(schema_file))
    assert code == 0
    assert "Stored data that publishing would lose" in out
    assert "identifier" in out and "2 of 5" in out

    code, _, err = _cli(capsys, config, "schema", "diff", str(schema_file), "--json")
    assert "User.email" in err

    code, out, err = _cli(capsys, config, "schema", "publish", str(schema_file))
    assert code == 1
    assert "User.email" in err and "--allow-data-loss" in err
    assert "published" not in out
    assert http.live_identifier("User") == "id"

    code, out, err = _cli(
        capsys, config, "schema", "publish", str(schema_file), "--allow-data-loss"
    )
    assert code == 0, err
    assert "Schema published" in out
    assert http.live_identifier("User") == "email"
    assert len(http.records("User")) == 3


def test_a_schema_given_at_start_that_would_lose_data_stops_the_server(http: Http) -> None:
    data_dir = http.server.data_dir
    http.server.stop()
    with pytest.raises(ValueError, match=r"User\.email.*--allow-data-loss"):
        LocalServer(data_dir, schema=_with_email_identifier()).start()
    with LocalServer(data_dir) as restarted:  # unchanged: still keyed on id, all rows there
        assert restarted.database_id == http.db
        with httpx.Client(base_url=restarted.url, headers=dict(http.client.headers)) as client:
            count = client.put(f"/data/{http.db}/query/count/User", json={})
            assert count.json() == 5


def test_an_identifier_on_a_new_attribute_would_drop_every_row(http: Http) -> None:
    doc = base()
    user = _table(doc, "User")
    user["attributes"].append(_attr("handle", "String"))
    user["identifier"] = {"name": "handle", "generator": "None", "type": "String"}
    response = http.publish(doc)
    assert response.status_code == 409, response.text
    (loss,) = response.json()["dataLoss"]
    assert (loss["attribute"], loss["change"], loss["records"], loss["totalRecords"]) == (
        "handle",
        "identifier",
        5,
        5,
    )
