"""Shared helpers of the codegen and CLI tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SCHEMA = ROOT / "example_projects" / "onyx.schema.json"
HARD_SCHEMA = Path(__file__).with_name("hard.schema.json")
GOLDEN = Path(__file__).with_name("golden")
BIN = Path(sys.executable).parent
# The rules of the project's ruff config, at ruff's default line length, without reading any
# config file: generated code must pass in whatever project it lands in.
RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF,S,C4,PT,RET"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
