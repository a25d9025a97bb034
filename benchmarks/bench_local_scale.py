"""Onyx Local at scale: one table ``Item(id, n Int indexed, s, t, flag)`` at 10k, 100k (and 1M)
rows, through the SDK, against plain sqlite3 doing the same work in-process.

The machine this runs on is shared and its load moves a lot, so every comparison is made
between cases *interleaved in one run*, and reported as a median with its spread:

- **Loading.** One Onyx Local per size, each in its own process. Every batch of 1,000 records
  goes to Onyx Local (the first half with ``db.save``, the second as pre-encoded JSON over raw
  HTTP ``PUT``) and, right after, the same rows go to plain sqlite3 ``executemany``. The
  baseline is like for like: the same rows (timestamps as epoch milliseconds, booleans as 0/1,
  as Onyx Local stores them), a table created by the very statements Onyx Local created its own
  with (read from its ``sqlite_master``: the partition column, the ``(_partition, id)`` primary
  key, the ``(_partition, n, id)`` index), WAL with ``synchronous=NORMAL`` as Onyx Local, and the
  same ``INSERT OR REPLACE`` in one transaction per batch of 1,000. A rate is 1,000 / the median
  batch time; the ratio is the median of the per-batch ratios (sqlite3 time / Onyx Local time),
  with their interquartile range. One record is written through each path first, untimed, so
  the one-off costs of a fresh server and client (its connection, the table's compiled
  encoder) do not fall on the first batch, a fifth of the samples at 10k.
- **Queries.** Every size stays up; in each of 5 rounds every operation is timed on every size
  in turn (a block of calls, mean per call), so the 1M / 10k growth is a ratio of two timings
  taken within seconds of each other: the median of the 5 per-round ratios, with min-max.
  Operations: ``find_by_id``; ``eq`` on the indexed field (1 row); a range of 100 rows;
  ``count()`` of a 1,000-row range; ``order_by`` + first 100. Plain sqlite3 runs the same
  queries (with the partition term, so they use the same index) on its copy.
- **Per request.** ``find_by_id`` over raw HTTP against a trivial uvicorn app answering a fixed
  JSON body, same httpx client (both on uvicorn's defaults: httptools and uvloop when
  installed), the two requests alternating one by one, 300 pairs per round: a round's ratio is
  its median find over its median trivial request (the ratio of the means is reported too);
  the median of the 5 rounds' ratios with min-max.
- **Walks.** Every page (1,000 per page) of every size is walked, the walks interleaved page by
  page in proportion to their length so all share the same stretch of machine time; a walk's
  time is the sum of its page requests. First and last pages are compared after the walks: the
  first three and the last three full pages are requested again (their tokens stay valid), a
  first and a last page alternating, 20 rounds: the ratio of the medians of the 60 last-page and
  60 first-page times. (Within the walk a small table has only a few pages at each end, taken
  at different moments of the machine's load; that ratio is reported too.)
- **Memory.** The servers' resident memory is read from ``/proc`` at the end.

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
from contextlib import ExitStack, contextmanager
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
def onyx_local(*, log: Path | None = None) -> Iterator[tuple[dict[str, Any], int, Path]]:
    """Onyx Local in its own process; yields its config, pid and data directory. Without
    ``log`` it runs ``--quiet``; with it, its access log goes to that file."""
    with tempfile.TemporaryDirectory(prefix="onyx-scale-") as tmp:
        schema = Path(tmp) / "schema.json"
        schema.write_text(json.dumps(SCHEMA))
        data = Path(tmp) / "data"
        port = _free_port()
        command = [sys.executable, "-m", "onyx_database.local", "--port", str(port)]
        command += ["--data", str(data), "--schema", str(schema)]
        with ExitStack() as files:
            if log is None:
                command.append("--quiet")
                stdout: Any = subprocess.DEVNULL
            else:
                stdout = files.enter_context(log.open("wb"))
            process = subprocess.Popen(command, stdout=stdout)
        try:
            _wait_port(port, process)
            config_file = data / "onyx-database.json"
            while not (config_file.exists() and f":{port}" in config_file.read_text()):
                time.sleep(0.05)
            config = json.loads(config_file.read_text())
            yield config, process.pid, data
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


ROUNDS = 5
PAIRS = 300  # find_by_id / trivial request pairs per round
ENDS_ROUNDS = 20  # replays of the first and last pages after the walks


def block_ms(fn: Callable[[int], Any], calls: int, offset: int = 0) -> float:
    """Mean time per call over a block of ``calls`` calls (``fn`` gets a call index)."""
    start = time.perf_counter()
    for i in range(calls):
        fn(offset + i)
    return (time.perf_counter() - start) / calls * 1000


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """(25th percentile, median, 75th percentile)."""
    if len(values) < 4:
        return min(values), statistics.median(values), max(values)
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return q1, q2, q3


INSERT = 'INSERT OR REPLACE INTO "Item" ("_partition", "id", "n", "s", "t", "flag") VALUES'
INSERT += " (?, ?, ?, ?, ?, ?)"


class Size:
    """One table size: its Onyx Local (SDK and raw client) and its plain sqlite3 copy."""

    def __init__(self, size: int, stack: ExitStack, tmp: Path) -> None:
        self.size = size
        self.config, self.pid, data = stack.enter_context(onyx_local())
        self.db = stack.enter_context(onyx.init(**self.config, request_timeout_seconds=600))
        headers = {"x-onyx-key": self.config["apiKey"], "x-onyx-secret": self.config["apiSecret"]}
        self.client = stack.enter_context(httpx.Client(headers=headers, timeout=600))
        self.base = f"{self.config['baseUrl']}/data/{self.config['databaseId']}"
        # The baseline table: the statements Onyx Local created its own with.
        onyx_file = sqlite3.connect(f"file:{data / 'onyx.sqlite3'}?mode=ro", uri=True)
        ddl = [
            sql
            for (sql,) in onyx_file.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'Item' AND sql IS NOT NULL"
                " ORDER BY type DESC"
            )
        ]
        onyx_file.close()
        self.conn = sqlite3.connect(tmp / f"plain-{size}.sqlite3", isolation_level=None)
        stack.callback(self.conn.close)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        for sql in ddl:
            self.conn.execute(sql)
        rng = random.Random(size)
        self.keys = [rng.randrange(size - 1000) for _ in range(1000)]
        self.out: dict[str, Any] = {"ddl": ddl}
        self.samples: dict[str, list[float]] = {}
        self.ends: tuple[list[str | None], list[str | None]] = ([], [])

    def sample(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    # -- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        batches = range(0, self.size, BATCH)
        half = len(batches) // 2
        url = f"{self.base}/Item"
        sdk: list[tuple[float, float]] = []
        raw: list[tuple[float, float]] = []
        cpu = {"sdk": 0.0, "raw": 0.0}
        # Untimed warm-up of the three paths (a fresh connection, the table's compiled encoder,
        # sqlite3's statement cache): one-off costs that would fall on the first batch alone.
        # Record 0 is written again by the first batch, so every table ends the same.
        self.db.save("Item", [record(0)])
        warm = json.dumps([record(0)]).encode()
        self.client.put(url, content=warm, headers=JSON).raise_for_status()
        self.conn.execute(INSERT, ("", *row(0)))
        for number, first in enumerate(batches):
            ks = range(first, min(self.size, first + BATCH))
            records = [record(k) for k in ks]
            rows = [("", *row(k)) for k in ks]
            kind = "sdk" if number < half else "raw"
            body = b"" if kind == "sdk" else json.dumps(records).encode()
            before = cpu_seconds(self.pid)
            start = time.perf_counter()
            if kind == "sdk":
                self.db.save("Item", records)
            else:
                self.client.put(url, content=body, headers=JSON).raise_for_status()
            onyx_time = time.perf_counter() - start
            cpu[kind] += cpu_seconds(self.pid) - before
            start = time.perf_counter()
            self.conn.execute("BEGIN")
            self.conn.executemany(INSERT, rows)
            self.conn.execute("COMMIT")
            (sdk if kind == "sdk" else raw).append((onyx_time, time.perf_counter() - start))
        for name, pairs in (("sdk", sdk), ("raw", raw)):
            self.out[f"{name}_load_rate"] = BATCH / statistics.median(p[0] for p in pairs)
            self.out[f"{name}_sqlite_rate"] = BATCH / statistics.median(p[1] for p in pairs)
            self.out[f"{name}_load_ratio"] = quartiles([p[1] / p[0] for p in pairs])
            self.out[f"{name}_load_cpu_us"] = cpu[name] / (len(pairs) * BATCH) * 1e6

    # -- queries ---------------------------------------------------------------------------
    def operations(self) -> list[tuple[str, Callable[[int], Any], Callable[[int], Any], int]]:
        """(name, Onyx Local call, sqlite3 call, calls per block)."""
        keys, items, db = self.keys, self.db.from_table("Item"), self.db

        def fetch(sql: str, *params: Any) -> list[Any]:
            return self.conn.execute(sql, params).fetchall()

        where = "SELECT * FROM Item WHERE _partition = '' AND "
        return [
            (
                "find_by_id",
                lambda i: db.find_by_id("Item", f"i{keys[i % 1000]:07d}"),
                lambda i: fetch(where + "id = ?", f"i{keys[i % 1000]:07d}"),
                100,
            ),
            (
                "eq",
                lambda i: items.where(onyx.eq("n", keys[i % 1000])).list(),
                lambda i: fetch(where + "n = ?", keys[i % 1000]),
                50,
            ),
            (
                "range100",
                lambda i: items.where(
                    onyx.between("n", keys[i % 1000], keys[i % 1000] + 99)
                ).list(),
                lambda i: fetch(where + "n BETWEEN ? AND ?", keys[i % 1000], keys[i % 1000] + 99),
                20,
            ),
            (
                "count",
                lambda i: items.where(
                    onyx.between("n", keys[i % 1000], keys[i % 1000] + 999)
                ).count(),
                lambda i: fetch(
                    "SELECT COUNT(*) FROM Item WHERE _partition = '' AND n BETWEEN ? AND ?",
                    keys[i % 1000],
                    keys[i % 1000] + 999,
                ),
                20,
            ),
            (
                "order_first100",
                lambda i: items.order_by(asc("n")).limit(100).list(),
                lambda i: fetch("SELECT * FROM Item WHERE _partition = '' ORDER BY n LIMIT 100"),
                20,
            ),
        ]

    def find_vs_trivial(self, trivial: str, offset: int) -> None:
        """``PAIRS`` requests to each, interleaved one by one so both meet the same machine load;
        the round's ratio is the median find over the median trivial request (the ratio of the
        means is kept too)."""
        url = f"{self.base}/Item/i{self.keys[offset % 1000]:07d}"
        finds, plains = [], []
        for _ in range(PAIRS):
            start = time.perf_counter()
            self.client.get(url).raise_for_status()
            middle = time.perf_counter()
            self.client.get(trivial).raise_for_status()
            finds.append(middle - start)
            plains.append(time.perf_counter() - middle)
        find, plain = statistics.median(finds) * 1000, statistics.median(plains) * 1000
        self.sample("raw_find", find)
        self.sample("trivial", plain)
        self.sample("find_over_trivial", find / plain)
        self.sample("find_over_trivial_mean", statistics.fmean(finds) / statistics.fmean(plains))

    # -- walking ---------------------------------------------------------------------------
    def page_ms(self, token: str | None) -> float:
        """One page request (the first page without a token), in ms."""
        params: dict[str, Any] = {"pageSize": PAGE}
        if token:
            params["nextPage"] = token
        start = time.perf_counter()
        self.client.put(f"{self.base}/query/Item", json={}, params=params).raise_for_status()
        return (time.perf_counter() - start) * 1000

    def walk(self) -> Iterator[None]:
        """Walk every page, yielding after each; the page times go to ``self.out``, the tokens
        of the first and last pages to ``self.ends`` (for :meth:`replay_ends`)."""
        pages: list[float] = []
        tokens: list[str | None] = []
        seen, token = 0, None
        while True:
            params: dict[str, Any] = {"pageSize": PAGE}
            if token:
                params["nextPage"] = token
            tokens.append(token)
            start = time.perf_counter()
            body = self.client.put(f"{self.base}/query/Item", json={}, params=params).json()
            pages.append((time.perf_counter() - start) * 1000)
            seen += len(body["records"])
            token = body["nextPage"]
            self.out["walk_progress"] = len(pages) * PAGE / self.size
            if token is None:
                break
            yield
        assert seen == self.size, (seen, self.size)
        self.out["walk"] = sum(pages) / 1000
        # The last three full pages (the very last one may be short) against the first three.
        last = slice(-4, -1) if len(pages) > 3 else slice(None)
        self.out["walk_first_pages"] = statistics.median(pages[:3])
        self.out["walk_last_pages"] = statistics.median(pages[last])
        self.ends = (tokens[:3], tokens[last])

    def replay_ends(self, round_number: int) -> None:
        """The first three and the last three pages again (their tokens stay valid), a first
        and a last page alternating, which one leads alternating by round: samples for the
        last / first page ratio taken within milliseconds of each other."""
        firsts, lasts = self.ends
        for first, last in zip(firsts, lasts, strict=False):
            pair = (first, last) if round_number % 2 == 0 else (last, first)
            times = [self.page_ms(token) for token in pair]
            if round_number % 2:
                times.reverse()
            self.sample("first_page", times[0])
            self.sample("last_page", times[1])

    def sqlite_walk(self) -> None:
        start = time.perf_counter()
        last = ""
        while True:
            page = self.conn.execute(
                "SELECT * FROM Item WHERE _partition = '' AND id > ? ORDER BY id LIMIT ?",
                (last, PAGE),
            ).fetchall()
            if not page:
                break
            last = page[-1][1]
        self.out["sqlite_walk"] = time.perf_counter() - start


JSON = {"content-type": "application/json"}


def walk_interleaved(sizes: list[Size]) -> None:
    """Every size's walk, always advancing the one least far along."""
    walks = {side: side.walk() for side in sizes}
    while walks:
        behind = min(walks, key=lambda side: float(side.out.get("walk_progress", 0.0)))
        try:
            next(walks[behind])
        except StopIteration:
            del walks[behind]


