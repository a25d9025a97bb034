"""Set everything up and run every quality gate and the whole test suite.

python3 scripts/test.py            # lint, format check, mypy --strict (+ tests/typing),
                                   # mkdocs build --strict, pytest (browser tests included)
python3 scripts/test.py -k paging  # extra arguments go to pytest
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bootstrap

PACKAGES = ["onyx_database", "onyx_django", "onyx_flask"]
# assert_type checks of the public typing (files mypy reads; pytest never collects them)
TYPING_TESTS = ["tests/typing"]


def main(argv: list[str]) -> int:
    python = _bootstrap.project_python()
    _bootstrap.official_python()
    _bootstrap.browser()  # Debian's chromium + chromedriver for tests/browser (apt-get, once)
    root = _bootstrap.ROOT
    site_dir = tempfile.mkdtemp(prefix="onyx-docs-site-")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # a banner, not a build problem
    atexit.register(shutil.rmtree, site_dir, True)
    steps: list[tuple[str, list[str]]] = [
        # the sync modules are generated from the async ones: fail when one is stale
        ("unasync --check", [str(python), "scripts/unasync.py", "--check"]),
        ("ruff check", [str(python), "-m", "ruff", "check", "."]),
        ("ruff format --check", [str(python), "-m", "ruff", "format", "--check", "."]),
        ("mypy --strict", [str(python), "-m", "mypy", "--strict", *PACKAGES, *TYPING_TESTS]),
        (
            "mkdocs build --strict",
            [str(python), "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", site_dir],
        ),
        ("pytest", [str(python), "-m", "pytest", "-W", "error", *argv]),
    ]
    for name, command in steps:
        print(f"[test] {name}", flush=True)
        code = subprocess.run(command, cwd=root, check=False).returncode
        if code == 5 and name == "pytest":
            print("[test] pytest collected no tests: failing", flush=True)
            return 1
        if code != 0:
            print(f"[test] {name} failed with exit code {code}", flush=True)
            return code
    print("[test] all gates passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
