"""A process-wide list of listeners: copy-on-write, so notifying never takes a lock.

::

    registry: Listeners[Callable[[str], None]] = Listeners()
    remove = registry.add(print)
    for listener in registry.items:
        listener("hello")
    remove()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Listeners"]

T = TypeVar("T")


class Listeners(Generic[T]):
    """Registered entries in order; :meth:`add` returns the function that removes the entry.

    >>> registry: Listeners[str] = Listeners()
    >>> remove = registry.add("a")
    >>> registry.items, bool(registry)
    (('a',), True)
    >>> remove(); remove()  # idempotent
    >>> registry.items
    ()
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: tuple[T, ...] = ()
        """A snapshot to iterate without locking (replaced, never mutated)."""

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, entry: T) -> Callable[[], None]:
        with self._lock:
            self.items = (*self.items, entry)

        def remove() -> None:
            with self._lock:
                kept = list(self.items)
                if entry in kept:
                    kept.remove(entry)
                self.items = tuple(kept)

        return remove
