"""find_by_id, side by side on the same Onyx Local: this SDK vs the official 2.5.2 vs raw httpx.

1. 500 sequential ``find_by_id`` calls over plain HTTP and over HTTPS on loopback, then 200 over
   HTTPS through a proxy that adds a 10 ms network round trip (Onyx Cloud is HTTPS across a real
   network; the official client opens a new TCP + TLS connection per request, this SDK keeps one
   alive). Goal: this SDK at least 3x faster than the official one.
2. 48 concurrent async ``find_by_id`` calls against ``--latency 100`` (goal: wall time under
   0.25 s; the official async client runs them on a thread pool).

    .venv/bin/python benchmarks/bench_find_by_id.py [--calls 500] [--concurrency 48]

Before/after in one run: ``--against REF [--rounds 5]`` starts one Onyx Local and times the
plain-HTTP sequential scenario with this tree's package and with commit ``REF``'s, in child
processes that alternate round after round (``_compare``); each side's best round is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
from _compare import add_arguments, compare
from _harness import SEED_USER, Tls, make_tls, onyx_local, run_official
from _netem import latency_proxy

import onyx_database as onyx

OFFICIAL_SEQUENTIAL = """
import json, time
from onyx_database import onyx
db = onyx.init(wire_format="json")
db.find_by_id("User", "bench_user")
start = time.perf_counter()
for _ in range({calls}):
    db.find_by_id("User", "bench_user")
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

OFFICIAL_CONCURRENT = """
import asyncio, json, time
from onyx_database import onyx_async
async def main():
    db = onyx_async.init(wire_format="json")
    await db.find_by_id("User", "bench_user")
    start = time.perf_counter()
    await asyncio.gather(*[db.find_by_id("User", "bench_user") for _ in range({n})])
    return time.perf_counter() - start
print(json.dumps({{"seconds": asyncio.run(main())}}))
"""


def ours_sequential(config: dict[str, Any], calls: int, tls: Tls | None) -> float:
    transport = httpx.HTTPTransport(verify=tls.context()) if tls else None
    with onyx.init(**config, transport=transport) as db:
        db.save("User", SEED_USER)
        db.find_by_id("User", "bench_user")
        start = time.perf_counter()
        for _ in range(calls):
            db.find_by_id("User", "bench_user")
        return time.perf_counter() - start


def raw_httpx_sequential(config: dict[str, Any], calls: int, tls: Tls | None) -> float:
    headers = {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}
    url = f"{config['baseUrl']}/data/{config['databaseId']}/User/bench_user"
    verify: Any = tls.context() if tls else True
    with httpx.Client(headers=headers, verify=verify) as client:
        client.get(url).raise_for_status()
        start = time.perf_counter()
        for _ in range(calls):
            client.get(url).json()
        return time.perf_counter() - start


async def ours_concurrent(config: dict[str, Any], n: int) -> float:
    async with onyx.init_async(**config) as db:
        await db.save("User", SEED_USER)
        await db.find_by_id("User", "bench_user")
        start = time.perf_counter()
        await asyncio.gather(*[db.find_by_id("User", "bench_user") for _ in range(n)])
        return time.perf_counter() - start


def sequential(calls: int, tls: Tls | None) -> dict[str, Any]:
    with onyx_local(tls=tls) as config:
        ours = ours_sequential(config, calls, tls)
        raw = raw_httpx_sequential(config, calls, tls)
        code = OFFICIAL_SEQUENTIAL.format(calls=calls)
        official = run_official(code, config, tls)["seconds"]
    return {
        "calls": calls,
        "scheme": "https" if tls else "http",
        "onyx_py_s": round(ours, 3),
        "raw_httpx_s": round(raw, 3),
        "official_2_5_2_s": round(official, 3),
        "speedup_vs_official": round(official / ours, 2),
    }


def over_network(calls: int, rtt_ms: float, tls: Tls) -> dict[str, Any]:
    with onyx_local(tls=tls) as direct, latency_proxy(_port(direct["baseUrl"]), rtt_ms) as port:
        config = {**direct, "baseUrl": f"https://127.0.0.1:{port}"}
        ours = ours_sequential(config, calls, tls)
        code = OFFICIAL_SEQUENTIAL.format(calls=calls)
        official = run_official(code, config, tls)["seconds"]
    return {
        "calls": calls,
        "scheme": f"https, {rtt_ms:g} ms round trip",
        "onyx_py_s": round(ours, 3),
        "official_2_5_2_s": round(official, 3),
        "speedup_vs_official": round(official / ours, 2),
    }


_CONFIG_ENV = "ONYX_BENCH_CONFIG"


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--latency", type=float, default=100.0)
    parser.add_argument("--rtt-ms", type=float, default=10.0)
    parser.add_argument("--rtt-calls", type=int, default=200)
    add_arguments(parser)
    args = parser.parse_args()
    if args.child:  # one side of --against: the server's config comes in the environment
        config = json.loads(os.environ[_CONFIG_ENV])
        seconds = ours_sequential(config, args.calls, None)
        print(
            json.dumps(
                {f"find_by_id, plain HTTP (ms/call of {args.calls})": seconds * 1000 / args.calls}
            )
        )
        return
    if args.against:
        with onyx_local() as config:
            os.environ[_CONFIG_ENV] = json.dumps(config)
            compare(Path(__file__).resolve(), args.against, args.rounds, [f"--calls={args.calls}"])
        return
    results: dict[str, Any] = {"sequential_http": sequential(args.calls, None)}
    with make_tls() as tls:
        results["sequential_https"] = sequential(args.calls, tls)
        results["sequential_network"] = over_network(args.rtt_calls, args.rtt_ms, tls)
    with onyx_local(latency_ms=args.latency) as config:
        ours_c = asyncio.run(ours_concurrent(config, args.concurrency))
        code = OFFICIAL_CONCURRENT.format(n=args.concurrency)
        official_c = run_official(code, config)["seconds"]
    results["concurrent_async"] = {
        "requests": args.concurrency,
        "latency_ms": args.latency,
        "onyx_py_wall_s": round(ours_c, 3),
        "official_2_5_2_wall_s": round(official_c, 3),
    }
    for key in ("sequential_http", "sequential_https", "sequential_network"):
        seq = results[key]
        print(f"{seq['calls']} sequential find_by_id, {seq['scheme']} (same Onyx Local, JSON):")
        print(f"  onyx-py          {seq['onyx_py_s']:.3f} s")
        if "raw_httpx_s" in seq:
            print(f"  raw httpx        {seq['raw_httpx_s']:.3f} s")
        print(f"  official 2.5.2   {seq['official_2_5_2_s']:.3f} s")
        print(f"  official / onyx-py: {seq['speedup_vs_official']}x")
    con = results["concurrent_async"]
    print(f"{args.concurrency} concurrent async find_by_id, --latency {args.latency:g} ms:")
    print(f"  onyx-py          {con['onyx_py_wall_s']:.3f} s (goal < 0.25 s)")
    print(f"  official 2.5.2   {con['official_2_5_2_wall_s']:.3f} s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
