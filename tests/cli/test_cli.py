"""``onyx-py gen`` and ``onyx-py schema`` against a real Onyx Local (in-process ``main``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from onyx_database._cli import main

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

EXAMPLE_SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    from onyx_database.local import LocalServer

    with LocalServer(tmp_path_factory.mktemp("cli-onyx-local")) as local:
        yield local


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory as the working directory, with no Onyx env vars."""
    for name in (
        "ONYX_CONFIG_PATH",
        "ONYX_DATABASE_ID",
        "ONYX_DATABASE_API_KEY",
        "ONYX_DATABASE_API_SECRET",
        "ONYX_DATABASE_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Cli:
    def __init__(self, server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
        self.config = str(server.config_path)
        self.capsys = capsys

    def __call__(self, *args: str, config: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        argv = list(args)
        if config:
            argv += ["--config", self.config]
        code = main(argv)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(server: LocalServer, project: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(server, capsys)


def _write(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def test_full_workflow(cli: Cli, project: Path, server: LocalServer) -> None:
    schema = load(EXAMPLE_SCHEMA)
    local = project / "onyx.schema.json"
    _write(local, schema)

    code, out, err = cli("schema", "publish")
    assert code == 0, err
    assert f"Schema published for database {server.database_id} from onyx.schema.json." in out

    got = project / "fetched.schema.json"
    code, out, err = cli("schema", "get", "--out", str(got))
    assert code == 0, err
    assert f"Schema written to {got}." in out
    fetched = json.loads(got.read_text())
    assert [e["name"] for e in fetched["entities"]] == sorted(e["name"] for e in schema["entities"])
    assert "entityText" not in got.read_text()

    code, out, err = cli("schema", "diff", "--exit-code")
    assert (code, out) == (0, "No differences found between API schema and onyx.schema.json.\n")
    code, out, _ = cli("schema", "diff", str(got), "--exit-code")
    assert code == 0

    edited = copy.deepcopy(schema)
    user = next(e for e in edited["entities"] if e["name"] == "User")
    user["attributes"].append({"name": "nickname", "type": "String", "isNullable": True})
    user["attributes"] = [a for a in user["attributes"] if a["name"] != "lastLoginAt"]
    next(a for a in user["attributes"] if a["name"] == "email")["isNullable"] = True
    edited["entities"].append(
        {
            "name": "Order",
            "identifier": {"name": "id", "generator": "UUID", "type": "String"},
            "attributes": [{"name": "id", "type": "String"}],
        }
    )
    _write(local, edited)

    code, out, _ = cli("schema", "diff")
    assert code == 0  # a difference is not an error without --exit-code
    assert "added    Order" in out and "attribute nickname" in out
    assert "attribute lastLoginAt" in out and "isNullable: false -> true" in out
    code, out, _ = cli("schema", "diff", "--exit-code", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["newTables"] == ["Order"]
    (table,) = data["changedTables"]
    assert table["name"] == "User"
    assert table["attributes"]["removed"] == ["lastLoginAt"]
    assert table["attributes"]["added"][0]["name"] == "nickname"
    code, out, _ = cli("schema", "diff", "--format", "yaml")
    assert out.startswith("# Diff between API schema and onyx.schema.json\n\nnewTables:\n")

    code, out, err = cli("schema", "validate")
    assert (code, out.strip()) == (0, "Schema at onyx.schema.json is valid.")

    invalid = copy.deepcopy(edited)
    invalid["entities"].append({"name": "Bad", "attributes": [{"name": "x", "type": "Nope"}]})
    invalid["entities"].append({"name": "User", "attributes": []})
    _write(project / "invalid.json", invalid)
    code, out, err = cli("schema", "validate", "invalid.json")
    assert code == 1
    assert "Schema at invalid.json is invalid" in err
    assert len([line for line in err.splitlines() if line.startswith("- ")]) >= 2
    code, out, err = cli("schema", "publish", "invalid.json")
    assert code == 1 and "is invalid" in err and "published" not in out

    # generate from the file (the default when ./onyx.schema.json exists)
    code, out, err = cli("gen", config=False)
    assert code == 0, err
    assert "Generated 8 models into onyx_models" in out
    assert (project / "onyx_models" / "models.py").is_file()
    code, out, err = cli("gen", "--check", config=False)
    assert (code, out.strip()) == (0, "onyx_models is up to date.")

    # the schema changes: the check fails with a diff
    user["attributes"].append({"name": "karma", "type": "Int", "isNullable": True})
    _write(local, edited)
    code, out, err = cli("gen", "--check", config=False)
    assert code == 1
    assert "+    karma: int | None = None" in out
    assert "onyx_models is out of date" in err
    assert (
        "karma" not in (project / "onyx_models" / "models.py").read_text()
    )  # --check writes nothing

    # publish the edit; generate from the API into two directories and emit the JSON
    code, _, err = cli("schema", "publish")
    assert code == 0, err
    code, out, err = cli(
        "gen",
        "--source",
        "api",
        "--out",
        "a",
        "--out",
        "b",
        "--package",
        "mdl",
        "--emit-json",
        "out/schema.json",
        "--timestamps",
        "string",
    )
    assert code == 0, err
    assert (project / "a" / "models.py").read_text() == (project / "b" / "models.py").read_text()
    assert "from mdl import" in (project / "a" / "__init__.py").read_text()
    assert "from schema revision" in (project / "a" / "models.py").read_text()
    assert "createdAt: str" in (project / "a" / "models.py").read_text()
    emitted = json.loads((project / "out" / "schema.json").read_text())
    assert "Order" in [e["name"] for e in emitted["entities"]]
    code, out, err = cli(
        "gen",
        "--source",
        "api",
        "--out",
        "a",
        "--package",
        "mdl",
        "--timestamps",
        "string",
        "--check",
    )
    assert code == 0, out + err

    code, out, err = cli("gen", "--tables", "User,Role", "--out", "subset", config=False)
    assert code == 0, err
    assert "Generated 2 models" in out

    code, out, err = cli("schema", "history")
    assert code == 0 and "revision" in out


def test_get_with_tables_prints_and_never_writes(cli: Cli, project: Path) -> None:
    schema = load(EXAMPLE_SCHEMA)
    _write(project / "seed.json", schema)
    assert cli("schema", "publish", "seed.json")[0] == 0
    target = project / "onyx.schema.json"
    target.write_text("keep me\n", encoding="utf-8")
    code, out, err = cli("schema", "get", "--tables", "User")
    assert code == 0, err
    assert [e["name"] for e in json.loads(out)["entities"]] == ["User"]
    assert target.read_text() == "keep me\n"
    code, out, _ = cli("schema", "get", "--print")
    assert code == 0 and len(json.loads(out)["entities"]) == len(schema["entities"])
    assert target.read_text() == "keep me\n"
    code, out, _ = cli("schema", "get")
    assert code == 0 and json.loads(target.read_text())["entities"]


def test_info_never_prints_the_secret(cli: Cli, server: LocalServer) -> None:
    code, out, err = cli("schema", "info")
    assert code == 0, err
    assert server.api_secret not in out + err
    assert server.api_key not in out + err
    assert "[REDACTED]" in out
    assert server.database_id in out
    assert f"config_path {server.config_path}" in out
    assert "connection" in out and "ok" in out
    code, out, _ = cli("schema", "info", "--no-verify", "--database-id", server.database_id)
    assert code == 0 and "explicit" in out and "skipped" in out


def test_errors_are_one_line_with_exit_codes(cli: Cli, project: Path, server: LocalServer) -> None:
    code, _, err = cli("schema", "validate", "missing.json")
    assert code == 2 and err.strip() == "onyx-py schema: schema file not found: missing.json"
    (project / "broken.json").write_text("{nope", encoding="utf-8")
    code, _, err = cli("schema", "diff", "broken.json")
    assert code == 2 and "not valid JSON" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("schema", "get", config=False)  # no credentials anywhere
    assert code == 2 and "configuration error" in err and "Traceback" not in err
    code, _, err = cli("schema", "get", "--base-url", "http://127.0.0.1:9")
    assert code == 3 and "server error" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("schema", "frobnicate")
    assert code == 2 and "No such command 'frobnicate'" in err
    code, _, err = cli("gen", "--timestamps", "epoch", config=False)
    assert code == 2
    code, _, err = cli("gen", "--source", "file", "--schema", "nope.json", config=False)
    assert code == 2 and "schema file not found: nope.json" in err
    _write(project / "s.json", load(EXAMPLE_SCHEMA))
    code, _, err = cli("gen", "--schema", "s.json", "--tables", "Ghost", config=False)
    assert code == 2 and "unknown table(s): Ghost" in err
    code, _, err = cli("schema", "info", "--config", str(project / "none.json"), config=False)
    assert code == 2 and "configuration error" in err


def test_help_version_and_local_dispatch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.startswith("onyx-py ")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("onyx-py ")
    assert main(["--help"]) == 0
    assert "gen " in capsys.readouterr().out
    assert main(["gen", "--help"]) == 0
    assert "--check" in capsys.readouterr().out
    assert main(["schema", "diff", "--help"]) == 0
    assert "--exit-code" in capsys.readouterr().out
    assert main(["nope"]) == 2
    assert main(["help"]) == 0 and "export " in capsys.readouterr().out
    assert main(["-h"]) == 0
    assert main([]) == 2  # usage, as before


def test_plain_and_rich_tables() -> None:
    import io

    from onyx_database.cli import Output

    plain = io.StringIO()
    Output(plain, io.StringIO()).table("T", ("a", "bb"), [("1", "2"), ("333", "4")])
    lines = [line.rstrip() for line in plain.getvalue().splitlines()]
    assert lines == ["T", "a    bb", "---- --", "1    2", "333  4"]

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    fancy = Tty()
    output = Output(fancy, io.StringIO())
    assert output.rich
    output.table("T", ("a",), [("x",)])
    assert "x" in fancy.getvalue()
    assert "─" in fancy.getvalue() or "━" in fancy.getvalue()
