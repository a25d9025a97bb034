"""``onyx-py export`` / ``import`` / ``shell`` against a real Onyx Local (in-process ``main``,
and the installed console script for the shell)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import onyx_database
from onyx_database._cli import main
from onyx_database.cli import checkpoint_path

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"
TABLE = "UserProfile"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    from onyx_database.local import LocalServer

    with LocalServer(tmp_path_factory.mktemp("transfer-onyx-local"), schema=SCHEMA) as local:
        yield local


@pytest.fixture
def db(server: LocalServer) -> Iterator[onyx_database.OnyxDatabase]:
    server.reset_data()
    server.reset_request_counts()
    with onyx_database.init(config_path=str(server.config_path)) as client:
        yield client


@pytest.fixture
def cli(server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*args, "--config", str(server.config_path)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def profile(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"p{n:03d}",
        "firstName": f'First {n}, "quoted"',
        "lastName": "Last\nline" if n % 5 == 0 else "Last",
        "userId": f"u{n}",
        "createdAt": "2026-01-02T03:04:05.000Z",
        "age": n if n % 3 else None,
        "address": {"city": "Oslo", "zip": [n, n + 1]} if n % 2 else None,
        "bio": "" if n % 7 == 0 else None,
        **extra,
    }


def everything(db: onyx_database.OnyxDatabase) -> list[dict[str, Any]]:
    return sorted(db.from_table(TABLE).list(), key=lambda r: str(r["id"]))


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_export_then_import_round_trips(
    cli: Any, db: onyx_database.OnyxDatabase, server: LocalServer, tmp_path: Path, suffix: str
) -> None:
    db.batch_save(TABLE, [profile(n) for n in range(1, 26)])
    before = everything(db)
    file = tmp_path / f"profiles.{suffix}"
    server.reset_request_counts()

    code, out, err = cli("export", TABLE, "--out", str(file), "--page-size", "7")
    assert code == 0, err
    assert f"Exported 25 records of {TABLE} to {file} ({suffix})." in out
    # paged: 25 records at 7 per page are 4 query requests, never one big read
    assert server.request_count("PUT", f"/data/{{db}}/query/{TABLE}") == 4
    if suffix == "csv":
        header = file.read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("id,") and "address" in header

    db.from_table(TABLE).delete()
    assert db.from_table(TABLE).count() == 0
    server.reset_request_counts()
    code, out, err = cli("import", TABLE, str(file), "--batch-size", "10")
    assert code == 0, err
    assert f"Imported {file} into {TABLE}: 25 written, 0 failed, 0 skipped" in out
    assert server.request_count("PUT", f"/data/{{db}}/{TABLE}") == 3  # 10 + 10 + 5
    after = everything(db)
    if suffix == "csv":
        # CSV has one kind of empty cell: an empty string comes back as null
        before = [{k: (None if v == "" else v) for k, v in r.items()} for r in before]
    assert after == before
    assert not checkpoint_path(file).exists()


def test_export_to_stdout_streams_json_lines(cli: Any, db: onyx_database.OnyxDatabase) -> None:
    db.batch_save(TABLE, [profile(n) for n in range(1, 4)])
    code, out, _ = cli("export", TABLE)
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["p001", "p002", "p003"]


def test_a_refused_chunk_stops_and_resume_sends_only_the_rest(
    cli: Any, db: onyx_database.OnyxDatabase, server: LocalServer, tmp_path: Path
) -> None:
    records = [profile(n) for n in range(1, 31)]
    records[14]["age"] = "fifteen"  # a real 422 from the server for the second chunk
    file = tmp_path / "profiles.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    code, out, err = cli("import", TABLE, str(file), "--batch-size", "10")
    assert code == 1
    assert f"10 records of {file} (lines 11-20) refused" in err
    assert "HTTP 422" in err and "age" in err
    assert "10 written, 10 failed, 0 skipped" in out
    assert "--resume" in err
    assert json.loads(checkpoint_path(file).read_text())["done"] == 10
    assert server.request_count("PUT", f"/data/{{db}}/{TABLE}") == 2  # stopped: chunk 3 unsent

    records[14]["age"] = 15
    file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    server.reset_request_counts()
    code, out, err = cli("import", TABLE, str(file), "--batch-size", "10", "--resume")
    assert code == 0, err
    assert "20 written, 0 failed, 10 skipped (already imported)" in out
    assert server.request_count("PUT", f"/data/{{db}}/{TABLE}") == 2  # chunks 2 and 3 only
    assert [r["id"] for r in everything(db)] == [f"p{n:03d}" for n in range(1, 31)]
    assert db.find_by_id(TABLE, "p015")["age"] == 15
    assert not checkpoint_path(file).exists()


def test_keep_going_writes_refused_records_to_the_rejects_file(
    cli: Any, db: onyx_database.OnyxDatabase, tmp_path: Path
) -> None:
    records = [profile(n) for n in range(1, 8)]
    records[2]["age"] = "three"
    file = tmp_path / "few.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, out, err = cli("import", TABLE, str(file), "--batch-size", "2", "--keep-going")
    assert code == 1
    assert "5 written, 2 failed, 0 skipped" in out
    rejected = tmp_path / "few.jsonl.rejected.jsonl"
    assert f"Refused records are in {rejected}." in err
    assert [json.loads(line)["id"] for line in rejected.read_text().splitlines()] == [
        "p003",
        "p004",
    ]
    assert {"p001", "p002", "p005", "p006", "p007"} <= {r["id"] for r in everything(db)}


def test_import_errors_are_one_line(
    cli: Any, db: onyx_database.OnyxDatabase, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "p1"}\n{nope\n', encoding="utf-8")
    code, _, err = cli("import", TABLE, str(bad))
    assert code == 2 and f"{bad}:2: not valid JSON" in err
    code, _, err = cli("import", TABLE, str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err
    code, _, err = cli("export", "Ghost")
    assert code == 2 and "unknown table: Ghost" in err
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("id,age\np1,old\n", encoding="utf-8")
    code, _, err = cli("import", TABLE, str(csv_file))
    assert code == 2 and "bad.csv:2 age" in err


def test_shell_runs_piped_statements_with_db(
    server: LocalServer, db: onyx_database.OnyxDatabase, tmp_path: Path
) -> None:
    db.batch_save(TABLE, [profile(n) for n in range(1, 4)])
    script = Path(sys.executable).with_name("onyx-py")
    result = subprocess.run(
        [str(script), "shell", "--plain", "--config", str(server.config_path)],
        input="print('count', db.from_table('UserProfile').count())\nprint(db.database_id)\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["count 3", server.database_id]
    assert "`db` is connected" in result.stderr
    assert server.api_secret not in result.stdout + result.stderr


def test_progress_bars_show_on_a_terminal(
    db: onyx_database.OnyxDatabase, server: LocalServer, tmp_path: Path
) -> None:
    import io

    from onyx_database.cli import Output, export_table, import_table

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    db.batch_save(TABLE, [profile(n) for n in range(1, 26)])
    file = tmp_path / "profiles.jsonl"
    errors = Terminal()
    config = db.config
    assert export_table(config, Output(io.StringIO(), errors), table=TABLE, file=str(file)) == 0
    assert f"export {TABLE}" in errors.getvalue() and "25/25" in errors.getvalue()
    errors = Terminal()
    out = Output(io.StringIO(), errors)
    assert import_table(config, out, table=TABLE, file=str(file), batch_size=10) == 0
    assert f"import {TABLE}" in errors.getvalue() and "25/25" in errors.getvalue()
