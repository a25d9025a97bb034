"""Quickstart: start Onyx Local with the example schema, seed it, and use the SDK against it.

Run it through ``python3 scripts/demo.py`` (which sets up the virtualenv first), or directly with
the project's virtualenv: ``.venv/bin/python example_projects/quickstart/demo.py``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import onyx_database as onyx
from onyx_database import asc, desc, eq, gte, starts_with

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parent / "onyx.schema.json"
SEED = HERE / "seed.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_onyx_local(data_dir: Path) -> subprocess.Popen[bytes]:
    """Start ``onyx-py local`` as its own process and wait until it answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "onyx_database.local",
        "--port",
        str(port),
        "--data",
        str(data_dir),
        "--schema",
        str(SCHEMA),
    ]
    process = subprocess.Popen(command)
    config_file = data_dir / "onyx-database.json"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Onyx Local exited early with code {process.returncode}")
        if config_file.exists() and f":{port}" in config_file.read_text():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return process
            except OSError:
                pass
        time.sleep(0.1)
    process.terminate()
    raise SystemExit("Onyx Local did not start within 30 seconds")


def run_demo(config_file: Path) -> None:
    # The server wrote its credentials in the standard config-file format; the SDK's config
    # chain reads them like any onyx-database.json downloaded from the Onyx console.
    with onyx.init(config_path=str(config_file)) as db:
        seed = json.loads(SEED.read_text())
        for table, records in seed.items():
            db.batch_save(table, records, batch_size=5)
            print(f"saved {len(records)} {table} records (batch_save, chunks of 5)")

        user = db.find_by_id("User", "user_01")
        print(f"find_by_id('User', 'user_01') -> {user['username']} <{user['email']}>")

        active = db.from_table("User").where(eq("isActive", True))
        print(f"count of active users: {active.count()}")

        recent = (
            db.from_table("User")
            .where(gte("createdAt", "2026-05-01T00:00:00Z") & eq("isActive", True))
            .order_by(desc("createdAt"))
        )
        print("active users created since May, newest first:")
        for record in recent:
            print(f"  {record['createdAt']}  {record['username']}")

        everyone = db.from_table("User").order_by(asc("username")).page_size(5)
        first = everyone.page()
        print(f"first page of 5: {[r['username'] for r in first.records]}")
        print(f"list() walks every page: {len(everyone.list())} users")

        db.save("User", {**user, "username": "ada.lovelace"})
        renamed = db.from_table("User").where(starts_with("username", "ada.")).first_or_none()
        print(f"after save: {renamed['username'] if renamed else None}")

        db.delete("User", "user_12")
        print(f"after delete: {db.from_table('User').count()} users")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="onyx-demo-") as tmp:
        data_dir = Path(tmp)
        print(f"starting Onyx Local (data in {data_dir}) with {SCHEMA.name}")
        process = start_onyx_local(data_dir)
        try:
            run_demo(data_dir / "onyx-database.json")
        finally:
            process.terminate()
            process.wait(timeout=15)
        print("stopped Onyx Local; demo finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
