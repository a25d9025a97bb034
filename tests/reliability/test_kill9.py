"""``kill -9`` of Onyx Local (a real process: ``python -m onyx_database.local``) at random moments
during one-by-one saves and during a 5,000-record batch, five rounds each. After every restart:
every acknowledged write is present, ``PRAGMA integrity_check`` is ``ok``, and a batch is either
whole or its error names what committed (an unknown chunk is all or nothing, chunks not sent or
failed are absent).

The random moments come from a seeded generator; the seed is in the figure, so a failing round
can be replayed with ``ONYX_KILL9_SEED``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import onyx_database
from onyx_database import OnyxBatchError, OnyxError, ResolvedConfig

from .conftest import Figure
from .helpers import WAIT, LocalProcess

pytestmark = pytest.mark.reliability

ROUNDS = 5
BATCH = 5000
CHUNK = 1000


def _seed() -> int:
    return int(os.environ.get("ONYX_KILL9_SEED", str(random.SystemRandom().randrange(10**6))))


def _integrity(data_dir: Path) -> str:
    path = data_dir / "onyx.sqlite3"
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    finally:
        connection.close()
    return str(result)


def _present(process: LocalProcess) -> set[str]:
    with onyx_database.init(config=process.config()) as db:
        return {row["id"] for row in db.from_table("Item").select("id").list()}


@pytest.fixture
def process(tmp_path: Path, schema_file: Path) -> Iterator[LocalProcess]:
    local = LocalProcess(tmp_path / "data", schema_file)
    local.start()
    try:
        yield local
    finally:
        local.stop()


def _save_one_by_one(
    config: ResolvedConfig,
    round_number: int,
    kill_after: int,
    acknowledged: list[str],
    reached: threading.Event,
    stopped: threading.Event,
) -> None:
    with onyx_database.init(config=config) as db:
        n = 0
        while True:
            record_id = f"r{round_number}-{n}"
            try:
                db.save("Item", {"id": record_id, "n": n})
            except OnyxError:
                stopped.set()
                return
            acknowledged.append(record_id)
            n += 1
            if n == kill_after:
                reached.set()


def _batch(config: ResolvedConfig, items: Iterator[dict[str, Any]], result: dict[str, Any]) -> None:
    with onyx_database.init(config=config) as db:
        try:
            result["saved"] = db.batch_save("Item", items, batch_size=CHUNK)
        except OnyxBatchError as exc:
            result["error"] = exc


def test_kill9_during_one_by_one_saves(process: LocalProcess, figure: Figure) -> None:
    seed = _seed()
    rng = random.Random(seed)
    acknowledged: list[str] = []
    moments: list[int] = []
    for round_number in range(ROUNDS):
        kill_after = rng.randrange(20, 400)
        moments.append(kill_after)
        reached = threading.Event()
        stopped = threading.Event()
        config = process.config(max_retries=0, request_deadline_seconds=10.0)

        thread = threading.Thread(
            target=_save_one_by_one,
            args=(config, round_number, kill_after, acknowledged, reached, stopped),
        )
        thread.start()
        assert reached.wait(WAIT), "the writer never got going"
        process.kill9()
        assert stopped.wait(WAIT), "the writer did not notice the dead server"
        thread.join(WAIT)
        process.start()
        assert _integrity(process.data_dir) == "ok"
        missing = set(acknowledged) - _present(process)
        assert not missing, f"round {round_number} (seed {seed}): lost {sorted(missing)[:10]}"
    present = _present(process)
    figure(
        f"kill -9 during one-by-one saves, {ROUNDS} rounds (seed {seed})",
        f"{len(set(acknowledged) & present):,}/{len(acknowledged):,} acknowledged records present "
        f"after restarts; integrity_check ok {ROUNDS}/{ROUNDS}",
    )


def _items(round_number: int, pulled: threading.Event, at: int) -> Iterator[dict[str, Any]]:
    for n in range(BATCH):
        if n == at:
            pulled.set()
        yield {"id": f"b{round_number}-{n:05d}", "n": n}


def test_kill9_during_a_5000_record_batch(process: LocalProcess, figure: Figure) -> None:
    seed = _seed()
    rng = random.Random(seed)
    outcomes: list[str] = []
    whole_or_nothing = 0
    for round_number in range(ROUNDS):
        # kill while the chunk holding record `at` is being built or sent
        at = rng.randrange(0, BATCH)
        pulled = threading.Event()
        result: dict[str, Any] = {}
        config = process.config(max_retries=0, request_deadline_seconds=10.0)

        thread = threading.Thread(
            target=_batch, args=(config, _items(round_number, pulled, at), result)
        )
        thread.start()
        assert pulled.wait(WAIT)
        time.sleep(rng.random() * 0.02)
        process.kill9()
        thread.join(WAIT)
        assert not thread.is_alive()
        process.start()
        assert _integrity(process.data_dir) == "ok"
        present = {i for i in _present(process) if i.startswith(f"b{round_number}-")}

        def ids(chunk: int, round_number: int = round_number) -> set[str]:
            return {f"b{round_number}-{n:05d}" for n in range(chunk * CHUNK, (chunk + 1) * CHUNK)}

        error: OnyxBatchError | None = result.get("error")
        if error is None:
            assert result["saved"] == BATCH and len(present) == BATCH
            outcomes.append("whole")
            continue
        for chunk in error.committed_chunks:
            assert ids(chunk) <= present, f"seed {seed}: committed chunk {chunk} incomplete"
        for chunk in error.unknown_chunks:
            assert ids(chunk) <= present or not ids(chunk) & present, f"seed {seed}: partial"
            whole_or_nothing += 1
        for chunk in error.failed_chunks:
            assert not ids(chunk) & present, f"seed {seed}: failed chunk {chunk} applied"
        if error.not_sent_from is not None:
            for chunk in range(error.not_sent_from, BATCH // CHUNK):
                assert not ids(chunk) & present, f"seed {seed}: unsent chunk {chunk} applied"
        committed = len(error.committed_chunks)
        state = "unknown" if error.unknown_chunks else "failed"
        outcomes.append(f"{committed} committed + 1 {state}")
    figure(
        f"kill -9 during a 5,000-record batch (5 chunks), {ROUNDS} rounds (seed {seed})",
        f"every committed chunk present, {whole_or_nothing} unknown chunk(s) all-or-nothing, "
        f"no failed or unsent chunk applied; integrity_check ok {ROUNDS}/{ROUNDS} "
        f"({'; '.join(outcomes)})",
    )