def run(sizes: list[int], load_only: bool) -> list[Size]:
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scale-")))
        sides = []
        for size in sizes:
            print(f"[bench] {size} rows: loading", file=sys.stderr, flush=True)
            side = Size(size, stack, tmp)
            side.load()
            sides.append(side)
        if load_only:
            return sides
        trivial = stack.enter_context(trivial_app())
        for round_number in range(ROUNDS):
            print(f"[bench] queries, round {round_number + 1}", file=sys.stderr, flush=True)
            for position in range(len(sides[0].operations())):
                for side in sides:
                    name, onyx_call, sqlite_call, calls = side.operations()[position]
                    offset = round_number * calls
                    side.sample(name, block_ms(onyx_call, calls, offset))
                    side.sample(f"sqlite_{name}", block_ms(sqlite_call, calls, offset))
            for side in sides:
                side.find_vs_trivial(trivial, round_number * 100)
        print("[bench] walks", file=sys.stderr, flush=True)
        walk_interleaved(sides)
        for round_number in range(ENDS_ROUNDS):
            for side in sides:
                side.replay_ends(round_number)
        for side in sides:
            side.sqlite_walk()
            side.out["rss"], side.out["peak_rss"] = rss_mb(side.pid)
        return sides


def log_cost() -> tuple[float, float, float]:
    """``find_by_id`` with the access log on (to a file) over with it off (``--quiet``), two
    servers of 1,000 rows, alternating blocks: (25th percentile, median, 75th) of the ratios."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="log-cost-")))
        urls, clients = [], []
        for log in (None, tmp / "access.log"):
            config, _, _ = stack.enter_context(onyx_local(log=log))
            headers = {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}
            client = stack.enter_context(httpx.Client(headers=headers, timeout=60))
            base = f"{config['baseUrl']}/data/{config['databaseId']}/Item"
            client.put(base, json=[record(k) for k in range(1000)]).raise_for_status()
            urls.append(f"{base}/i0000500")
            clients.append(client)
        ratios = []
        for _ in range(15):
            quiet = block_ms(lambda i: clients[0].get(urls[0]).content, 100)
            logged = block_ms(lambda i: clients[1].get(urls[1]).content, 100)
            ratios.append(logged / quiet)
        lines = (tmp / "access.log").read_text().splitlines()
        assert len(lines) >= 1500 and " 200 " in lines[-1], lines[-3:]
        return quartiles(ratios)


OPERATIONS = [
    ("find_by_id", "find_by_id"),
    ("eq", "`eq` on the indexed field, 1 row"),
    ("range100", "range on the indexed field, 100 rows"),
    ("count", "`count()` of a 1,000-row indexed range"),
    ("order_first100", "`order_by` indexed field + first 100"),
]


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def _spread(values: tuple[float, float, float], fmt: str = ".0%") -> str:
    low, mid, high = values
    return f"{mid:{fmt}} ({low:{fmt}}-{high:{fmt}})"


def _load_rows(sides: list[Size]) -> list[str]:
    rows = []
    for name, key in (("SDK save", "sdk"), ("raw HTTP PUT", "raw")):
        cells = [
            f"{s.out[f'{key}_load_rate'] / 1000:.1f}k / {s.out[f'{key}_sqlite_rate'] / 1000:.0f}k"
            f" rec/s; {_spread(s.out[f'{key}_load_ratio'])}"
            for s in sides
        ]
        rows.append(f"| load: {name} / sqlite3 executemany (goal ≥ 25%) | {' | '.join(cells)} |")
    cells = [f"{s.out['sdk_load_cpu_us']:.1f} / {s.out['raw_load_cpu_us']:.1f} µs" for s in sides]
    rows.append(f"| load: server CPU per record, SDK save / raw PUT | {' | '.join(cells)} |")
    return rows


def _table_head(sides: list[Size]) -> list[str]:
    return [
        "| per size | " + " | ".join(_label(s.size) for s in sides) + " |",
        "|---" * (len(sides) + 1) + "|",
    ]


def load_report(sides: list[Size]) -> str:
    return "\n".join([*_table_head(sides), *_load_rows(sides)])


def _ratios(top: Size, bottom: Size, key: str) -> tuple[float, float, float]:
    """(min, median, max) over the rounds of top's time / bottom's time in the same round."""
    ratios = [t / b for t, b in zip(top.samples[key], bottom.samples[key], strict=True)]
    return min(ratios), statistics.median(ratios), max(ratios)


def _ends_ratio(side: Size) -> float:
    return statistics.median(side.samples["last_page"]) / statistics.median(
        side.samples["first_page"]
    )


def report(sides: list[Size], log: tuple[float, float, float] | None) -> str:
    first, top = sides[0], sides[-1]
    lines = [
        f"| operation (ms, median of {ROUNDS} rounds) | "
        + " | ".join(_label(s.size) for s in sides)
        + f" | {_label(top.size)} / {_label(first.size)} per round: median (min-max), goal ≤ 2"
        f" | plain sqlite3, {_label(top.size)} |",
        "|---" * (len(sides) + 3) + "|",
    ]
    for key, name in OPERATIONS:
        cells = [f"{statistics.median(s.samples[key]):.2f}" for s in sides]
        growth = _spread(_ratios(top, first, key), ".2f")
        plain = statistics.median(top.samples[f"sqlite_{key}"])
        lines.append(f"| {name} | {' | '.join(cells)} | {growth} | {plain:.3f} |")
    walks = [f"{s.out['walk']:.2f} s" for s in sides]
    lines.append(
        f"| walk every page (1,000/page) | {' | '.join(walks)} | "
        f"{top.out['walk'] / first.out['walk']:.1f} (size x{top.size // first.size}) |"
        f" {top.out['sqlite_walk']:.2f} s |"
    )
    lines += ["", *_table_head(sides)]

    def per_size(name: str, fmt: Callable[[Size], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(fmt(s) for s in sides) + " |")

    per_size(
        f"walk: last pages / first pages, medians of {ENDS_ROUNDS * 3} alternating replays"
        " (goal ≤ 1.5)",
        lambda s: (
            f"{statistics.median(s.samples['last_page']):.1f} /"
            f" {statistics.median(s.samples['first_page']):.1f} ms = {_ends_ratio(s):.2f}"
        ),
    )
    per_size(
        "walk: last pages / first pages within the walk (3 pages each)",
        lambda s: (
            f"{s.out['walk_last_pages']:.1f} / {s.out['walk_first_pages']:.1f} ms"
            f" = {s.out['walk_last_pages'] / s.out['walk_first_pages']:.2f}"
        ),
    )
    per_size(
        "find_by_id raw HTTP / trivial uvicorn app, median request, median of rounds (min-max)"
        " (goal ≤ 1.3)",
        lambda s: (
            f"{statistics.median(s.samples['raw_find']):.3f} /"
            f" {statistics.median(s.samples['trivial']):.3f} ms ="
            f" {statistics.median(s.samples['find_over_trivial']):.2f}"
            f" ({min(s.samples['find_over_trivial']):.2f}-"
            f"{max(s.samples['find_over_trivial']):.2f}); ratio of means"
            f" {statistics.median(s.samples['find_over_trivial_mean']):.2f}"
        ),
    )
    lines += _load_rows(sides)
    per_size(
        "server RSS now / peak (goal ≤ 250 MB at 1M)",
        lambda s: f"{s.out['rss']:.0f} / {s.out['peak_rss']:.0f} MB",
    )
    if len(sides) > 1 and sides[-1].size == 10 * sides[-2].size:
        ratio = sides[-1].out["walk"] / sides[-2].out["walk"]
        lines += [
            "",
            f"walk({_label(sides[-1].size)}) / walk({_label(sides[-2].size)}) = {ratio:.1f}"
            " (goal ≤ 12; the walks interleaved page by page)",
        ]
    if log is not None:
        lines += [
            "",
            "access log on / off, find_by_id (1,000 rows, 15 alternating blocks of 100):"
            f" median {log[1]:.3f} (quartiles {log[0]:.3f}-{log[2]:.3f})",
        ]
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
    sides = run(sizes, args.load_only)
    for side in sides:
        print(
            json.dumps({"size": side.size, **side.out, "samples": side.samples}, default=str),
            file=sys.stderr,
            flush=True,
        )
    if args.load_only:
        print(load_report(sides))
        return
    print("[bench] access log cost", file=sys.stderr, flush=True)
    print(report(sides, log_cost()))


if __name__ == "__main__":
    main()
