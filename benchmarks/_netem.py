"""A TCP proxy that adds network round-trip time, for benchmarks on one machine.

Loopback has no latency, so connection setup costs nothing there and keep-alive saves nothing.
A real network charges one round trip for the TCP handshake, one for TLS 1.3 (two for TLS 1.2)
and one per request. This proxy reproduces that at the application level (the kernel's netem is
not available here): every chunk is delayed by half the round trip in each direction, and the
first client chunk of a connection waits one more round trip, standing in for the TCP handshake.
TLS passes through untouched, so its handshake pays real round trips too.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay: float,
    first_extra: float,
) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def pump() -> None:
        extra = first_extra
        while True:
            data = await reader.read(65536)
            await queue.put((loop.time() + delay + extra, data))
            extra = 0.0
            if not data:
                return

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                with contextlib.suppress(OSError):
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(pump(), deliver())
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


@contextmanager
def latency_proxy(target_port: int, rtt_ms: float) -> Iterator[int]:
    """Run the proxy in a background thread; yield the port it listens on (127.0.0.1)."""
    rtt = rtt_ms / 1000
    ready = threading.Event()
    state: dict[str, object] = {}

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            _pipe(client_r, upstream_w, rtt / 2, rtt),
            _pipe(upstream_r, client_w, rtt / 2, 0.0),
        )

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        state["port"] = server.sockets[0].getsockname()[1]
        stop = asyncio.Event()
        state["stop"] = stop
        state["loop"] = asyncio.get_running_loop()
        ready.set()
        async with server:
            await stop.wait()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield int(state["port"])  # type: ignore[call-overload]
    finally:
        loop = state["loop"]
        stop = state["stop"]
        loop.call_soon_threadsafe(stop.set)  # type: ignore[attr-defined]
        thread.join(10)
