"""Create and refresh the virtualenvs. Standard library only: runs on a bare Python 3.11+."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
OFFICIAL_VENV = ROOT / ".venv-official"
OFFICIAL_REQUIREMENT = "onyx-database==2.5.2"


def _python(env_dir: Path) -> Path:
    if os.name == "nt":
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def _ensure(
    env_dir: Path, requirements: list[str], stamp_inputs: list[Path], editable: bool
) -> Path:
    python = _python(env_dir)
    if not python.exists():
        print(f"[setup] creating {env_dir.name}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    digest = hashlib.sha256()
    for requirement in requirements:
        digest.update(requirement.encode())
    for path in stamp_inputs:
        digest.update(path.read_bytes())
    stamp = env_dir / ".onyx-stamp"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return python
    print(f"[setup] installing into {env_dir.name}: {' '.join(requirements)}", flush=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    args = [*pip]
    for requirement in requirements:
        args += ["-e", requirement] if editable else [requirement]
    subprocess.run(args, check=True, cwd=ROOT)
    stamp.write_text(digest.hexdigest())
    return python


def project_python() -> Path:
    """The dev virtualenv with this project installed editable with every extra."""
    return _ensure(VENV, [".[dev]"], [ROOT / "pyproject.toml"], editable=True)


def official_python() -> Path:
    """A separate virtualenv holding the official SDK (its import name clashes with ours)."""
    return _ensure(OFFICIAL_VENV, [OFFICIAL_REQUIREMENT], [], editable=False)


def reexec_in(python: Path, script: Path, argv: list[str]) -> int:
    if Path(sys.executable).resolve() == python.resolve():
        return -1
    return subprocess.run([str(python), str(script), *argv], check=False).returncode
