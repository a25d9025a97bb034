"""Full-text search: Lucene-style query text translated to a safe SQLite FTS5 expression.

Supported: terms (OR by default), ``"quoted phrases"``, ``AND`` / ``OR`` / ``NOT`` (also ``&&``,
``||``, ``!``), ``+required`` / ``-prohibited``, ``(groups)``, ``field:term`` (an attribute's own
column), trailing ``*`` prefixes. Every term is emitted as a quoted FTS5 string, so no user text
is ever FTS5 syntax; fuzzy ``~`` and boosts ``^`` are dropped, inner wildcards end the term.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = ["fallback_expression", "translate"]

_TOKEN: Final = re.compile(
    r'\s*(?:(?P<phrase>"(?:[^"\\]|\\.)*"?)|(?P<op>&&|\|\||[()!+\-])|(?P<word>[^\s()"]+))'
)
_WORD: Final = re.compile(r"\w+")


@dataclass
class _Clause:
    occur: str  # SHOULD, MUST or MUST_NOT
    expression: str | None  # None: a clause that can match nothing


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term(word: str) -> str | None:
    prefix = word.endswith("*")
    word = re.split(r"[~^]", word, maxsplit=1)[0]
    word = word.lstrip("*?")
    word = re.split(r"[*?]", word, maxsplit=1)[0]
    word = word.replace("\\", "")
    if not _WORD.search(word):
        return None
    return _quote(word) + ("*" if prefix else "")


class _Parser:
    def __init__(self, text: str, column: Callable[[str], str | None]) -> None:
        self.tokens: list[tuple[str, str]] = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind is not None:
                self.tokens.append((kind, match.group(kind)))
        self.index = 0
        self.column = column

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def query(self, depth: int = 0) -> str | None:
        clauses: list[_Clause] = []
        pending_and = False
        while (token := self.peek()) is not None:
            kind, text = token
            if kind == "op" and text == ")":
                if depth > 0:
                    self.index += 1
                    break
                self.index += 1
                continue
            joiner = kind == "word" and text in ("AND", "OR")
            if joiner or (kind == "op" and text in ("&&", "||")):
                self.index += 1
                if text in ("AND", "&&"):
                    pending_and = True
                    if clauses and clauses[-1].occur == "SHOULD":
                        clauses[-1].occur = "MUST"
                continue
            occur = "MUST" if pending_and else "SHOULD"
            pending_and = False
            if (kind == "word" and text == "NOT") or (kind == "op" and text in ("!", "-")):
                self.index += 1
                occur = "MUST_NOT"
            elif kind == "op" and text == "+":
                self.index += 1
                occur = "MUST"
            expression = self.atom(depth)
            clauses.append(_Clause(occur, expression))
        return _combine(clauses)

    def atom(self, depth: int) -> str | None:
        token = self.peek()
        if token is None:
            return None
        self.index += 1
        kind, text = token
        if kind == "op" and text == "(":
            return None if depth > 32 else _group(self.query(depth + 1))
        if kind == "phrase":
            words = _WORD.findall(text.strip('"'))
            return _quote(" ".join(words)) if words else None
        if kind == "op":
            return None
        field, colon, rest = text.partition(":")
        if colon and field and _WORD.fullmatch(field):
            column = self.column(field)
            if rest:
                inner = _term(rest)
            elif (nxt := self.peek()) is not None and nxt[0] == "phrase":
                self.index += 1
                words = _WORD.findall(nxt[1].strip('"'))
                inner = _quote(" ".join(words)) if words else None
            elif nxt is not None and nxt == ("op", "("):
                self.index += 1
                inner = None if depth > 32 else _group(self.query(depth + 1))
            else:
                inner = None
            if column is None or inner is None:
                return None
            return f"{column} : {inner}"
        return _term(text)


def _group(expression: str | None) -> str | None:
    return None if expression is None else f"({expression})"


def _combine(clauses: list[_Clause]) -> str | None:
    musts = [c.expression for c in clauses if c.occur == "MUST"]
    shoulds = [c.expression for c in clauses if c.occur == "SHOULD" and c.expression]
    nots = [c.expression for c in clauses if c.occur == "MUST_NOT" and c.expression]
    if musts:
        if any(m is None for m in musts):
            return None
        positive = " AND ".join(str(m) for m in musts)
    elif shoulds:
        positive = " OR ".join(str(s) for s in shoulds)
    else:
        return None
    expression = f"({positive})" if nots else positive
    for excluded in nots:
        expression = f"{expression} NOT {excluded}"
    return expression


def translate(text: str, column: Callable[[str], str | None]) -> str | None:
    """The FTS5 MATCH expression for Lucene-style ``text`` (``None``: it can match nothing).

    ``column`` maps a ``field:`` name to its FTS5 column (``None`` for an unknown field).

    >>> translate('"product engineer" AND remote -onsite', lambda f: None)
    '("product engineer" AND "remote") NOT "onsite"'
    """
    return _Parser(text, column).query()


def fallback_expression(text: str) -> str | None:
    """Every word of ``text`` as an escaped literal, OR-ed (for text FTS5 still rejects)."""
    words = _WORD.findall(text)
    return " OR ".join(_quote(w) for w in words) if words else None
