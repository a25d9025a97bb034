"""Every public member of the official onyx-database 2.5.2 SDK is accepted by this SDK.

The official surface is described by ``signatures_script.py`` run in ``.venv-official``; this
SDK's by the same code in-process. A member differs when a call the official SDK accepts would
not be accepted here: a missing member, a positional parameter at another position or under
another name, a keyword ours does not take, an official optional parameter that is required
here, a required parameter of ours the official does not have, a value of another kind or
enum values that differ. Extra optional parameters of ours are fine.

``ALLOWED`` lists the differences accepted for now, each with its reason (none today); it only
shrinks: an entry that no longer differs fails the test too.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from signatures_script import HELPER_MODULES, describe

pytestmark = pytest.mark.official

HERE = Path(__file__).parent
OFFICIAL_PYTHON = HERE.parents[1] / ".venv-official" / "bin" / "python"

ALLOWED: dict[str, str] = {}

POSITIONAL = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
KEYWORD = ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")


def our_surface() -> dict[str, Any]:
    import onyx_database
    import onyx_database.errors

    roles: dict[str, Any] = {
        "facade": type(onyx_database.onyx),
        "async_facade": type(getattr(onyx_database, "onyx_async", None)),
        "client": onyx_database.OnyxDatabase,
        "async_client": onyx_database.AsyncOnyxDatabase,
        "query": onyx_database.QueryBuilder,
        "async_query": onyx_database.AsyncQueryBuilder,
        "cascade": onyx_database.CascadeWriter,
        "async_cascade": onyx_database.AsyncCascadeWriter,
        "ai": onyx_database.OnyxAI,
        "async_ai": onyx_database.AsyncOnyxAI,
        "chat_client": type(onyx_database.OnyxAI.chat_client(None)),  # type: ignore[arg-type]
        "async_chat_client": type(onyx_database.AsyncOnyxAI.chat_client(None)),  # type: ignore[arg-type]
        "results": onyx_database.QueryResults,
        "async_results": onyx_database.QueryResults,
    }
    official = official_surface()
    modules = {
        "exports": (onyx_database, [n for n in official["exports"] if hasattr(onyx_database, n)]),
        "errors": (
            onyx_database.errors,
            [n for n in official["errors"] if hasattr(onyx_database.errors, n)],
        ),
    }
    for name in HELPER_MODULES:
        helpers = importlib.import_module(f"onyx_database.{name}")
        modules[name] = (helpers, [n for n in official[name] if hasattr(helpers, n)])
    return describe(roles, modules)


_official: dict[str, Any] | None = None


def official_surface() -> dict[str, Any]:
    global _official
    if _official is None:
        if not OFFICIAL_PYTHON.exists():
            pytest.fail("the official SDK virtualenv is missing: run python3 scripts/test.py")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ONYX_", "PYTHON"))}
        out = subprocess.run(
            [str(OFFICIAL_PYTHON), str(HERE / "signatures_script.py")],
            cwd=HERE.parents[1] / "tests",  # never the repository root: it holds our package
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        _official = json.loads(out.stdout)
    return _official


def param_differences(theirs: list[list[Any]], ours: list[list[Any]]) -> list[str]:
    problems: list[str] = []
    our_by_name = {p[0]: p for p in ours}
    our_positional = [p for p in ours if p[1] in POSITIONAL]
    has_var_positional = any(p[1] == "VAR_POSITIONAL" for p in ours)
    has_var_keyword = any(p[1] == "VAR_KEYWORD" for p in ours)
    their_positional = [p for p in theirs if p[1] in POSITIONAL]
    for index, (name, kind, has_default) in enumerate(their_positional):
        if index < len(our_positional):
            ours_p = our_positional[index]
            if kind == "POSITIONAL_OR_KEYWORD" and ours_p[0] != name:
                problems.append(f"positional {index} is {ours_p[0]!r}, official {name!r}")
            if has_default and not ours_p[2]:
                problems.append(f"{ours_p[0]!r} is required, optional in the official")
        elif not has_var_positional:
            problems.append(f"no positional parameter {index} ({name!r})")
    for name, kind, has_default in theirs:
        if kind == "KEYWORD_ONLY":
            mine = our_by_name.get(name)
            if mine is None or mine[1] not in KEYWORD:
                if not has_var_keyword:
                    problems.append(f"no keyword {name!r}")
            elif has_default and not mine[2]:
                problems.append(f"{name!r} is required, optional in the official")
        elif kind == "VAR_POSITIONAL" and not has_var_positional:
            problems.append("no *args")
        elif kind == "VAR_KEYWORD" and not has_var_keyword:
            problems.append("no **kwargs")
    their_names = {p[0] for p in theirs}
    for index, (name, kind, has_default) in enumerate(ours):
        if has_default or kind in ("VAR_POSITIONAL", "VAR_KEYWORD"):
            continue
        positional_ok = kind in POSITIONAL and index < len(their_positional)
        if name not in their_names and not positional_ok:
            problems.append(f"requires {name!r}, which the official does not")
    return problems


def member_differences(theirs: dict[str, Any], ours: dict[str, Any] | None) -> list[str]:
    if ours is None:
        return ["missing"]
    if theirs["kind"] == "callable":
        if ours["kind"] != "callable":
            return [f"a {ours['kind']}, official a callable"]
        if theirs["params"] is None or ours["params"] is None:
            return []
        return param_differences(theirs["params"], ours["params"])
    if theirs["kind"] == "enum" and ours.get("values") != theirs["values"]:
        return [f"enum values {ours.get('values')}, official {theirs['values']}"]
    if theirs["kind"] == "constant" and ours.get("value") != theirs["value"]:
        return [f"value {ours.get('value')!r}, official {theirs['value']!r}"]
    if theirs["kind"] in ("class", "type alias", "property"):
        return []
    if theirs["kind"] != ours["kind"] and theirs["kind"] not in ("enum", "constant"):
        return [f"a {ours['kind']}, official a {theirs['kind']}"]
    return []


def differences() -> dict[str, list[str]]:
    theirs, ours = official_surface(), our_surface()
    out: dict[str, list[str]] = {}
    for role, members in theirs.items():
        for name, description in members.items():
            problems = member_differences(description, ours.get(role, {}).get(name))
            if problems:
                out[f"{role}.{name}"] = problems
    return out


def test_official_signatures_are_accepted() -> None:
    found = differences()
    total = sum(len(members) for members in official_surface().values())
    new = {key: value for key, value in found.items() if key not in ALLOWED}
    fixed = sorted(key for key in ALLOWED if key not in found)
    report = "\n".join(f"{key}: {'; '.join(value)}" for key, value in sorted(new.items()))
    assert not new, f"{len(new)} of {total} official members differ:\n{report}"
    assert not fixed, f"no longer differ, remove from ALLOWED: {fixed}"


def test_the_comparison_catches_differences() -> None:
    official = [["n", "POSITIONAL_OR_KEYWORD", False], ["model", "KEYWORD_ONLY", True]]
    assert param_differences(official, [["n", "POSITIONAL_OR_KEYWORD", False]]) == [
        "no keyword 'model'"
    ]
    assert param_differences(official, [["count", "POSITIONAL_OR_KEYWORD", False]]) == [
        "positional 0 is 'count', official 'n'",
        "no keyword 'model'",
    ]
    ours = [
        ["n", "POSITIONAL_OR_KEYWORD", False],
        ["model", "KEYWORD_ONLY", True],
        ["extra", "KEYWORD_ONLY", True],
    ]
    assert param_differences(official, ours) == []
    assert member_differences({"kind": "callable", "params": []}, None) == ["missing"]
