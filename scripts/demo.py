"""Set everything up, start Onyx Local with the example schema and data, and run the demo.

python3 scripts/demo.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bootstrap


def main() -> int:
    python = _bootstrap.project_python()
    demo = _bootstrap.ROOT / "example_projects" / "quickstart" / "demo.py"
    return subprocess.run([str(python), str(demo)], cwd=_bootstrap.ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
