"""The ``export`` and ``import`` verbs: a table to or from a JSON-lines or CSV file, streamed
(one page or one chunk in memory), with a progress bar and a resumable import.

The import sends the file in chunks of ``batch_size`` records, one batch save each, in order.
After every chunk it records in a checkpoint file (``FILE.checkpoint.json``) how many records
of the file are done; ``resume=True`` skips those. A chunk the server refuses (4xx) is reported
with its lines; by default the import stops there (fix the file, rerun with ``--resume``), with
``keep_going`` its records go to ``FILE.rejected.jsonl`` and the import goes on. A server or
connection failure stops the import (exit 3) with the checkpoint at the last acknowledged chunk.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

import orjson

from onyx_database import OnyxBatchError, OnyxClientError, OnyxDatabase

from ._connect import ConfigSource, connect
from ._formats import FileFormat, RecordWriter, format_of, read_records
from ._output import Output
from ._run import EXIT_DIFFERENT, EXIT_OK, CommandError, one_line

__all__ = ["ImportSummary", "checkpoint_path", "export_table", "import_table"]

DEFAULT_PAGE_SIZE = 1000
DEFAULT_BATCH_SIZE = 500


def _attributes(db: OnyxDatabase, table: str) -> list[dict[str, Any]]:
    schema = db.get_schema(tables=[table])
    for entity in schema.get("entities") or []:
        if entity.get("name") == table:
            identifier = (entity.get("identifier") or {}).get("name")
            attributes = [a for a in entity.get("attributes") or [] if isinstance(a, dict)]
            return sorted(attributes, key=lambda a: a.get("name") != identifier)
    raise CommandError(f"unknown table: {table}")


@contextmanager
def _target(file: str | None, out: Output) -> Iterator[IO[str]]:
    if file is None or file == "-":
        yield out.stdout
        return
    try:
        with Path(file).open("w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as exc:
        raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from None


def export_table(
    config: ConfigSource,
    out: Output,
    *,
    table: str,
    file: str | None = None,
    format: FileFormat | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> int:
    """Write every record of ``table`` to ``file`` (stdout when ``None`` or ``-``), page by page;
    CSV columns are the table's attributes, the identifier first."""
    fmt = format_of(file, format)
    with connect(config) as db:
        columns = [str(a.get("name")) for a in _attributes(db, table)]
        query = db.from_table(table).page_size(page_size)
        total = query.count() if out.live else None
        written = 0
        with _target(file, out) as stream, out.progress(f"export {table}", total) as step:
            writer = RecordWriter(stream, fmt, columns)
            for record in query:
                writer.write(record)
                written += 1
                step()
    if file not in (None, "-"):
        out.line(f"Exported {written} records of {table} to {file} ({fmt}).")
    return EXIT_OK


def checkpoint_path(file: str | Path) -> Path:
    """Where the import of ``file`` keeps its checkpoint.

    >>> checkpoint_path("users.csv").name
    'users.csv.checkpoint.json'
    """
    path = Path(file)
    return path.with_name(path.name + ".checkpoint.json")


@dataclass
class ImportSummary:
    """What an import did, as the checkpoint stores it: ``done`` records of the file are
    settled (``written`` acknowledged by the server, ``failed`` refused, ``skipped`` settled by
    an earlier run and not sent again)."""

    table: str
    done: int = 0
    written: int = 0
    failed: int = 0
    skipped: int = 0


def _load_checkpoint(path: Path, table: str) -> ImportSummary:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ImportSummary(table)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the checkpoint {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("table") != table:
        raise CommandError(f"{path} is the checkpoint of another import (table {data!r})")
    return ImportSummary(table, done=int(data.get("done", 0)))


def _save_checkpoint(path: Path, summary: ImportSummary) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(asdict(summary)) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _chunks(
    records: Iterator[tuple[int, dict[str, Any]]], size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    while chunk := list(islice(records, size)):
        yield chunk


def _count_records(path: Path, fmt: FileFormat) -> int:
    with path.open(encoding="utf-8", newline="") as stream:
        if fmt == "csv":
            return max(sum(1 for _row in csv.reader(stream)) - 1, 0)  # cells may hold newlines
        return sum(1 for line in stream if line.strip())


def _reject(path: Path, chunk: Sequence[tuple[int, dict[str, Any]]]) -> None:
    with path.open("ab") as stream:
        for _line, record in chunk:
            stream.write(orjson.dumps(record, default=str) + b"\n")


def import_table(
    config: ConfigSource,
    out: Output,
    *,
    table: str,
    file: str,
    format: FileFormat | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    resume: bool = False,
    keep_going: bool = False,
) -> int:
    """Upsert the records of ``file`` into ``table`` chunk by chunk; 0 when every record was
    written, 1 when the server refused a chunk (reported, and kept in the checkpoint or the
    rejects file: nothing is silently lost)."""
    if batch_size < 1:
        raise CommandError("--batch-size must be at least 1")
    path = Path(file)
    fmt = format_of(file, format)
    checkpoint = checkpoint_path(path)
    rejects = path.with_name(path.name + ".rejected.jsonl")
    summary = _load_checkpoint(checkpoint, table) if resume else ImportSummary(table)
    if not resume and checkpoint.exists():
        out.error(f"note: starting over; {checkpoint} is from an earlier run (see --resume)")
    summary.skipped = summary.done
    with connect(config) as db:
        types = {str(a.get("name")): str(a.get("type")) for a in _attributes(db, table)}
        records = read_records(path, fmt, types)
        total = _count_records(path, fmt) if out.live else None
        with out.progress(f"import {table}", total) as step:
            step(summary.skipped)
            for chunk in _chunks(islice(records, summary.done, None), batch_size):
                first, last = chunk[0][0], chunk[-1][0]
                try:
                    db.batch_save(table, [record for _, record in chunk], batch_size=len(chunk))
                except OnyxBatchError as exc:
                    cause = exc.__cause__
                    if not isinstance(cause, OnyxClientError) or exc.outcome_unknown:
                        _save_checkpoint(checkpoint, summary)
                        if isinstance(cause, Exception):
                            raise cause from None
                        raise
                    out.error(
                        f"onyx-py import: {len(chunk)} records of {file} (lines {first}-{last})"
                        f" refused: {one_line(cause)}"
                    )
                    if not keep_going:
                        summary.failed += len(chunk)
                        _save_checkpoint(checkpoint, summary)
                        _report(out, summary, file)
                        out.error(f"Stopped; fix the file and rerun with --resume ({checkpoint}).")
                        return EXIT_DIFFERENT
                    _reject(rejects, chunk)
                    summary.failed += len(chunk)
                else:
                    summary.written += len(chunk)
                summary.done += len(chunk)
                _save_checkpoint(checkpoint, summary)
                step(len(chunk))
    _report(out, summary, file)
    if summary.failed:
        out.error(f"Refused records are in {rejects}.")
        return EXIT_DIFFERENT
    checkpoint.unlink(missing_ok=True)
    return EXIT_OK


def _report(out: Output, summary: ImportSummary, file: str) -> None:
    out.line(
        f"Imported {file} into {summary.table}: {summary.written} written, {summary.failed}"
        f" failed, {summary.skipped} skipped (already imported)."
    )
