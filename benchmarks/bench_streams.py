"""Live query streams, end to end: events per second from 10,000 saves to a stream's callback.

One Onyx Local (its own process). For each client a *subscriber* process opens a keep-alive
stream on ``User`` with an ``on_item_added`` callback that counts events: this SDK (JSON and
MessagePack) and the official 2.5.2 SDK in JSON mode. (Its default MessagePack stream hands the
response to ``msgpack.Unpacker(file)``, which blocks until a whole read buffer fills, so a quiet
stream delivers nothing at all: the probe below never arrives.) This process then writes
10,000 users in batches of 500 with plain httpx and measures from the first write until the
subscriber has seen the 10,000th event (CLOCK_MONOTONIC is shared by processes on Linux).

    .venv/bin/python benchmarks/bench_streams.py [--events 10000] [--batch 500]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _harness import OFFICIAL_PYTHON, ROOT, SEED_USER, onyx_local

# The subscriber both SDKs run: count CREATE events after a probe record signals readiness.
_COUNTING = """
import json, sys, threading, time
{init}
total = {{total}}
seen = {{{{"bench": 0, "ready": False}}}}
done = threading.Event()
def added(entity):
    if entity["id"].startswith("probe"):
        if not seen["ready"]:
            seen["ready"] = True
            print("ready", flush=True)
        return
    seen["bench"] += 1
    if seen["bench"] == total:
        seen["end"] = time.monotonic()
        done.set()
handle = db.from_table("User").on_item_added(added).stream({stream_args})
done.wait(600)
{cancel}
print(json.dumps({{{{"end": seen.get("end"), "events": seen["bench"]}}}}), flush=True)
"""

SUBSCRIBER_OURS = _COUNTING.format(
    init="import onyx_database as onyx\ndb = onyx.init(wire_format={wire!r})",
    stream_args="keep_alive=True",
    cancel="handle.cancel()",
)

# The official client's handle is a dict holding its cancel function.
SUBSCRIBER_OFFICIAL = _COUNTING.format(
    init='from onyx_database import onyx\ndb = onyx.init(wire_format="json")',
    stream_args="include_query_results=False, keep_alive=True",
    cancel='handle["cancel"]()',
)


def _user(user_id: str) -> dict[str, Any]:
    return {**SEED_USER, "id": user_id, "username": user_id, "email": f"{user_id}@example.com"}


def _run(
    python: Path | str, code: str, config: dict[str, Any], writer: httpx.Client, args: Any
) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONYX_", "PYTHON"))}
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "onyx-database.json"
        config_file.write_text(json.dumps(config))
        env["ONYX_CONFIG_PATH"] = str(config_file)
        if python == sys.executable:
            env["PYTHONPATH"] = str(ROOT)
        process = subprocess.Popen(
            [str(python), "-c", code], cwd=tmp, env=env, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(
            target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True
        )
        reader.start()
        try:
            db = config["databaseId"]
            deadline = time.monotonic() + 60
            probe = 0
            while True:  # write probes until the subscriber's stream has seen one
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the subscriber never saw a probe")
                probe += 1
                writer.put(
                    f"/data/{db}/User", json=_user(f"probe{args.run}-{probe}")
                ).raise_for_status()
                try:
                    if lines.get(timeout=0.2).strip() == "ready":
                        break
                except queue.Empty:
                    continue
            start = time.monotonic()
            for first in range(0, args.events, args.batch):
                count = min(args.batch, args.events - first)
                rows = [_user(f"bench{first + n}-{args.run}") for n in range(count)]
                writer.put(f"/data/{db}/User", json=rows).raise_for_status()
            writes_done = time.monotonic()
            process.wait(timeout=600)
            reader.join(10)
            out = "".join(lines.queue)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if result["end"] is None:
        raise RuntimeError(f"the subscriber saw only {result['events']} events")
    result["seconds"] = result["end"] - start
    result["write_seconds"] = writes_done - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    rows: list[tuple[str, dict[str, Any]]] = []
    with onyx_local() as config:
        headers = {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}
        with httpx.Client(base_url=config["baseUrl"], headers=headers, timeout=120) as writer:
            runs = [
                ("this SDK (JSON lines)", sys.executable, SUBSCRIBER_OURS, "json"),
                ("this SDK (MessagePack)", sys.executable, SUBSCRIBER_OURS, "msgpack"),
                ("official 2.5.2 (JSON lines)", OFFICIAL_PYTHON, SUBSCRIBER_OFFICIAL, ""),
            ]
            for index, (name, python, template, wire) in enumerate(runs):
                args.run = index
                code = template.format(total=args.events, wire=wire)
                rows.append((name, _run(python, code, config, writer, args)))
    print(f"{args.events} saves (batches of {args.batch}) observed by one live stream")
    print(f"{'client':32} {'events/s':>10} {'seconds':>9} {'writes took':>12}")
    for name, result in rows:
        rate = args.events / result["seconds"]
        print(f"{name:32} {rate:10.0f} {result['seconds']:9.3f} {result['write_seconds']:11.3f}s")
    ours, official = rows[0][1]["seconds"], rows[-1][1]["seconds"]
    print(f"ratio (official time / this SDK time, JSON): {official / ours:.2f}x")


if __name__ == "__main__":
    main()
