"""The performance page's plots are drawn from the committed results file, by the named script."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import plot_benchmarks  # noqa: E402


def test_plots_are_drawn_from_the_current_results(tmp_path: Path) -> None:
    written = plot_benchmarks.main(tmp_path)
    assert [p.name for p in written] == ["local-scale.svg", "find-by-id.svg"]
    stamp = f"sha256={plot_benchmarks.digest()}"
    for path in written:
        assert stamp in path.read_text()
        committed = ROOT / "docs" / "img" / path.name
        assert stamp in committed.read_text(), (
            f"{committed} is older than benchmarks/results/published.json: "
            "run .venv/bin/python scripts/plot_benchmarks.py"
        )
