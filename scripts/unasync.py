"""Generate the sync modules of the SDK from their async sources (the sync/async pairs are
written once, as async code).

    .venv/bin/python scripts/unasync.py           # rewrite the generated files
    .venv/bin/python scripts/unasync.py --check   # exit 1 if one is stale (run by scripts/test.py)

Each rule is a whole-word substitution applied to the source text, code and docstrings alike:
``async def``/``async with``/``async for`` lose ``async``, ``await`` is dropped, and the async
names map to their sync twins (``AsyncOnyxDatabase`` -> ``OnyxDatabase``, ``aclose`` -> ``close``).
The few lines whose sync form is not a mechanical translation are listed per file in ``EXTRA``;
a rule that no longer matches its source is an error, so the list cannot rot. The result is passed
through ``ruff check --fix --select I`` and ``ruff format`` so that it meets the same gates as the
hand-written code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "onyx_database"

NAMES = {
    "AsyncOnyxDatabase": "OnyxDatabase",
    "AsyncQueryBuilder": "QueryBuilder",
    "AsyncCascadeWriter": "CascadeWriter",
    "AsyncOnyxAI": "OnyxAI",
    "AsyncChatStream": "ChatStream",
    "AsyncTransport": "SyncTransport",
    "AsyncStreamConnection": "StreamConnection",
    "AsyncEventStream": "EventIterator",
    "AsyncStreamHandle": "StreamHandle",
    "AsyncIterator": "Iterator",
    "AsyncGenerator": "Generator",
    "AbstractAsyncContextManager": "AbstractContextManager",
    "asynccontextmanager": "contextmanager",
    "aclosing": "closing",
    "adrive": "drive",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "aclose": "close",
    "anext": "next",
    "StopAsyncIteration": "StopIteration",
    "aiter_lines": "iter_lines",
    "aiter_bytes": "iter_bytes",
    "aread": "read",
    "AsyncClient": "Client",
    "AsyncBaseTransport": "BaseTransport",
    "AsyncHTTPTransport": "HTTPTransport",
    "init_async": "init",
    "_async_client": "_client",
    "_async_ai_client": "_ai_client",
    "_async_transport": "_sync_transport",
    "AsyncOfficialClient": "OfficialClient",
    "AsyncChatClient": "ChatClient",
    "_async_official": "_official",
}

# source -> (generated file, its module docstring, extra literal replacements after the rules)
TARGETS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "_async_client.py": (
        "_client.py",
        "The synchronous client, :class:`OnyxDatabase`, and its :class:`QueryBuilder`.",
        [
            ("QueryResults([record for record in query])", "QueryResults(query)"),
            (
                "for record in self._decode(page.records):\n                    yield record",
                "yield from self._decode(page.records)",
            ),
            (
                "return EventIterator(setup, db._transport, db._call)",
                "return db._transport.track(EventIterator(setup, db._transport, db._call))",
            ),
        ],
    ),
    "_async_ai_client.py": (
        "_ai_client.py",
        "``db.ai`` of the sync client: chat completions (plain or streamed), models and script\n"
        "approval.",
        [],
    ),
    "_async_official.py": (
        "_official.py",
        "The official SDK's lower-level client methods on :class:`OnyxDatabase` (a mixin).",
        [],
    ),
    "_async_transport.py": (
        "_sync_transport.py",
        "The sync HTTP transport: a pooled, keep-alive :class:`httpx.Client` plus the retry loop.\n"
        "Thread-safe.",
        [
            ("import anyio\n", ""),
            ("anyio.sleep(", "time.sleep("),
            ("(use init for sync)", "(use init_async for async)"),
            ("(use init for a sync transport)", "(use init_async for an async transport)"),
        ],
    ),
}

_KEYWORDS = [
    (re.compile(r"\basync (def|with|for)\b"), r"\1"),
    (re.compile(r"\bawait "), ""),
]
_NAMES = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")
_DOCSTRING = re.compile(r'^"""(.*?)"""', re.DOTALL)


def _strip_awaited_parens(text: str) -> str:
    """``(await x.y(...))[...]`` -> ``x.y(...)[...]``: the parentheses only served the ``await``.

    Only where the ``(`` opens a group, not a call (``f(await x)`` keeps its parentheses)."""
    out: list[str] = []
    index = 0
    while (start := text.find("(await ", index)) != -1:
        if start and (text[start - 1].isalnum() or text[start - 1] in "_)]"):
            out.append(text[index : start + 1])
            index = start + 1
            continue
        depth, end = 0, start
        for end in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        out.append(text[index:start])
        out.append(text[start + 1 : end])
        index = end + 1
    out.append(text[index:])
    return "".join(out)


def generate(source: Path, doc: str, extra: list[tuple[str, str]]) -> str:
    text = _DOCSTRING.sub('"""@DOC@"""', source.read_text(encoding="utf-8"), count=1)
    text = _strip_awaited_parens(text)
    for pattern, replacement in _KEYWORDS:
        text = pattern.sub(replacement, text)
    text = _NAMES.sub(lambda match: NAMES[match.group(1)], text)
    for old, new in extra:
        if old not in text:
            raise SystemExit(f"unasync: {old!r} no longer occurs in {source.name}: update EXTRA")
        text = text.replace(old, new)
    note = f"Generated from ``{source.name}`` by ``scripts/unasync.py``: edit that file, not this."
    text = text.replace("@DOC@", f"{doc}\n\n{note}\n", 1)
    return _ruff(text, source.with_name("generated.py"))


def _ruff(text: str, filename: Path) -> str:
    for command in (
        ["check", "--fix", "--select", "I,RUF022", "--quiet", "--exit-zero"],
        ["format", "--quiet"],
    ):
        text = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(filename), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    return text


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale: list[str] = []
    for source_name, (target_name, doc, extra) in TARGETS.items():
        target = PACKAGE / target_name
        text = generate(PACKAGE / source_name, doc, extra)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if check:
            stale.append(target_name)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"unasync: wrote onyx_database/{target_name}")
    if stale:
        print(
            "unasync: stale generated files (run .venv/bin/python scripts/unasync.py): "
            + ", ".join(stale)
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
