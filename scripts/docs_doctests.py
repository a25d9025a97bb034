"""A griffe extension for the API reference (``mkdocs.yml``): fence each doctest of a docstring
(``>>>`` lines and their output) as a ``pycon`` code block, so Markdown shows it as code instead
of a quotation with stray link references."""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap every run of doctest lines (a ``>>>`` line up to the next blank line) in a fenced
    ``pycon`` block, keeping its indentation."""
    out: list[str] = []
    in_block = False
    indent = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not in_block and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_block = True
        elif in_block and not stripped:
            out.append(f"{indent}```")
            in_block = False
        out.append(line)
    if in_block:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
