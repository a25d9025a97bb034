"""Run the official examples, unchanged, one request at a time (works with either SDK).

Started by ``test_official_examples.py`` with the interpreter of the SDK under test and
``ONYX_CONFIG_PATH`` pointing at Onyx Local. Each stdin line names an example (a path relative
to ``examples/``); the driver runs the official ``seed.py`` and then the example, each as
``__main__`` in a fresh namespace with ``examples/`` as the working directory (as the official
``run-examples.sh`` does) (``README#n``: the n-th Python block of the official README, after
the setup it assumes), and answers one line: ``MARK`` and ``{"ok": bool, "output": str}``
as JSON. One process serves every example so that the interpreter and the SDK are imported once.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import runpy
import sys
import tempfile
import traceback
from pathlib import Path

EXAMPLES = Path(__file__).with_name("examples")
STUBS = Path(__file__).with_name("stubs")
# Answers carry a marker: a thread an example left running may still print to stdout.
MARK = "@@example-result@@ "


def _run(script: Path) -> tuple[bool, str]:
    buffer = io.StringIO()
    ok = True
    saved_path = list(sys.path)
    sys.path[:0] = [str(script.parent), str(EXAMPLES)]
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                runpy.run_path(str(script), run_name="__main__")
            except SystemExit as exc:
                ok = exc.code in (None, 0)
            except BaseException:
                ok = False
                traceback.print_exc()
    finally:
        sys.path[:] = saved_path
    return ok, buffer.getvalue()


README = EXAMPLES / "README.official.md"
# What every README snippet assumes is already there (the README's own setup steps).
PREAMBLE = (
    "from onyx_database import onyx\nfrom onyx import tables, SCHEMA\n"
    "db = onyx.init(schema=SCHEMA)\n"
)


def readme_blocks() -> list[str]:
    """The Python blocks of the official README, in order."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```(?:py|python)\n(.*?)```", text, re.S)


def _run_block(index: int) -> tuple[bool, str]:
    script = Path(tempfile.mkdtemp()) / f"readme_{index}.py"
    script.write_text(PREAMBLE + readme_blocks()[index], encoding="utf-8")
    return _run(script)


def main() -> None:
    sys.path.insert(0, str(STUBS))
    os.chdir(EXAMPLES)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        ok, output = _run(EXAMPLES / "seed.py")
        if ok and name.startswith("README#"):
            ok, example_output = _run_block(int(name[len("README#") :]))
            output += example_output
        elif ok and name != "seed.py":
            ok, example_output = _run(EXAMPLES / name)
            output += example_output
        sys.stdout.write(MARK + json.dumps({"ok": ok, "output": output[-4000:]}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
