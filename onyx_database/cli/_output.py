"""Terminal output of the verbs: rich on stdout and stderr, boxed tables and live progress bars
on a terminal, plain aligned columns (and no bars) in pipes, files and tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Protocol

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

__all__ = ["Output", "Step"]

# Wide enough that a pipe never folds a path or a diff line into two.
_PIPE_WIDTH = 10_000


class Step(Protocol):
    """Advances a progress bar: ``step(n)`` marks ``n`` more units done."""

    def __call__(self, advance: int = 1) -> None: ...


def _console(stream: IO[str]) -> Console:
    isatty = getattr(stream, "isatty", None)
    terminal = bool(callable(isatty) and isatty())
    if terminal:
        return Console(file=stream, highlight=False, no_color=bool(os.environ.get("NO_COLOR")))
    return Console(
        file=stream, highlight=False, width=_PIPE_WIDTH, color_system=None, force_terminal=False
    )


class Output:
    """Where a verb writes: ``stdout`` for results, ``stderr`` for notes, errors and progress.

    >>> import io
    >>> out = Output(io.StringIO(), io.StringIO())
    >>> out.table("T", ("a", "bb"), [("1", "2"), ("333", "4")])
    >>> print(out.stdout.getvalue().rstrip())  # doctest: +NORMALIZE_WHITESPACE
    T
    a    bb
    ---- --
    1    2
    333  4
    """

    def __init__(self, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        self.stdout: IO[str] = stdout if stdout is not None else sys.stdout
        self.stderr: IO[str] = stderr if stderr is not None else sys.stderr
        self.console = _console(self.stdout)
        self.errors = _console(self.stderr)

    @property
    def rich(self) -> bool:
        """Whether ``stdout`` is a terminal (boxed tables, colours)."""
        return self.console.is_terminal

    @property
    def live(self) -> bool:
        """Whether progress bars show (``stderr`` is a terminal)."""
        return self.errors.is_terminal

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def raw(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def error(self, text: str) -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def table(
        self, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]
    ) -> None:
        if title:
            # On its own line: a table title would be wrapped to the table's width.
            self.console.print(Text(title, style="bold" if self.rich else ""))
        if self.rich:
            table = Table(box=box.ROUNDED)
        else:
            # Plain columns two spaces apart under a dashed rule, as grep and diff like them.
            table = Table(
                box=box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n"),
                show_edge=False,
                pad_edge=False,
                padding=(0, 1, 0, 0),
            )
        for column in columns:
            table.add_column(column, overflow="fold", header_style="bold" if self.rich else "")
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        self.console.print(table)

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Step]:
        """A progress bar on stderr while the block runs (only on a terminal).

        >>> import io
        >>> with Output(io.StringIO(), io.StringIO()).progress("rows", 3) as step:
        ...     step(3)
        """
        if not self.live:
            yield lambda advance=1: None
            return
        columns = [
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=self.errors, transient=False) as bar:
            task = bar.add_task(description, total=total)

            def step(advance: int = 1) -> None:
                bar.advance(task, advance)

            yield step
