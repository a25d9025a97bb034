"""Draw the performance page's plots from the committed benchmark results.

.venv/bin/python scripts/plot_benchmarks.py   # results/published.json -> docs/img/*.svg

Each SVG records the SHA-256 of the results file it was drawn from (its ``Description``), so
``tests/examples/test_docs_plots.py`` notices a plot older than its data.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "published.json"
OUT = ROOT / "docs" / "img"


def digest(path: Path = RESULTS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save(figure: Any, path: Path, source: str) -> None:
    plt.rcParams["svg.hashsalt"] = "onyx-py"
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None, "Description": source})
    plt.close(figure)


def local_scale(data: dict[str, Any], path: Path, source: str) -> None:
    sizes = data["sizes"]
    figure, axes = plt.subplots(figsize=(7.5, 4.2))
    for name, values in data["operations"].items():
        axes.plot(sizes, values, marker="o", label=name)
    axes.plot(
        sizes,
        data["trivial_uvicorn_request_ms"],
        linestyle="--",
        color="grey",
        label="yardstick: a trivial uvicorn request",
    )
    axes.set_xscale("log")
    axes.set_xticks(sizes, [f"{n:,}" for n in sizes])
    axes.set_xlabel("rows in the table")
    axes.set_ylabel(data["unit"])
    axes.set_ylim(bottom=0)
    axes.set_title(f"Onyx Local: indexed operations as the table grows ({data['date']})")
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3)
    _save(figure, path, source)


def find_by_id(data: dict[str, Any], path: Path, source: str) -> None:
    scenarios = list(data["scenarios"])
    clients = ["onyx-py", "official 2.5.2"]
    figure, axes = plt.subplots(figsize=(7.5, 3.8))
    height = 0.38
    for k, client in enumerate(clients):
        values = [data["scenarios"][s][client] for s in scenarios]
        positions = [i + (k - 0.5) * height for i in range(len(scenarios))]
        axes.barh(positions, values, height=height, label=client)
    axes.set_yticks(range(len(scenarios)), scenarios)
    axes.invert_yaxis()
    axes.set_xlabel(data["unit"] + " (lower is better)")
    axes.set_title(f"find_by_id: onyx-py vs the official SDK ({data['date']})")
    axes.legend(fontsize="small")
    axes.grid(axis="x", alpha=0.3)
    _save(figure, path, source)


def main(out: Path = OUT) -> list[Path]:
    data = json.loads(RESULTS.read_text())
    source = f"drawn from benchmarks/results/published.json sha256={digest()}"
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "local-scale.svg", out / "find-by-id.svg"]
    local_scale(data["local_scale"], paths[0], source)
    find_by_id(data["find_by_id"], paths[1], source)
    return paths


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(f"wrote {written.relative_to(ROOT) if written.is_relative_to(ROOT) else written}")
