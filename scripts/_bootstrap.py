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
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--upgrade", "pip"], check=True)
    args = [*pip, "--progress-bar", "off"]
    for requirement in requirements:
        args += ["-e", requirement] if editable else [requirement]
    _run_with_progress(args)
    stamp.write_text(digest.hexdigest())
    return python


def _run_with_progress(args: list[str]) -> None:
    """Run pip, printing one short line per package it fetches (a first install takes a
    minute or two: it should never look stuck), and all of its output if it fails."""
    output: list[str] = []
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if line.startswith(("Collecting ", "Installing collected", "Successfully installed")):
            text = line.strip()
            print(f"[setup]   {text[:120]}{'...' if len(text) > 120 else ''}", flush=True)
    if process.wait() != 0:
        sys.stdout.write("".join(output))
        raise subprocess.CalledProcessError(process.returncode, args)


def project_python() -> Path:
    """The dev virtualenv with this project installed editable with every extra."""
    return _ensure(VENV, [".[dev]"], [ROOT / "pyproject.toml"], editable=True)


def official_python() -> Path:
    """A separate virtualenv holding the official SDK (its import name clashes with ours)."""
    return _ensure(OFFICIAL_VENV, [OFFICIAL_REQUIREMENT], [], editable=False)


def reexec_in(python: Path, script: Path, argv: list[str]) -> int:
    """Run ``script`` with ``python`` unless this is that interpreter (then -1)."""
    if Path(sys.executable).resolve() == python.resolve():
        return -1
    process = subprocess.Popen([str(python), str(script), *argv])
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached the child too: let it stop its servers cleanly.
            continue


BROWSER_PACKAGES = ["chromium", "chromium-driver"]


def browser() -> Path | None:
    """Debian's Chromium WebDriver for the browser tests, installed with apt-get when missing
    and this is root on a Debian-like system (as on CI); ``None`` when it cannot be had."""
    import shutil

    found = shutil.which("chromedriver")
    if found:
        return Path(found)
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("[setup] no chromedriver and no apt-get as root: browser tests will skip", flush=True)
        return None
    print(f"[setup] installing {' '.join(BROWSER_PACKAGES)} with apt-get (once)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *BROWSER_PACKAGES],
    ):
        print(f"[setup]   {' '.join(command)}", flush=True)
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(result.stdout[-2000:] + result.stderr[-2000:], flush=True)
            return None
    found = shutil.which("chromedriver")
    return Path(found) if found else None
