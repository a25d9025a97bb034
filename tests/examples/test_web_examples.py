"""The Django and Flask examples, served for real (Onyx Local + ``runserver`` / ``flask run``),
walked over HTTP by the same check as ``python3 scripts/demo.py --check``; and the Django
example's generated models kept fresh (``manage.py onyx_gen --check``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example_projects"
sys.path.insert(0, str(EXAMPLES))

from launcher import ExampleSite, check_site  # noqa: E402


def test_flask_example_serves_its_pages_and_live_stream(tmp_path: Path) -> None:
    lines: list[str] = []
    with ExampleSite("flask", tmp_path) as site:
        problems = check_site(site, say=lines.append)
    assert problems == [], "\n".join(lines)


def test_demo_check_serves_and_checks_the_django_example() -> None:
    """The README's first command, in its non-interactive form."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[demo] all checks passed" in result.stdout
    assert "FAIL" not in result.stdout


def test_generated_models_are_fresh(tmp_path: Path) -> None:
    app = EXAMPLES / "django_app"
    # onyx_gen reads the settings; any Onyx credentials do (the schema comes from the file).
    config = tmp_path / "onyx-database.json"
    config.write_text('{"databaseId": "x", "apiKey": "k", "apiSecret": "s"}')
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "onyx_gen",
            "--source",
            "file",
            "--schema",
            "../onyx.schema.json",
            "--out",
            "directory/onyx_models",
            "--check",
        ],
        cwd=app,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "teamdir.settings",  # not tests/django's, if it is set
            "ONYX_CONFIG_PATH": str(config),
            "TEAMDIR_STATE_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
