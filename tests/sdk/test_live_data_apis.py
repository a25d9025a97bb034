"""Schema, secrets, documents and the AI routes against Onyx Local over real HTTP.

Schema writes run on a server of their own, so the shared session server keeps its schema.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import onyx_database
from onyx_database import (
    AsyncOnyxDatabase,
    Document,
    OnyxDatabase,
    OnyxHTTPError,
    OnyxNotFoundError,
    SchemaDiff,
)
from onyx_database.local import LocalServer

from .integration import client_config, sdk_schema


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(tmp_path_factory.mktemp("sdk-schema"), schema=sdk_schema()) as server:
        yield server


@pytest.fixture
def schema_db(schema_server: LocalServer) -> Iterator[OnyxDatabase]:
    with onyx_database.init(config=client_config(schema_server)) as database:
        yield database


def with_table(schema: dict[str, Any], name: str) -> dict[str, Any]:
    changed = copy.deepcopy(schema)
    changed["entities"].append(
        {
            "name": name,
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [{"name": "id", "type": "String"}],
        }
    )
    return changed


# -- schema ------------------------------------------------------------------------------------


def test_schema_get_validate_update_history_diff(schema_db: OnyxDatabase, tmp_path: Path) -> None:
    current = schema_db.get_schema()
    assert current["databaseId"] == schema_db.database_id
    names = {entity["name"] for entity in current["entities"]}
    assert {"User", "Role", "Item"} <= names
    assert "entityText" not in str(current)
    subset = schema_db.get_schema(tables=["User", "Role"])
    assert {entity["name"] for entity in subset["entities"]} == {"User", "Role"}

    local = with_table(current, "Invoice")
    assert schema_db.validate_schema(local)["valid"] is True
    broken = copy.deepcopy(local)
    broken["entities"][-1].pop("name")
    invalid = schema_db.validate_schema(broken)
    assert invalid["valid"] is False and invalid["errors"]

    diff = schema_db.diff_schema(local)
    assert isinstance(diff, SchemaDiff)
    assert diff.added_tables == ["Invoice"] and not diff.removed_tables
    path = tmp_path / "onyx.schema.json"
    path.write_text(__import__("json").dumps(local))
    assert schema_db.diff_schema(path) == diff

    before = len(schema_db.get_schema_history())
    revision = schema_db.update_schema(local, publish=True)
    assert "Invoice" in {entity["name"] for entity in revision["entities"]}
    assert not schema_db.diff_schema(local)
    assert len(schema_db.get_schema_history()) == before + 1
    schema_db.save("Invoice", {"id": "inv-1"})
    assert schema_db.find_by_id("Invoice", "inv-1") == {"id": "inv-1"}
    with pytest.raises(onyx_database.OnyxClientError):
        schema_db.update_schema(broken)


@pytest.mark.anyio
async def test_async_schema(schema_server: LocalServer) -> None:
    async with onyx_database.init_async(config=client_config(schema_server)) as adb:
        current = await adb.get_schema(tables="User")
        assert [entity["name"] for entity in current["entities"]] == ["User"]
        full = await adb.get_schema()
        assert (await adb.validate_schema(full))["valid"] is True
        assert not await adb.diff_schema(full)
        history = await adb.get_schema_history()
        assert history and all("entities" in revision for revision in history)
        revision = await adb.update_schema(with_table(full, "Shipment"), publish=True)
        assert "Shipment" in {entity["name"] for entity in revision["entities"]}


# -- secrets -----------------------------------------------------------------------------------


def test_secrets_round_trip(db: OnyxDatabase, caplog: pytest.LogCaptureFixture) -> None:
    key = f"stripe-{uuid.uuid4().hex[:8]}"
    value = f"sk_live_{uuid.uuid4().hex}"
    caplog.set_level(logging.INFO, logger="onyx_database")
    logged = db.with_options()  # same pool
    meta = logged.put_secret(key, value, purpose="payments")
    assert meta["key"] == key and "value" not in meta
    assert key in {secret["key"] for secret in db.list_secrets()}
    record = db.get_secret(key)
    assert (record["key"], record["value"], record["purpose"]) == (key, value, "payments")
    db.put_secret(key, {"value": value + "-2", "purpose": "rotated"})
    assert db.get_secret(key)["value"] == value + "-2"
    assert db.delete_secret(key) is True
    with pytest.raises(OnyxNotFoundError) as info:
        db.get_secret(key)
    assert value not in str(info.value)
    assert value not in caplog.text


def test_secret_bodies_stay_out_of_debug_logs(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    value = f"sk_live_{uuid.uuid4().hex}"
    caplog.set_level(logging.INFO, logger="onyx_database")
    with onyx_database.init(config=client_config(server, debug=True)) as db:
        db.put_secret("logged-key", value)
        assert db.get_secret("logged-key")["value"] == value
        db.delete_secret("logged-key")
    assert "secret/logged-key" in caplog.text
    assert value not in caplog.text


@pytest.mark.anyio
async def test_async_secrets(adb: AsyncOnyxDatabase) -> None:
    key = f"async-{uuid.uuid4().hex[:8]}"
    await adb.put_secret(key, "v1")
    assert (await adb.get_secret(key))["value"] == "v1"
    assert key in {secret["key"] for secret in await adb.list_secrets()}
    assert await adb.delete_secret(key) is True


# -- documents ---------------------------------------------------------------------------------

BINARY = bytes(range(256)) * 4 + b"\x00\xff\x00"


def test_documents_round_trip_binary_exactly(db: OnyxDatabase) -> None:
    doc_id = f"logo-{uuid.uuid4().hex[:6]}.png"
    saved = db.save_document(
        document_id=doc_id, path="/brand/logo.png", mime_type="image/png", content=BINARY
    )
    assert saved["documentId"] == doc_id
    document = db.get_document(doc_id)
    assert isinstance(document, Document)
    assert document.data == BINARY
    assert (document.document_id, document.mime_type, document.path) == (
        doc_id,
        "image/png",
        "/brand/logo.png",
    )
    db.save_document({"documentId": doc_id, "content": b"v2", "mimeType": "text/plain"})
    assert db.get_document(doc_id).data == b"v2"
    assert db.delete_document(doc_id) is True
    with pytest.raises(OnyxNotFoundError):
        db.get_document(doc_id)


@pytest.mark.anyio
async def test_async_documents(adb: AsyncOnyxDatabase) -> None:
    doc_id = f"notes/{uuid.uuid4().hex[:6]}.txt"  # a "/" in the id is one path segment
    await adb.save_document(document_id=doc_id, content="héllo".encode(), mime_type="text/plain")
    assert (await adb.get_document(doc_id)).data == "héllo".encode()
    assert await adb.delete_document(doc_id) is True


# -- AI (Onyx Local has no AI service) ---------------------------------------------------------


def test_ai_routes_on_onyx_local_raise_a_clear_http_error(server: LocalServer) -> None:
    with onyx_database.init(config=client_config(server, ai_base_url=server.url)) as db:
        for call in (
            lambda: db.chat("Hi"),
            lambda: db.ai.chat("Hi"),
            lambda: list(db.ai.chat("Hi", stream=True)),
            db.ai.get_models,
            lambda: db.ai.get_model("onyx"),
            lambda: db.ai.request_script_approval("db.save({})"),
        ):
            with pytest.raises(OnyxHTTPError) as info:
                call()
            assert info.value.status == 501
            assert info.value.message


@pytest.mark.anyio
async def test_async_ai_routes_on_onyx_local(server: LocalServer) -> None:
    async with onyx_database.init_async(config=client_config(server, ai_base_url=server.url)) as db:
        with pytest.raises(OnyxHTTPError) as info:
            await db.chat("Hi")
        assert info.value.status == 501
        stream = await db.ai.chat("Hi", stream=True)
        with pytest.raises(OnyxHTTPError):
            async for _chunk in stream:
                pass
