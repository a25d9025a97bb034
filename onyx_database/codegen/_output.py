"""Terminal output of the CLI: ``rich`` tables on a TTY, plain aligned text otherwise."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, Any

__all__ = ["Output"]


class Output:
    """Writes to ``stdout``/``stderr``; uses rich only when it is installed, ``stdout`` is a
    TTY and ``NO_COLOR`` is unset (plain text is what pipes and tests see)."""

    def __init__(self, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self._console: Any = None
        isatty = getattr(self.stdout, "isatty", None)
        if callable(isatty) and isatty() and not os.environ.get("NO_COLOR"):
            try:
                from rich.console import Console
            except ImportError:  # rich is optional
                pass
            else:
                self._console = Console(file=self.stdout, highlight=False)

    @property
    def rich(self) -> bool:
        return self._console is not None

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def raw(self, text: str) -> None:
        self.stdout.write(text)

    def error(self, text: str) -> None:
        self.stderr.write(text + "\n")

    def table(
        self, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]
    ) -> None:
        if self._console is not None:
            from rich.table import Table

            table = Table(title=title, title_justify="left")
            for column in columns:
                table.add_column(column, overflow="fold")
            for row in rows:
                table.add_row(*(str(cell) for cell in row))
            self._console.print(table)
            return
        if title:
            self.line(title)
        widths = [len(c) for c in columns]
        for row in rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], len(str(cell)))

        def fmt(cells: Sequence[str]) -> str:
            return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

        self.line(fmt(columns))
        self.line(fmt(["-" * w for w in widths]))
        for row in rows:
            self.line(fmt(row))
