"""The client's own CPU cost of sending records, without a server: ``save`` of 1,000 records and
``batch_save`` of 5,000 (chunks of 1,000) answered by an in-process ``httpx.MockTransport`` with
an empty list (so the figure is the SDK's conversion of each record, JSON encoding and request
building, not Onyx Local's work nor the decoding of an answer), per record; and ``to_wire`` of a
nested record (the general path, for comparison).

Run: ``.venv/bin/python benchmarks/bench_to_wire.py [--records 1000] [--repeat 7]``

Before/after in one run (the package of another commit, interleaved with this tree's):
``.venv/bin/python benchmarks/bench_to_wire.py --against 7803f0e --rounds 9``
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from _compare import Figures, run

BASE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def flat(k: int) -> dict[str, Any]:
    """A record of ``bench_local_scale.py``: five plain values."""
    return {
        "id": f"i{k:07d}",
        "n": k,
        "s": f"s{k % 997}",
        "t": "2024-01-01T00:00:00.000Z",
        "flag": k % 2 == 0,
    }


def with_datetime(k: int) -> dict[str, Any]:
    return {**flat(k), "t": BASE + dt.timedelta(seconds=k)}


def nested(k: int) -> dict[str, Any]:
    return {
        **flat(k),
        "owner": uuid.UUID(int=k),
        "price": Decimal("2.50"),
        "tags": ["a", "b"],
        "address": {"city": "Paris", "at": dt.date(2025, 1, 2)},
    }


def best_us(work: Callable[[], Any], count: int, repeat: int) -> float:
    """Best CPU time per item of ``repeat`` runs of ``work`` (which handles ``count`` items)."""
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        timings.append(time.process_time() - start)
    return min(timings) / count * 1_000_000


def figures(args: argparse.Namespace) -> Figures:
    import httpx

    import onyx_database as onyx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=b"[]")

    db = onyx.init(
        database_id="bench",
        api_key="key",
        api_secret="secret",
        base_url="http://onyx.invalid",
        transport=httpx.MockTransport(answer),
    )
    count = args.records
    plain = [flat(k) for k in range(count)]
    dated = [with_datetime(k) for k in range(count)]
    deep = [nested(k) for k in range(count)]
    many = [flat(k) for k in range(5 * count)]
    db.save("Item", plain)  # warm up (connection pool, caches)
    try:
        return {
            "save, flat records (µs/record)": best_us(
                lambda: db.save("Item", plain), count, args.repeat
            ),
            "save, a datetime each (µs/record)": best_us(
                lambda: db.save("Item", dated), count, args.repeat
            ),
            "batch_save, flat records (µs/record)": best_us(
                lambda: db.batch_save("Item", many, batch_size=count), 5 * count, args.repeat
            ),
            "to_wire, nested record (µs/record)": best_us(
                lambda: [onyx.to_wire(record) for record in deep], count, args.repeat
            ),
        }
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    run(
        __file__,
        parser,
        figures,
        lambda a: f"best CPU time of {a.repeat} runs, {a.records} records a request:",
    )


if __name__ == "__main__":
    main()
