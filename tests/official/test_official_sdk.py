"""The official onyx-database 2.5.2 SDK (own virtualenv) against Onyx Local: JSON and msgpack."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from onyx_database.local import LocalServer

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_PYTHON = ROOT / ".venv-official" / "bin" / "python"
SCRIPT = Path(__file__).with_name("official_client_script.py")

pytestmark = pytest.mark.official


@pytest.mark.parametrize("wire_format", ["json", "msgpack"])
def test_official_sdk_crud_query_page_count(
    onyx_server: LocalServer, tmp_path: Path, wire_format: str
) -> None:
    if not OFFICIAL_PYTHON.exists():
        pytest.fail("the official SDK virtualenv is missing: run python3 scripts/test.py")
    onyx_server.reset_data()
    config = tmp_path / "onyx-database.json"
    config.write_text(json.dumps(onyx_server.config()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONYX_", "PYTHON"))}
    env["ONYX_CONFIG_PATH"] = str(config)
    result = subprocess.run(
        [str(OFFICIAL_PYTHON), str(SCRIPT), wire_format],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["saved_one"] == "official_00"
    assert out["saved_many"] == [f"official_{i:02d}" for i in range(1, 7)]
    assert out["found"] == {"id": "official_03", "username": "official-user-03", "isActive": False}
    assert out["missing"] is None
    assert out["active_desc"] == [f"official_{i:02d}" for i in (10, 8, 6, 4, 2, 0)]
    assert out["count_since"] == 8  # createdAt days 5..12 -> users 4..11
    ids = [f"official_{i:02d}" for i in range(12)]
    assert out["pages"] == [ids[0:5], ids[5:10], ids[10:12]]
    assert out["count_all"] == 12
    assert out["count_after_delete"] == 11
