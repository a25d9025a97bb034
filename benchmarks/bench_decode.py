"""The client's own CPU cost per operation, without a server: ``find_by_id`` and a 100-record
``page()`` answered by an in-process ``httpx.MockTransport`` (so the figure is the SDK's request
building and decoding, not Onyx Local's), query building (``to_select_query``), and decoding a
live-query stream (JSON lines into :class:`StreamEvent` objects).

Run: ``.venv/bin/python benchmarks/bench_decode.py [--calls 2000] [--repeat 5]``

Before/after in one run (the package of another commit, interleaved with this tree's):
``.venv/bin/python benchmarks/bench_decode.py --against 48d4f62 --rounds 5``
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from _compare import Figures, run

RECORD = {"id": "u1", "email": "ada@example.com", "name": "Ada", "age": 36, "active": True}


def best_us(work: Callable[[], Any], count: int, repeat: int) -> float:
    """Best CPU time per operation of ``repeat`` runs of ``work`` (which does ``count`` ops)."""
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        timings.append(time.process_time() - start)
    return min(timings) / count * 1_000_000


def figures(args: argparse.Namespace) -> Figures:
    import httpx

    import onyx_database as onyx
    from onyx_database import asc, eq, gt
    from onyx_database._stream_protocol import LineDecoder

    record = json.dumps(RECORD).encode()
    records = [{**RECORD, "id": f"u{i}"} for i in range(100)]
    page = json.dumps({"records": records, "nextPage": None}).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        body = record if request.method == "GET" else page
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

    db = onyx.init(
        database_id="bench",
        api_key="key",
        api_secret="secret",
        base_url="http://onyx.invalid",
        transport=httpx.MockTransport(answer),
    )
    calls = args.calls

    def find() -> None:
        for _ in range(calls):
            db.find_by_id("User", "u1")

    def pages() -> None:
        for _ in range(calls // 10):
            db.from_table("User").page_size(100).page()

    def build() -> None:
        for _ in range(calls):
            (
                db.from_table("User")
                .where(eq("active", True).and_(gt("age", 30)))
                .order_by(asc("email"))
                .limit(25)
                .to_select_query()
            )

    lines = b"".join(
        json.dumps({"action": "UPDATE", "entity": {**RECORD, "age": n}}).encode() + b"\n"
        for n in range(calls)
    )

    def stream() -> None:
        LineDecoder().feed(lines)

    find()  # warm up (connection pool, caches)
    try:
        return {
            "find_by_id (µs/call)": best_us(find, calls, args.repeat),
            "page() of 100 records (µs/page)": best_us(pages, calls // 10, args.repeat),
            "query build (µs/query)": best_us(build, calls, args.repeat),
            "stream decode (µs/event)": best_us(stream, calls, args.repeat),
        }
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    run(__file__, parser, figures, lambda a: f"best CPU time of {a.repeat} runs of {a.calls} ops:")


if __name__ == "__main__":
    main()
