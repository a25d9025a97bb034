"""Concurrent writers: 8 threads x 500 saves through one pooled client, and 8 processes x 500
saves each with its own client, against one Onyx Local. Every acknowledged record is present;
no write fails, none with "database is locked"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from onyx_database import OnyxDatabase, OnyxError
from onyx_database.local import LocalServer

from .conftest import Figure

pytestmark = pytest.mark.reliability

WRITERS = 8
SAVES = 500

_CHILD = """
import json, sys
import onyx_database
writer = sys.argv[1]
acknowledged, errors = [], []
with onyx_database.init(retry_backoff_seconds=0.01) as db:
    for n in range(int(sys.argv[2])):
        record_id = f"{writer}-{n}"
        try:
            db.save("Item", {"id": record_id, "n": n, "writer": writer})
        except onyx_database.OnyxError as exc:
            errors.append(str(exc))
        else:
            acknowledged.append(record_id)
print(json.dumps({"acknowledged": acknowledged, "errors": errors}))
"""


def _present(db: OnyxDatabase) -> set[str]:
    return {row["id"] for row in db.from_table("Item").select("id").list()}


def test_eight_threads_times_500_saves(db: OnyxDatabase, figure: Figure) -> None:
    acknowledged: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        for n in range(SAVES):
            record_id = f"t{number}-{n}"
            try:
                db.save("Item", {"id": record_id, "n": n, "writer": f"t{number}"})
            except OnyxError as exc:
                with lock:
                    errors.append(str(exc))
            else:
                with lock:
                    acknowledged.append(record_id)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    present = _present(db)
    locked = sum("locked" in error for error in errors)
    assert errors == []
    assert set(acknowledged) <= present
    assert len(acknowledged) == WRITERS * SAVES
    figure(
        f"{WRITERS} writer threads x {SAVES} saves, one pooled client",
        f"{len(set(acknowledged) & present):,}/{len(acknowledged):,} acknowledged records present, "
        f"{len(errors)} errors, {locked} 'database is locked'",
    )


def test_eight_processes_times_500_saves(
    db: OnyxDatabase, server: LocalServer, figure: Figure
) -> None:
    env = {
        **os.environ,
        "ONYX_DATABASE_ID": server.database_id,
        "ONYX_DATABASE_API_KEY": server.api_key,
        "ONYX_DATABASE_API_SECRET": server.api_secret,
        "ONYX_DATABASE_BASE_URL": server.url,
    }
    env.pop("ONYX_CONFIG_PATH", None)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, f"p{n}", str(SAVES)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    acknowledged: list[str] = []
    errors: list[str] = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        result = json.loads(out)
        acknowledged += result["acknowledged"]
        errors += result["errors"]
    present = _present(db)
    locked = sum("locked" in error for error in errors)
    assert errors == []
    assert set(acknowledged) <= present
    assert len(acknowledged) == WRITERS * SAVES
    figure(
        f"{WRITERS} writer processes x {SAVES} saves, a client each",
        f"{len(set(acknowledged) & present):,}/{len(acknowledged):,} acknowledged records present, "
        f"{len(errors)} errors, {locked} 'database is locked'",
    )
