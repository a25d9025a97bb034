"""Size and connection limits over raw sockets: 413 before a body is read, 408 and a closed
connection when request headers stall, and the warning for plain HTTP beyond loopback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import onyx_database.local
from onyx_database.local import LocalServer, RemoteBindWarning

SCHEMA: dict[str, Any] = {
    "entities": [
        {
            "name": "Note",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [
                {"name": "id", "type": "String", "isNullable": False},
                {"name": "text", "type": "String", "isNullable": True},
            ],
        }
    ]
}
MIB = 1024 * 1024


def _auth(server: LocalServer) -> str:
    return f"x-onyx-key: {server.api_key}\r\nx-onyx-secret: {server.api_secret}\r\n"


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(30)  # a safety cap: the server closes long before
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _read_response(sock: socket.socket) -> bytes:
    """One response with a content-length body (the connection may stay open)."""
    sock.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


@pytest.fixture
def small(tmp_path: Path) -> Iterator[LocalServer]:
    with LocalServer(tmp_path, schema=SCHEMA, max_body=MIB, header_timeout=0.3) as server:
        yield server


def test_a_declared_length_over_the_limit_gets_413_before_any_body_is_sent(
    small: LocalServer,
) -> None:
    head = (
        f"PUT /data/{small.database_id}/Note HTTP/1.1\r\nHost: local\r\n{_auth(small)}"
        f"content-type: application/json\r\ncontent-length: {50 * MIB}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", small.port)) as sock:
        sock.sendall(head.encode())  # and not one byte of the 50 MiB body
        answer = _read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"larger than the 1 MiB limit" in answer
    assert b"--max-body" in answer


def test_a_chunked_body_is_counted_while_it_streams(small: LocalServer) -> None:
    head = (
        f"PUT /data/{small.database_id}/Note HTTP/1.1\r\nHost: local\r\n{_auth(small)}"
        "content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    piece = b"x" * (256 * 1024)
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with socket.create_connection(("127.0.0.1", small.port)) as sock:
        sock.sendall(head.encode())
        for _ in range(5):  # 1.25 MiB, no terminating chunk: the body never ends
            sock.sendall(chunk)
        answer = _read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert small.request_count("PUT", "/data/{db}/Note") == 1


def test_bodies_under_the_limit_are_accepted_and_clients_see_413_over_it(
    small: LocalServer,
) -> None:
    headers = {"x-onyx-key": small.api_key, "x-onyx-secret": small.api_secret}
    with httpx.Client(base_url=small.url, headers=headers, timeout=30) as client:
        fits = client.put(f"/data/{small.database_id}/Note", json={"id": "a", "text": "x" * 1000})
        assert fits.status_code == 200
        big = client.put(
            f"/data/{small.database_id}/Note", json={"id": "b", "text": "x" * (2 * MIB)}
        )
        assert big.status_code == 413
        assert big.json()["code"] == "PAYLOAD_TOO_LARGE"
        assert client.get(f"/data/{small.database_id}/Note/b").status_code == 404


def test_the_default_limit_is_8_mib(tmp_path: Path) -> None:
    with LocalServer(tmp_path) as server:
        assert server.header_timeout == 10.0
        head = (
            f"PUT /data/{server.database_id}/Note HTTP/1.1\r\nHost: local\r\n{_auth(server)}"
            f"content-length: {8 * MIB + 1}\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(head.encode())
            assert b"larger than the 8 MiB limit" in _read_response(sock)


def test_half_sent_request_headers_get_408_and_the_connection_is_closed(
    small: LocalServer,
) -> None:
    with socket.create_connection(("127.0.0.1", small.port)) as sock:
        sock.sendall(b"PUT /data/x/Note HTTP/1.1\r\nHost: local\r\nx-onyx-key: ")
        answer = _read_all(sock)  # returns only because the server closed the connection
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
    with socket.create_connection(("127.0.0.1", small.port)) as idle:
        assert _read_all(idle) == b""  # nothing was sent: closed without an answer
    assert small.header_timeouts == 2


def test_a_kept_alive_connection_that_stalls_in_its_next_request_is_closed(
    small: LocalServer,
) -> None:
    request = f"GET /schemas/{small.database_id} HTTP/1.1\r\nHost: local\r\n{_auth(small)}\r\n"
    with socket.create_connection(("127.0.0.1", small.port)) as sock:
        sock.sendall(request.encode())
        assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /schemas/x HTTP/1.1\r\nHo")
        assert _read_all(sock).startswith(b"HTTP/1.1 408")
    assert small.header_timeouts == 1


def test_a_body_that_stops_arriving_gets_408_and_the_connection_is_closed(
    small: LocalServer,
) -> None:
    head = (
        f"PUT /data/{small.database_id}/Note HTTP/1.1\r\nHost: local\r\n{_auth(small)}"
        "content-type: application/json\r\ncontent-length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", small.port)) as sock:
        sock.sendall(head.encode() + b'{"id": "half')  # 12 of the 100 bytes promised
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"the request body stopped arriving for 0.3 s" in answer
    headers = {"x-onyx-key": small.api_key, "x-onyx-secret": small.api_secret}
    found = httpx.get(f"{small.url}/data/{small.database_id}/Note/half", headers=headers)
    assert found.status_code == 404


def test_slow_answers_are_not_cut_by_the_header_timeout(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=SCHEMA, header_timeout=0.2, latency_ms=600) as server:
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for _ in range(2):  # the second request reuses the kept-alive connection
                assert client.get(f"/schemas/{server.database_id}").status_code == 200
        assert server.header_timeouts == 0


def test_plain_http_beyond_loopback_warns(tmp_path: Path) -> None:
    with (
        pytest.warns(RemoteBindWarning, match=r"0\.0\.0\.0 over plain HTTP"),
        LocalServer(tmp_path / "a", host="0.0.0.0"),
    ):
        pass


def test_loopback_and_tls_are_quiet(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    certificate = trustme.CA().issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemoteBindWarning)
        with LocalServer(tmp_path / "a", host="0.0.0.0", tls_cert=cert_file, tls_key=key_file):
            pass
        with LocalServer(tmp_path / "b", host="127.0.0.1"):
            pass
        with LocalServer(tmp_path / "c", host="::1"):
            pass


def test_the_command_line_prints_the_warning(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "onyx_database.local",
        "--host", "0.0.0.0", "--port", "0", "--data", str(tmp_path),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        warning = process.stderr.readline()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        for stream in (process.stdout, process.stderr):
            assert stream is not None
            stream.close()
    assert warning.startswith("WARNING: Onyx Local is listening on 0.0.0.0")
    assert "--tls-cert" in warning


def test_the_public_names_of_onyx_local() -> None:
    assert set(onyx_database.local.__all__) == {
        "Faults",
        "LocalServer",
        "QueryStats",
        "RemoteBindWarning",
        "serve",
    }
