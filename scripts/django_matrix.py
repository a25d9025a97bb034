"""Run tests/django against every supported Django release, each in its own virtualenv.

python3 scripts/django_matrix.py                 # every combination this machine has a Python for
python3 scripts/django_matrix.py --only 4.2      # the combinations whose Django starts with 4.2
python3 scripts/django_matrix.py --docs         # also write the table into docs/django.md
python3 scripts/django_matrix.py -- -k paginat   # arguments after -- go to pytest (replacing
                                                 # the default target, tests/django)

The virtualenvs are cached under .venv-matrix/ (git-ignored), rebuilt when pyproject.toml changes.
Each gets the project editable with its ``dev`` extra, resolved together with the Django release
(so DRF, django-filter and the debug toolbar are versions that support it); a release the ``dev``
extra's own pin leaves out (6.0: ``dev`` keeps the shared venv on 5.2) is installed over it. A
combination whose Python is missing (``python3.X`` on PATH or under pyenv) is reported, not failed.

Not part of ``scripts/test.py`` (it takes minutes: a virtualenv per combination): CI runs Django
5.2 on Python 3.11 from the shared venv only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bootstrap

ROOT = _bootstrap.ROOT
CACHE = ROOT / ".venv-matrix"
DEFAULT_TARGET = ["tests/django"]
DOC = ROOT / "docs" / "django.md"
START = "<!-- versions:start (written by python3 scripts/django_matrix.py --docs) -->"
END = "<!-- versions:end -->"


@dataclass(frozen=True)
class Combination:
    django: str  # the release series, "4.2"
    python: str  # "3.11"
    within_dev_pin: bool  # False: installed over the dev extra's ``django<6``

    @property
    def name(self) -> str:
        return f"py{self.python}-django{self.django}"

    @property
    def requirement(self) -> str:
        return f"django~={self.django}.0"


COMBINATIONS = [
    Combination("4.2", "3.11", within_dev_pin=True),
    Combination("5.2", "3.11", within_dev_pin=True),
    Combination("6.0", "3.12", within_dev_pin=False),  # Django 6.0 needs Python 3.12+
    Combination("6.0", "3.13", within_dev_pin=False),
]

VERSIONS = (
    "import sys, django, rest_framework, django_filters, debug_toolbar; "
    "print(sys.version.split()[0], django.__version__, rest_framework.VERSION, "
    "django_filters.__version__, debug_toolbar.VERSION)"
)


def find_python(version: str) -> Path | None:
    """An interpreter reporting ``version``: ``python3.X`` on PATH, else a pyenv install."""
    candidates: list[str] = []
    found = shutil.which(f"python{version}")
    if found:
        candidates.append(found)
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    for candidate in candidates:
        probe = [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
        result = subprocess.run(probe, capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip() == version:
            return Path(candidate)
    return None


def ensure_venv(combination: Combination, interpreter: Path) -> Path:
    env_dir = CACHE / combination.name
    python = env_dir / "bin" / "python"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(f"{combination}{interpreter}".encode())
    stamp = env_dir / ".onyx-stamp"
    if python.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return python
    print(f"[matrix] building {env_dir.relative_to(ROOT)} with {interpreter}", flush=True)
    subprocess.run([str(interpreter), "-m", "venv", "--clear", str(env_dir)], check=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    pip += ["--progress-bar", "off"]
    if combination.within_dev_pin:
        _bootstrap._run_with_progress([*pip, "-e", ".[dev]", combination.requirement])
    else:
        _bootstrap._run_with_progress([*pip, "-e", ".[dev]"])
        _bootstrap._run_with_progress([*pip, combination.requirement])
    stamp.write_text(digest.hexdigest())
    return python


def run(combination: Combination, pytest_args: list[str]) -> list[str]:
    """One table row: combination, Python, Django, DRF, django-filter, debug toolbar, result."""
    interpreter = find_python(combination.python)
    if interpreter is None:
        missing = f"not run: no Python {combination.python}"
        return [combination.name, combination.python, "-", "-", "-", "-", missing]
    python = ensure_venv(combination, interpreter)
    versions = subprocess.run(
        [str(python), "-c", VERSIONS], capture_output=True, text=True, check=True
    ).stdout.split()
    print(f"[matrix] {combination.name}: pytest {' '.join(pytest_args)}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [str(python), "-m", "pytest", "-W", "error", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, *pytest_args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    lines = result.stdout.strip().splitlines()
    summary = re.sub(r" in [\d.]+s.*$", "", lines[-1].strip("= ")) if lines else "no output"
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-6000:] + result.stderr[-2000:])
        summary = f"FAILED ({summary})"
    return [combination.name, *versions, summary]


def table(rows: list[list[str]]) -> str:
    header = ["combination", "Python", "Django", "DRF", "django-filter", "toolbar", "result"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * width for width in widths], *rows]
    return "\n".join(
        "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |"
        for line in lines
    )


def write_docs(markdown: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    measured = f"Measured {dt.date.today().isoformat()} on Linux ({platform.machine()}):"
    DOC.write_text(f"{head}{START}\n{measured}\n\n{markdown}\n\n{END}{tail}", encoding="utf-8")
    print(f"[matrix] wrote the table into {DOC.relative_to(ROOT)}", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the combinations whose Django starts with this")
    parser.add_argument("--docs", action="store_true", help="write the table into docs/django.md")
    parser.add_argument("pytest_args", nargs="*", help="after --: pytest arguments")
    args = parser.parse_args(argv)
    chosen = [c for c in COMBINATIONS if args.only is None or c.django.startswith(args.only)]
    if not chosen:
        parser.error(f"no combination has Django {args.only}")
    rows = [run(combination, args.pytest_args or DEFAULT_TARGET) for combination in chosen]
    markdown = table(rows)
    print(markdown, flush=True)
    failed = any(row[-1].startswith("FAILED") for row in rows)
    if args.docs and not failed and not args.pytest_args and args.only is None:
        write_docs(markdown)
    elif args.docs:
        print("[matrix] docs left alone: write them from a full, green, default run", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
