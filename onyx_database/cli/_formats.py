"""Record files of ``export`` and ``import``: JSON lines and CSV, read and written one record at
a time. CSV cells are typed back from the table's schema attributes on import."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from ._run import CommandError

__all__ = ["FileFormat", "RecordWriter", "format_of", "json_object", "read_records"]

FileFormat = Literal["jsonl", "csv"]

_INTEGER = {"Int", "Long", "Short", "Byte"}
_FLOAT = {"Float", "Double"}
_JSON = {"EmbeddedObject", "EmbeddedList"}


def format_of(path: str | None, given: FileFormat | None) -> FileFormat:
    """``given``, else ``csv`` for a ``.csv`` file and JSON lines for anything else.

    >>> format_of("users.csv", None), format_of("users.jsonl", None), format_of("-", "csv")
    ('csv', 'jsonl', 'csv')
    """
    if given is not None:
        return given
    return "csv" if path is not None and path.lower().endswith(".csv") else "jsonl"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return orjson.dumps(value, default=str).decode()


class RecordWriter:
    """Writes records to ``stream`` as JSON lines, or as CSV with ``columns`` as the header.

    >>> import io
    >>> stream = io.StringIO()
    >>> writer = RecordWriter(stream, "csv", ["id", "tags", "ok"])
    >>> writer.write({"id": "u1", "tags": ["a"], "ok": True})
    >>> stream.getvalue()
    'id,tags,ok\\r\\nu1,"[""a""]",true\\r\\n'
    """

    def __init__(self, stream: IO[str], fmt: FileFormat, columns: Sequence[str]) -> None:
        self._stream = stream
        self._csv: Any = None
        self._columns = list(columns)
        if fmt == "csv":
            self._csv = csv.writer(stream)
            self._csv.writerow(self._columns)

    def write(self, record: Mapping[str, Any]) -> None:
        if self._csv is None:
            self._stream.write(orjson.dumps(record, default=str).decode() + "\n")
            return
        self._csv.writerow([_cell(record.get(name)) for name in self._columns])


def _typed(value: str, kind: str | None, where: str) -> Any:
    if value == "":
        return None
    try:
        if kind in _INTEGER:
            return int(value)
        if kind in _FLOAT:
            return float(value)
        if kind == "Boolean":
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(f"not a boolean: {value!r}")
            return lowered in ("true", "1")
        if kind in _JSON:
            return json.loads(value)
    except ValueError as exc:
        raise CommandError(f"{where}: {exc}") from None
    return value


def json_object(text: str, where: str, what: str) -> dict[str, Any]:
    """``text`` parsed as a JSON object; else a :class:`CommandError` saying ``where``.

    >>> json_object("[1]", "users.jsonl:3", "a record")
    Traceback (most recent call last):
    ...
    onyx_database.cli._run.CommandError: users.jsonl:3: a record must be a JSON object
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CommandError(f"{where}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{where}: {what} must be a JSON object")
    return data


def read_records(
    path: Path, fmt: FileFormat, types: Mapping[str, str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for every record of ``path``, read lazily; ``types`` (attribute
    name → schema type) turns CSV cells back into numbers, booleans and embedded JSON (an empty
    cell is null). A malformed record is a :class:`CommandError` naming its line."""
    try:
        stream = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    with stream:
        if fmt == "csv":
            reader = csv.DictReader(stream)
            for row in reader:
                where = f"{path}:{reader.line_num}"
                yield (
                    reader.line_num,
                    {
                        name: _typed(cell or "", types.get(name), f"{where} {name}")
                        for name, cell in row.items()
                        if name is not None
                    },
                )
            return
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            yield number, json_object(line, f"{path}:{number}", "a record")
