"""Flow drivers for framework adapters: run a multi-request flow with a sync or async client.

A flow is a generator that yields requests (effects) and ``Emit(value)`` for its consumer, and
receives each request's reply; :func:`drive` and :func:`adrive` perform the requests and yield
what the flow emits. The SDK's paging, batching and cascades are written this way once and run by
both clients; ``onyx_django``'s QuerySet terminals are too.

>>> def flow():
...     reply = yield "ping"  # an effect: performed by the driver
...     yield Emit(reply.upper())
>>> list(drive(flow(), perform=lambda request: request + " pong"))
['PING PONG']
"""

from __future__ import annotations

from ._flows import Emit, adrive, drive

__all__ = ["Emit", "adrive", "drive"]
