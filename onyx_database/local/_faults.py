"""Fault injection for reliability tests, and request counters."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from ._streams import StreamHub

__all__ = ["PATH_LIMIT", "Fault", "Faults", "RequestLog"]


@dataclass
class Fault:
    """One armed rule: answer ``status`` (or drop the connection) for the next matching requests."""

    kind: str  # "fail" or "drop"
    remaining: int
    status: int = 503
    retry_after: float | None = None
    method: str | None = None
    path_contains: str | None = None

    def applies(self, method: str, paths: tuple[str, ...]) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or any(self.path_contains in p for p in paths)


class Faults:
    """Armed faults of a :class:`~onyx_database.local.LocalServer` started with ``test_hooks=True``.

    >>> server.faults.fail_next(2, status=503, retry_after=0.1, method="GET")  # doctest: +SKIP
    >>> server.faults.drop_next(1, path_contains="/query/")  # doctest: +SKIP
    >>> server.faults.cut_streams()  # doctest: +SKIP
    """

    def __init__(self, *, enabled: bool, streams: StreamHub | None = None) -> None:
        self._enabled = enabled
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._streams = streams if streams is not None else StreamHub()

    @property
    def enabled(self) -> bool:
        return self._enabled

    def _arm(self, fault: Fault) -> None:
        if not self._enabled:
            raise RuntimeError("fault injection needs LocalServer(..., test_hooks=True)")
        if fault.remaining < 0:
            raise ValueError("n must be >= 0")
        with self._lock:
            self._rules.append(fault)

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        retry_after: float | None = None,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``n`` matching requests with ``status`` without executing them."""
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        self._arm(Fault("fail", n, status, retry_after, method, path_contains))

    def drop_next(
        self, n: int = 1, method: str | None = None, path_contains: str | None = None
    ) -> None:
        """Close the connection of the next ``n`` matching requests without any HTTP answer."""
        self._arm(Fault("drop", n, method=method, path_contains=path_contains))

    def cut_streams(self) -> int:
        """Abort the connection of every open query stream (no clean end); returns how many."""
        if not self._enabled:
            raise RuntimeError("fault injection needs LocalServer(..., test_hooks=True)")
        return self._streams.cut_all()

    def close_streams_immediately(self, enabled: bool = True) -> None:
        """Make the stream route end every stream right after its headers (a clean, empty
        body) until turned off."""
        if not self._enabled:
            raise RuntimeError("fault injection needs LocalServer(..., test_hooks=True)")
        self._streams.close_immediately = enabled

    def clear(self) -> None:
        """Disarm every fault (streams are served normally again)."""
        with self._lock:
            self._rules.clear()
        self._streams.close_immediately = False

    def take(self, method: str, paths: tuple[str, ...]) -> Fault | None:
        """The first armed fault for this request, consuming one of its uses."""
        if not self._enabled:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.remaining > 0 and rule.applies(method, paths):
                    rule.remaining -= 1
                    return rule
            self._rules = [rule for rule in self._rules if rule.remaining > 0]
        return None


PATH_LIMIT = 10_000


class RequestLog:
    """Counts requests by method and by path: concrete, with ``{db}``, and the route template.

    A request is recorded as it came (method, raw path, template): the cheap part, on every
    request; its other forms are worked out when someone counts.

    Memory is bounded: the first ``limit`` distinct (method, raw path, template) triples since
    the start or the last :meth:`reset` are kept with their counts; a request with a new triple
    after that is kept only as (method, template). Counts by route template (``templates``)
    therefore stay exact whatever the traffic, and so do counts by any path while fewer than
    ``limit`` distinct paths were seen. Past it, counting by a path that is not a route template
    raises :class:`RuntimeError` rather than answer a number that may be short (a million finds
    of distinct ids would otherwise hold a million entries).
    """

    def __init__(self, templates: frozenset[str] = frozenset(), limit: int = PATH_LIMIT) -> None:
        self._lock = threading.Lock()
        self._templates = templates
        self._limit = limit
        self._counts: dict[tuple[str, str, str], int] = {}
        self._untracked: Counter[tuple[str, str]] = Counter()
        self.database_id = ""  # the path segment shown as ``{db}``

    def record(self, method: str, raw: str, template: str) -> None:
        """One request: its upper-case method, raw path (no query string) and route template
        (``""`` when no route matched)."""
        key = (method, raw, template)
        with self._lock:
            counts = self._counts
            seen = counts.get(key)
            if seen is not None:
                counts[key] = seen + 1
            elif len(counts) < self._limit:
                counts[key] = 1
            else:
                self._untracked[(method, template)] += 1

    def _paths(self, raw: str, template: str) -> set[str]:
        stripped = raw.strip("/")
        segments = [unquote(s) for s in stripped.split("/")] if stripped else []
        concrete = "/" + "/".join(segments)
        templated = "/" + "/".join("{db}" if s == self.database_id else s for s in segments)
        return {concrete, templated, raw, template} - {""}

    def count(self, method: str, path: str) -> int:
        with self._lock:
            entries = list(self._counts.items())
            untracked = list(self._untracked.items())
        wanted = None if method in ("*", "") else method.upper()
        if untracked and path not in self._templates:
            raise RuntimeError(
                f"more than {self._limit} distinct request paths since the counters were last"
                f" reset: only counts by route template (such as /data/{{db}}/{{table}}) are"
                f" kept for the rest, so the count of {path!r} is unknown; call"
                " reset_request_counts() before the requests to count"
            )
        return sum(
            n
            for (recorded, raw, template), n in entries
            if (wanted is None or recorded == wanted) and path in self._paths(raw, template)
        ) + sum(
            n
            for (recorded, template), n in untracked
            if (wanted is None or recorded == wanted) and template == path
        )

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._untracked.clear()
