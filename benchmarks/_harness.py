"""Shared pieces of the benchmarks: start Onyx Local in its own process, run the official SDK."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "example_projects" / "onyx.schema.json"
OFFICIAL_PYTHON = ROOT / ".venv-official" / "bin" / "python"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Tls:
    """A throwaway CA and a server certificate for 127.0.0.1 (made with trustme)."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


@contextmanager
def make_tls() -> Iterator[Tls]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    with tempfile.TemporaryDirectory(prefix="onyx-tls-") as tmp:
        base = Path(tmp)
        tls = Tls(base / "ca.pem", base / "cert.pem", base / "key.pem")
        ca.cert_pem.write_to_path(str(tls.ca_file))
        cert.cert_chain_pems[0].write_to_path(str(tls.cert_file))
        cert.private_key_pem.write_to_path(str(tls.key_file))
        yield tls


@contextmanager
def onyx_local(latency_ms: float = 0, tls: Tls | None = None) -> Iterator[dict[str, Any]]:
    """Run ``onyx-py local`` in a separate process; yield its config dict."""
    with tempfile.TemporaryDirectory(prefix="onyx-bench-") as tmp:
        port = _free_port()
        command = [sys.executable, "-m", "onyx_database.local", "--port", str(port)]
        command += ["--data", tmp, "--schema", str(SCHEMA), "--latency", str(latency_ms)]
        if tls is not None:
            command += ["--tls-cert", str(tls.cert_file), "--tls-key", str(tls.key_file)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        try:
            config_file = Path(tmp) / "onyx-database.json"
            deadline = time.monotonic() + 30
            while True:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("Onyx Local did not start")
                if config_file.exists() and f":{port}" in config_file.read_text():
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                        break
                    except OSError:
                        pass
                time.sleep(0.05)
            yield json.loads(config_file.read_text())
        finally:
            process.terminate()
            process.wait(timeout=15)


def run_official(code: str, config: dict[str, Any], tls: Tls | None = None) -> dict[str, Any]:
    """Run ``code`` under the official SDK's virtualenv; it must print one JSON object last."""
    if not OFFICIAL_PYTHON.exists():
        raise RuntimeError("missing .venv-official: run python3 scripts/test.py once first")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONYX_", "PYTHON"))}
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "onyx-database.json"
        config_file.write_text(json.dumps(config))
        env["ONYX_CONFIG_PATH"] = str(config_file)
        if tls is not None:
            # urllib's default SSL context trusts the CA named by SSL_CERT_FILE.
            env["SSL_CERT_FILE"] = str(tls.ca_file)
        result = subprocess.run(
            [str(OFFICIAL_PYTHON), "-c", code],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"official SDK run failed:\n{result.stderr}")
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


SEED_USER = {
    "id": "bench_user",
    "username": "bench",
    "email": "bench@example.com",
    "isActive": True,
    "createdAt": "2026-01-01T00:00:00.000Z",
    "updatedAt": "2026-01-01T00:00:00.000Z",
    "lastLoginAt": None,
    "deletedAt": None,
}
