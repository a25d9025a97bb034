"""Onyx Local at scale: one table ``Item(id, n Int indexed, s, t, flag)`` at 10k, 100k (and 1M)
rows, through the SDK, against plain sqlite3 doing the same work in-process.

For each size it starts Onyx Local in its own process, loads half the rows with ``db.save`` and
half as pre-encoded JSON over raw HTTP, in batches of 1,000 (both rates against sqlite3
``executemany`` of the same rows in one transaction), then times (median of 3
rounds, several calls per round): ``find_by_id``; ``eq`` on the indexed field (1 row); a range
of 100 rows; ``count()`` of a 1,000-row range; ``order_by`` + first 100; and a walk of every page
(1,000 per page, first and last pages timed). The request overhead is compared with a trivial
uvicorn app answering a fixed JSON body to the same raw httpx client (alternating rounds, both on
uvicorn's defaults: httptools and uvloop when installed), and the server's resident
memory is read from ``/proc`` after the run.

    .venv/bin/python benchmarks/bench_local_scale.py              # 10k and 100k
    .venv/bin/python benchmarks/bench_local_scale.py --million    # and 1M (loads take minutes)
    .venv/bin/python benchmarks/bench_local_scale.py --load-only  # only the load rates
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

import onyx_database as onyx
from onyx_database import asc

SCHEMA = {
    "revisionDescription": "scale benchmark",
    "entities": [
        {
            "name": "Item",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [
                {"name": "id", "type": "String", "isNullable": False},
                {"name": "n", "type": "Int", "isNullable": True},
                {"name": "s", "type": "String", "isNullable": True},
                {"name": "t", "type": "Timestamp", "isNullable": True},
                {"name": "flag", "type": "Boolean", "isNullable": True},
            ],
            "indexes": [{"name": "n", "type": "DEFAULT"}],
            "resolvers": [],
            "triggers": [],
        }
    ],
}
TRIVIAL_APP = """
import sys, uvicorn
BODY = b'{"id":"i0000001","n":1,"s":"s1","t":"2024-01-01T00:00:00.000Z","flag":true}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False, lifespan="off", http="auto")
"""
BATCH = 1000
PAGE = 1000
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server process exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


@contextmanager
def onyx_local() -> Iterator[tuple[dict[str, Any], int]]:
    """Onyx Local in its own process; yields its config and pid."""
    with tempfile.TemporaryDirectory(prefix="onyx-scale-") as tmp:
        schema = Path(tmp) / "schema.json"
        schema.write_text(json.dumps(SCHEMA))
        data = Path(tmp) / "data"
        port = _free_port()
        command = [sys.executable, "-m", "onyx_database.local", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--data", str(data), "--schema", str(schema)], stdout=subprocess.DEVNULL
        )
        try:
            _wait_port(port, process)
            config_file = data / "onyx-database.json"
            while not (config_file.exists() and f":{port}" in config_file.read_text()):
                time.sleep(0.05)
            config = json.loads(config_file.read_text())
            yield config, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def trivial_app() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", TRIVIAL_APP, str(port)])
    try:
        _wait_port(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=15)


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (from ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def record(k: int) -> dict[str, Any]:
    moment = BASE + timedelta(seconds=k)
    return {
        "id": f"i{k:07d}",
        "n": k,
        "s": f"s{k % 997}",
        "t": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "flag": k % 2 == 0,
    }


def row(k: int) -> tuple[Any, ...]:
    millis = int((BASE + timedelta(seconds=k)).timestamp() * 1000)
    return (f"i{k:07d}", k, f"s{k % 997}", millis, k % 2)


def median_ms(fn: Callable[[int], Any], calls: int, rounds: int = 3) -> float:
    """Median over rounds of the mean time per call (``fn`` gets a call index)."""
    fn(0)
    results = []
    for r in range(rounds):
        start = time.perf_counter()
        for i in range(calls):
            fn(r * calls + i + 1)
        results.append((time.perf_counter() - start) / calls * 1000)
    return statistics.median(results)


def onyx_side(size: int, *, load_only: bool = False) -> dict[str, Any]:
    rng = random.Random(size)
    out: dict[str, Any] = {}
    with onyx_local() as (config, pid), onyx.init(**config, request_timeout_seconds=600) as db:
        # The first half through the SDK, the second as pre-encoded JSON batches over raw HTTP
        # (the server's own rate, without the client's serialization sharing the CPUs).
        half = size // 2
        start, cpu = time.perf_counter(), cpu_seconds(pid)
        for first in range(0, half, BATCH):
            db.save("Item", [record(k) for k in range(first, min(half, first + BATCH))])
        out["load_rate"] = half / (time.perf_counter() - start)
        # The server's CPU time per record: what the machine's load moves least.
        out["load_cpu_us"] = (cpu_seconds(pid) - cpu) / half * 1e6
        bodies = [
            json.dumps([record(k) for k in range(first, min(size, first + BATCH))]).encode()
            for first in range(half, size, BATCH)
        ]
        headers = {
            "x-onyx-key": config["apiKey"],
            "x-onyx-secret": config["apiSecret"],
            "content-type": "application/json",
        }
        with httpx.Client(headers=headers, timeout=600) as client:
            start, cpu = time.perf_counter(), cpu_seconds(pid)
            for body in bodies:
                url = f"{config['baseUrl']}/data/{config['databaseId']}/Item"
                client.put(url, content=body).raise_for_status()
            out["raw_load_rate"] = (size - half) / (time.perf_counter() - start)
            out["raw_load_cpu_us"] = (cpu_seconds(pid) - cpu) / (size - half) * 1e6
        del bodies
        if load_only:
            return out
        keys = [rng.randrange(size - 1000) for _ in range(1000)]
        items = db.from_table("Item")
        out["find_by_id"] = median_ms(lambda i: db.find_by_id("Item", f"i{keys[i]:07d}"), 200)
        out["eq"] = median_ms(lambda i: items.where(onyx.eq("n", keys[i])).list(), 100)
        out["range100"] = median_ms(
            lambda i: items.where(onyx.between("n", keys[i], keys[i] + 99)).list(), 20
        )
        out["count"] = median_ms(
            lambda i: items.where(onyx.between("n", keys[i], keys[i] + 999)).count(), 20
        )
        out["order_first100"] = median_ms(lambda i: items.order_by(asc("n")).limit(100).list(), 20)
        headers = {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}
        base = f"{config['baseUrl']}/data/{config['databaseId']}"
        with httpx.Client(headers=headers, timeout=600) as client, trivial_app() as trivial:
            url = f"{base}/Item/i{keys[0]:07d}"
            # Alternating rounds, one client: both see the same machine load.
            finds, trivials = [], []
            for _ in range(5):
                finds.append(median_ms(lambda i: client.get(url).content, 200, rounds=1))
                trivials.append(median_ms(lambda i: client.get(trivial).content, 200, rounds=1))
            out["raw_find"], out["trivial"] = statistics.median(finds), statistics.median(trivials)
            pages: list[float] = []
            seen = 0
            token = None
            walk_start = time.perf_counter()
            while True:
                params: dict[str, Any] = {"pageSize": PAGE}
                if token:
                    params["nextPage"] = token
                page_start = time.perf_counter()
                body = client.put(f"{base}/query/Item", json={}, params=params).json()
                pages.append((time.perf_counter() - page_start) * 1000)
                seen += len(body["records"])
                token = body["nextPage"]
                if token is None:
                    break
            out["walk"] = time.perf_counter() - walk_start
            assert seen == size, (seen, size)
            out["first_pages"] = statistics.median(pages[:3])
            out["last_pages"] = statistics.median(pages[-4:-1] if len(pages) > 3 else pages)
        out["rss"], out["peak_rss"] = rss_mb(pid)
    return out


def sqlite_side(size: int, *, load_only: bool = False) -> dict[str, Any]:
    rng = random.Random(size)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sqlite-scale-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "plain.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE Item (id TEXT PRIMARY KEY, n INTEGER, s TEXT, t INTEGER, flag INTEGER)"
        )
        conn.execute("CREATE INDEX ix_n ON Item (n)")
        rows = [row(k) for k in range(size)]
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO Item VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        out["load_rate"] = size / (time.perf_counter() - start)
        del rows
        if load_only:
            conn.close()
            return out
        keys = [rng.randrange(size - 1000) for _ in range(1000)]

        def fetch(sql: str, *params: Any) -> list[Any]:
            return conn.execute(sql, params).fetchall()

        out["find_by_id"] = median_ms(
            lambda i: fetch("SELECT * FROM Item WHERE id = ?", f"i{keys[i]:07d}"), 200
        )
        out["eq"] = median_ms(lambda i: fetch("SELECT * FROM Item WHERE n = ?", keys[i]), 100)
        out["range100"] = median_ms(
            lambda i: fetch("SELECT * FROM Item WHERE n BETWEEN ? AND ?", keys[i], keys[i] + 99),
            20,
        )
        out["count"] = median_ms(
            lambda i: fetch(
                "SELECT COUNT(*) FROM Item WHERE n BETWEEN ? AND ?", keys[i], keys[i] + 999
            ),
            20,
        )
        out["order_first100"] = median_ms(
            lambda i: fetch("SELECT * FROM Item ORDER BY n LIMIT 100"), 20
        )
        start = time.perf_counter()
        last = ""
        while True:
            page = fetch("SELECT * FROM Item WHERE id > ? ORDER BY id LIMIT ?", last, PAGE)
            if not page:
                break
            last = page[-1][0]
        out["walk"] = time.perf_counter() - start
        conn.close()
    return out


OPERATIONS = [
    ("find_by_id", "find_by_id"),
    ("eq", "`eq` on the indexed field, 1 row"),
    ("range100", "range on the indexed field, 100 rows"),
    ("count", "`count()` of a 1,000-row indexed range"),
    ("order_first100", "`order_by` indexed field + first 100"),
]


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def _load_rows(sizes: list[int], onyx_results: dict[int, Any], plain: dict[int, Any]) -> list[str]:
    rows = []
    for name, key in (("SDK save", "load_rate"), ("raw HTTP PUT", "raw_load_rate")):
        cells = [
            f"{onyx_results[s][key] / 1000:.1f}k / {plain[s]['load_rate'] / 1000:.0f}k rec/s"
            f" = {onyx_results[s][key] / plain[s]['load_rate']:.0%}"
            for s in sizes
        ]
        rows.append(f"| load: {name} / sqlite3 executemany (goal ≥ 25%) | {' | '.join(cells)} |")
    cells = [
        f"{onyx_results[s]['load_cpu_us']:.1f} / {onyx_results[s]['raw_load_cpu_us']:.1f} µs"
        for s in sizes
    ]
    rows.append(f"| load: server CPU per record, SDK save / raw PUT | {' | '.join(cells)} |")
    return rows


def load_report(sizes: list[int], onyx_results: dict[int, Any], plain: dict[int, Any]) -> str:
    head = "| per size | " + " | ".join(_label(s) for s in sizes) + " |"
    return "\n".join(
        [head, "|---" * (len(sizes) + 1) + "|", *_load_rows(sizes, onyx_results, plain)]
    )


def report(sizes: list[int], onyx_results: dict[int, Any], plain: dict[int, Any]) -> str:
    label = _label

    top = sizes[-1]
    lines = [
        "| operation (ms, medians of 3) | "
        + " | ".join(label(s) for s in sizes)
        + f" | {label(top)} / {label(sizes[0])} (goal ≤ 2) | plain sqlite3, {label(top)} |",
        "|---" * (len(sizes) + 3) + "|",
    ]
    for key, name in OPERATIONS:
        cells = [f"{onyx_results[s][key]:.2f}" for s in sizes]
        growth = onyx_results[top][key] / onyx_results[sizes[0]][key]
        lines.append(f"| {name} | {' | '.join(cells)} | {growth:.2f} | {plain[top][key]:.3f} |")
    walks = [f"{onyx_results[s]['walk']:.2f} s" for s in sizes]
    lines.append(
        f"| walk every page (1,000/page) | {' | '.join(walks)} | "
        f"{onyx_results[top]['walk'] / onyx_results[sizes[0]]['walk']:.1f} "
        f"(size x{top // sizes[0]}) | {plain[top]['walk']:.2f} s |"
    )
    lines.append("")
    lines.append(
        "| per size | "
        + " | ".join(label(s) for s in sizes)
        + " |\n"
        + "|---" * (len(sizes) + 1)
        + "|"
    )

    def per_size(name: str, fmt: Callable[[int], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(fmt(s) for s in sizes) + " |")

    per_size(
        "walk: last pages / first pages (goal ≤ 1.5)",
        lambda s: (
            f"{onyx_results[s]['last_pages']:.1f} / {onyx_results[s]['first_pages']:.1f} ms"
            f" = {onyx_results[s]['last_pages'] / onyx_results[s]['first_pages']:.2f}"
        ),
    )
    per_size(
        "find_by_id raw HTTP / trivial uvicorn app (goal ≤ 1.3)",
        lambda s: (
            f"{onyx_results[s]['raw_find']:.3f} / {onyx_results[s]['trivial']:.3f} ms"
            f" = {onyx_results[s]['raw_find'] / onyx_results[s]['trivial']:.2f}"
        ),
    )
    lines += _load_rows(sizes, onyx_results, plain)
    per_size(
        "server RSS now / peak (goal ≤ 250 MB at 1M)",
        lambda s: f"{onyx_results[s]['rss']:.0f} / {onyx_results[s]['peak_rss']:.0f} MB",
    )
    if len(sizes) > 1 and sizes[-1] == 10 * sizes[-2]:
        ratio = onyx_results[sizes[-1]]["walk"] / onyx_results[sizes[-2]]["walk"]
        lines.append("")
        lines.append(
            f"walk({label(sizes[-1])}) / walk({label(sizes[-2])}) = {ratio:.1f} (goal ≤ 12)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 rows")
    parser.add_argument(
        "--sizes", default="10000,100000", help="comma-separated row counts (10000,100000)"
    )
    parser.add_argument(
        "--load-only", action="store_true", help="only the load rates (no queries, no walk)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.million:
        sizes.append(1_000_000)
    onyx_results: dict[int, Any] = {}
    plain: dict[int, Any] = {}
    for size in sizes:
        print(f"[bench] {size} rows: Onyx Local", file=sys.stderr, flush=True)
        onyx_results[size] = onyx_side(size, load_only=args.load_only)
        print(f"[bench] {size} rows: plain sqlite3", file=sys.stderr, flush=True)
        plain[size] = sqlite_side(size, load_only=args.load_only)
        print(
            json.dumps({"size": size, "onyx": onyx_results[size], "sqlite3": plain[size]}),
            file=sys.stderr,
            flush=True,
        )
    show = load_report if args.load_only else report
    print(show(sizes, onyx_results, plain))


if __name__ == "__main__":
    main()
