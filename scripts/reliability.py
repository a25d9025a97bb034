"""Run the reliability suite alone and write its figures into docs/reliability.md.

python3 scripts/reliability.py            # run tests/reliability, rewrite the figures table
python3 scripts/reliability.py --check    # run it, print the table, leave the docs alone

The tests record what they measured through the ``figure`` fixture (tests/reliability/conftest.py)
into a JSON-lines file named by ONYX_RELIABILITY_FIGURES; this script turns them into the table
between the ``figures`` markers of docs/reliability.md. The table is written only when every test
passed. ``python3 scripts/test.py`` runs the same tests as part of the whole suite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bootstrap

DOC = _bootstrap.ROOT / "docs" / "reliability.md"
START = "<!-- figures:start (written by python3 scripts/reliability.py) -->"
END = "<!-- figures:end -->"


def _table(figures: list[dict[str, str]], seconds: float) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpus = os.cpu_count() or 1
    lines = [
        START,
        "",
        f"Measured {when} by `python3 scripts/reliability.py` on {platform.system()} "
        f"{platform.machine()}, {cpus} CPU(s), Python {platform.python_version()}: "
        f"{len(figures)} figures, suite run {seconds:.0f} s.",
        "",
        "| test | what was measured | figure |",
        "|---|---|---|",
    ]
    for row in figures:
        test = row["test"].replace("tests/reliability/", "")
        cells = [f"`{test}`", row["what"], row["figure"]]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    extra = [arg for arg in argv if arg != "--check"]
    python = _bootstrap.project_python()
    with tempfile.TemporaryDirectory() as folder:
        figures_file = Path(folder) / "figures.jsonl"
        env = {**os.environ, "ONYX_RELIABILITY_FIGURES": str(figures_file)}
        command = [str(python), "-m", "pytest", "-W", "error", "-m", "reliability"]
        command += ["tests/reliability", *extra]
        print("[reliability] " + " ".join(command[2:]), flush=True)
        started = time.monotonic()
        code = subprocess.run(command, cwd=_bootstrap.ROOT, env=env, check=False).returncode
        seconds = time.monotonic() - started
        if code != 0:
            print(f"[reliability] the suite failed (exit {code}): docs not updated", flush=True)
            return code
        lines = figures_file.read_text().splitlines() if figures_file.exists() else []
        figures = [json.loads(line) for line in lines]
    if not figures:
        print("[reliability] no figure was recorded", flush=True)
        return 1
    table = _table(figures, seconds)
    print(table)
    if check:
        return 0
    text = DOC.read_text()
    if START not in text or END not in text:
        print(f"[reliability] {DOC} lacks the figures markers", flush=True)
        return 1
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(before + table + after)
    print(f"[reliability] wrote {DOC.relative_to(_bootstrap.ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
