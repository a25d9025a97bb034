"""The README's demo runs end to end: starts Onyx Local as a process, seeds, queries, pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "example_projects" / "quickstart" / "demo.py"


def test_quickstart_demo_runs_and_reports_what_it_did() -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "saved 12 User records" in out
    assert "saved 2 Role records" in out
    assert "find_by_id('User', 'user_01') -> ada <ada@example.com>" in out
    assert "count of active users: 9" in out
    assert "list() walks every page: 12 users" in out
    assert "after save: ada.lovelace" in out
    assert "after delete: 11 users" in out
    assert "stopped Onyx Local" in out
