"""Documents, secrets, the AI routes (501) and HTTPS."""

from __future__ import annotations

import base64
import os
import ssl
from pathlib import Path

import httpx
import pytest

from onyx_database.local import LocalServer

from .conftest import Api

BLOB = bytes(range(256)) * 3 + b"\x00\xff"


def test_document_round_trip_is_byte_exact(api: Api) -> None:
    body = {
        "documentId": "logo.png",
        "path": "/brand/logo.png",
        "mimeType": "image/png",
        "content": base64.b64encode(BLOB).decode(),
    }
    saved = api.client.put(api.data("document"), json=body)
    assert saved.status_code == 200
    assert saved.json()["content"] == ""
    assert saved.json()["documentId"] == "logo.png"
    got = api.client.get(api.data("document/logo.png"), params={"width": 64, "height": 64})
    assert got.status_code == 200
    assert got.content == BLOB  # the decoded raw content, as Onyx Cloud answers
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-onyx-document-id"] == "logo.png"
    assert got.headers["x-onyx-document-path"] == "%2Fbrand%2Flogo.png"
    listed = api.client.get(api.data("document")).json()
    assert [d["documentId"] for d in listed] == ["logo.png"]
    assert api.client.delete(api.data("document/logo.png")).json() is True
    assert api.client.get(api.data("document/logo.png")).status_code == 404
    assert api.client.delete(api.data("document/logo.png")).status_code == 404


def test_document_client_variants(api: Api) -> None:
    go = {"id": "g", "data": base64.b64encode(b"go").decode(), "mimeType": "text/plain"}
    assert api.client.put(api.data("document"), json=go).status_code == 200
    kotlin = {
        "documentId": "k", "path": "null", "mimeType": "text/plain", "content": "",
        "created": "08/27/2025 04:56:33 AM UTC", "updated": "08/27/2025 04:56:33 AM UTC",
    }  # fmt: skip
    saved = api.client.put(api.data("document"), json=kotlin).json()
    assert saved["created"] == "2025-08-27T04:56:33.000Z"
    assert api.client.get(api.data("document/g")).content == b"go"


def test_document_id_with_slashes_sent_unencoded(api: Api) -> None:
    # The official Python SDK puts ids in the path raw: /document/notes/a.txt
    body = {"documentId": "notes/a.txt", "content": base64.b64encode(b"nested").decode()}
    assert api.client.put(api.data("document"), json=body).status_code == 200
    got = api.client.get(api.data("document/notes/a.txt"))
    assert got.content == b"nested"
    assert got.headers["x-onyx-document-id"] == "notes%2Fa.txt"
    assert api.client.delete(api.data("document/notes/a.txt")).json() is True
    assert api.client.get(api.data("document/notes%2Fa.txt")).status_code == 404


def test_bad_document_is_400(api: Api) -> None:
    assert (
        api.client.put(api.data("document"), json={"documentId": "x", "content": "%%"}).status_code
        == 400
    )
    assert api.client.put(api.data("document"), json={"content": ""}).status_code == 400


def test_secrets_lifecycle(api: Api) -> None:
    base = f"/database/{api.db}/secret"
    put = api.client.put(f"{base}/stripe", json={"value": "sk-123", "purpose": "payments"})
    assert put.status_code == 200
    assert set(put.json()) == {"key", "purpose", "updatedAt"}
    created = api.client.post(base, json={"key": "smtp", "value": "pw", "purpose": None})
    assert created.json()["key"] == "smtp"
    listed = api.client.get(base).json()
    assert [s["key"] for s in listed["records"]] == ["smtp", "stripe"]
    assert listed["data"] == listed["records"]
    assert listed["meta"] == {"totalRecords": 2}
    assert "value" not in listed["records"][0]
    got = api.client.get(f"{base}/stripe").json()
    assert got["value"] == "sk-123" and got["purpose"] == "payments"
    assert api.client.delete(f"{base}/stripe").json() == {"key": "stripe"}
    assert api.client.get(f"{base}/stripe").status_code == 404
    assert api.client.delete(f"{base}/stripe").status_code == 404


def test_bad_secret_never_echoes_the_value(api: Api) -> None:
    response = api.client.put(f"/database/{api.db}/secret/k", json={"value": 12345678})
    assert response.status_code == 400
    assert "12345678" not in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
        ("GET", "/v1/models/onyx"),
        ("POST", "/api/script-approvals"),
        ("POST", "/v1/script/approval"),
    ],
)
def test_ai_routes_answer_501_after_auth(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path, json={})
    assert response.status_code == 501
    assert "no language model" in response.json()["error"]["message"]
    anonymous = httpx.request(method, api.server.url + path, json={})
    assert anonymous.status_code == 401


def test_https_with_a_trustme_certificate(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    with LocalServer(tmp_path / "data", tls_cert=cert_file, tls_key=key_file) as server:
        assert server.url.startswith("https://127.0.0.1:")
        assert server.config()["baseUrl"] == server.url
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        context = ssl.create_default_context(cafile=str(ca_file))
        with httpx.Client(verify=context, headers=headers) as client:
            response = client.get(f"{server.url}/schemas/{server.database_id}")
            assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(server.url.replace("https", "http") + "/v1/models")


def test_tls_needs_both_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="tls_cert and tls_key"):
        LocalServer(tmp_path, tls_cert=os.devnull)
