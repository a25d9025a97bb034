"""The change bus: every committed write is published here, in commit order.

Storage publishes while it still holds the write lock, right after ``COMMIT``, so subscribers see
events in exactly the order the writes were committed. Delivery must therefore never block: a
subscription owns a bounded queue and, when a slow consumer lets it fill up, the subscription is
marked ``overflowed`` (the stream can then end itself) instead of stalling every writer.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Action", "ChangeBus", "ChangeEvent", "Subscription"]

Action = Literal["CREATE", "UPDATE", "DELETE"]


@dataclass(frozen=True)
class ChangeEvent:
    """One committed change of one record.

    ``entity`` is the record as stored after the write (for DELETE: as it was before), in wire
    form; ``previous_entity`` is the stored record before an UPDATE (``None`` otherwise).
    """

    table: str
    action: Action
    entity: dict[str, Any]
    partition: str = ""
    previous_entity: dict[str, Any] | None = None
    # the same records in storage form (native values), for evaluating query conditions
    record: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    previous_record: dict[str, Any] | None = field(default=None, repr=False, compare=False)


@dataclass
class Subscription:
    """A consumer of the events of one table (or of every table when ``table`` is ``None``).

    Events are pushed into a bounded queue (``maxsize``); ``notify`` is called after each push
    (from the writer's thread: it must be quick, e.g. ``loop.call_soon_threadsafe``), and once
    more when the queue overflows.
    """

    table: str | None
    maxsize: int = 10_000
    notify: Callable[[], None] | None = None
    overflowed: bool = False
    closed: bool = False
    _queue: deque[ChangeEvent] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _id: int = 0

    def _push(self, event: ChangeEvent) -> None:
        with self._lock:
            if self.closed:
                return
            if len(self._queue) >= self.maxsize:
                first = not self.overflowed
                self.overflowed = True
                if not first:
                    return
            else:
                self._queue.append(event)
        if self.notify is not None:
            self.notify()

    @property
    def pending(self) -> int:
        """How many events are queued (never more than ``maxsize``)."""
        with self._lock:
            return len(self._queue)

    def drain(self) -> list[ChangeEvent]:
        """Every queued event, oldest first; the queue is emptied."""
        with self._lock:
            events = list(self._queue)
            self._queue.clear()
        return events


class ChangeBus:
    """Fan-out of committed changes to subscriptions.

    >>> bus = ChangeBus()
    >>> sub = bus.subscribe("User")
    >>> bus.publish([ChangeEvent("User", "CREATE", {"id": "u1"})])
    >>> [e.action for e in sub.drain()]
    ['CREATE']
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[int, Subscription] = {}
        self._ids = itertools.count(1)

    def subscribe(
        self,
        table: str | None = None,
        *,
        maxsize: int = 10_000,
        notify: Callable[[], None] | None = None,
    ) -> Subscription:
        """A new subscription to ``table`` (``None``: every table)."""
        subscription = Subscription(table, maxsize=maxsize, notify=notify)
        with self._lock:
            subscription._id = next(self._ids)
            self._subscriptions[subscription._id] = subscription
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to ``subscription`` (idempotent)."""
        subscription.closed = True
        with self._lock:
            self._subscriptions.pop(subscription._id, None)

    @property
    def has_subscribers(self) -> bool:
        """Whether anyone subscribes now (events need not be built otherwise)."""
        return bool(self._subscriptions)

    def subscriptions(self) -> list[Subscription]:
        """The live subscriptions (for tests and diagnostics)."""
        with self._lock:
            return list(self._subscriptions.values())

    def publish(self, events: Iterable[ChangeEvent]) -> None:
        """Deliver events, in order, to every matching subscription."""
        with self._lock:
            subscriptions = list(self._subscriptions.values())
        if not subscriptions:
            return
        for event in events:
            for subscription in subscriptions:
                if subscription.table is None or subscription.table == event.table:
                    subscription._push(event)
