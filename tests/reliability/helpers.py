"""Real faults for the reliability suite: Onyx Local as a separate process (so it can be
``kill -9``-ed), a server that accepts and never answers, and a proxy that forwards a request to
Onyx Local and then loses the answer."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from onyx_database import ResolvedConfig

WAIT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalProcess:
    """``python -m onyx_database.local`` on a data directory, started and killed for real."""

    def __init__(self, data_dir: Path, schema: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.schema = schema
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def credentials(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.data_dir / "onyx-database.json").read_text())
        return data

    def config(self, **changes: Any) -> ResolvedConfig:
        creds = self.credentials()
        values: dict[str, Any] = {
            "database_id": creds["databaseId"],
            "api_key": creds["apiKey"],
            "api_secret": creds["apiSecret"],
            "base_url": self.url,
            "retry_backoff_seconds": 0.01,
            "request_timeout_seconds": 10.0,
        }
        values.update(changes)
        return ResolvedConfig(**values)

    def start(self) -> None:
        command = [sys.executable, "-m", "onyx_database.local", "--data", str(self.data_dir)]
        command += ["--port", str(self.port), "--schema", str(self.schema)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + WAIT
        while True:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                raise AssertionError(f"Onyx Local exited with {self.process.returncode}: {stderr}")
            with contextlib.suppress(OSError, ValueError, KeyError, httpx.HTTPError):
                creds = self.credentials()
                headers = {"x-onyx-key": creds["apiKey"], "x-onyx-secret": creds["apiSecret"]}
                answer = httpx.get(f"{self.url}/schemas/{creds['databaseId']}", headers=headers)
                if answer.status_code == 200:
                    return
            assert time.monotonic() < deadline, "Onyx Local did not start"
            time.sleep(0.05)

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(WAIT)
        self._close_pipes()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(WAIT)
        self._close_pipes()

    def _close_pipes(self) -> None:
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[str, threading.Event, list[socket.socket]]]:
    """A TCP server that accepts connections, reads what comes and never answers.

    Yields its URL, an event set at each accepted connection, and the accepted sockets."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    connected = threading.Event()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)
            connected.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", connected, accepted
    finally:
        stop.set()
        thread.join(WAIT)
        listener.close()
        for conn in accepted:
            conn.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    lines = [
        line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")
    ] + [b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class LosingProxy:
    """Forwards each request to ``upstream`` and waits for the whole answer; then, for the
    requests ``lose`` picks (by their 0-based number), closes the client's connection instead of
    passing the answer on: the server committed, the client never hears it."""

    def __init__(self, upstream: str, lose: Callable[[int, bytes], bool]) -> None:
        url = httpx.URL(upstream)
        self._upstream = (url.host, int(url.port or 80))
        self._lose = lose
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.count = 0
        self.lost = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> LosingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(WAIT)
        self._listener.close()

    def _serve(self) -> None:
        self._listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if not request:
                return
            with self._lock:
                number = self.count
                self.count += 1
            with socket.create_connection(self._upstream, timeout=WAIT) as upstream:
                upstream.sendall(request)
                answer = b""
                while chunk := upstream.recv(1 << 20):
                    answer += chunk
            if self._lose(number, request):
                with self._lock:
                    self.lost += 1
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # closed with a reset: the answer is lost
            conn.sendall(answer)
