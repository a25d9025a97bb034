"""Before/after in one run: the same benchmark on this tree's package and on an older commit's.

``--against REF`` exports ``onyx_database/`` of ``REF`` with ``git archive`` into a temporary
directory (no checkout, no worktree), then runs the benchmark script in child processes, one per
side, alternating the sides round after round so both see the same machine load; each figure is
the best (minimum) over all rounds of that side. The benchmark scripts themselves come from this
tree, so both sides run the same measuring code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

Figures = dict[str, float]


def export_ref(ref: str, into: Path) -> Path:
    """``onyx_database/`` of commit ``ref`` under ``into``; returns ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "onyx_database"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_child(script: Path, package_root: Path, args: list[str]) -> Figures:
    """One child run of ``script --child`` with ``package_root`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    out = subprocess.run(
        [sys.executable, str(script), "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=str(script.parent),
    ).stdout
    figures: Figures = json.loads(out.strip().splitlines()[-1])
    return figures


def compare(script: Path, ref: str, rounds: int, args: list[str]) -> None:
    """Run ``script`` against ``ref`` and this tree, interleaved, and print the table: each
    side's best round, and the median over rounds of the after/before ratio of that round (the
    two sides of a round ran back to back, under the same load; which goes first alternates)."""
    with tempfile.TemporaryDirectory(prefix="onyx-bench-") as tmp:
        base = export_ref(ref, Path(tmp))
        sides: list[tuple[str, Path]] = [(ref, base), ("this tree", ROOT)]
        results: list[dict[str, Figures]] = []
        for number in range(rounds):
            order = sides if number % 2 == 0 else sides[::-1]
            results.append({name: run_child(script, root, args) for name, root in order})
    print(f"{rounds} interleaved rounds per side (lower is better):")
    print(f"  {'figure':<38} {ref:>9} {'this tree':>10} {'ratio':>6} {'median ratio':>13}")
    for key in results[0][ref]:
        before = min(r[ref][key] for r in results)
        after = min(r["this tree"][key] for r in results)
        ratio = statistics.median(r["this tree"][key] / r[ref][key] for r in results)
        print(f"  {key:<38} {before:9.3f} {after:10.3f} {after / before:5.2f}x {ratio:12.2f}x")
    print("  (best round of each side, their ratio, and the median of the per-round ratios)")


def run(
    script: str,
    parser: argparse.ArgumentParser,
    figures: Callable[[argparse.Namespace], Figures],
    title: Callable[[argparse.Namespace], str],
) -> None:
    """The ``main`` of a comparable benchmark: adds ``--against``/``--rounds``, then prints this
    tree's figures, or compares them with ``--against``'s (children get the other options as
    given), or, as a child, prints its figures as JSON."""
    add_arguments(parser)
    args = parser.parse_args()
    own = {key: value for key, value in vars(args).items() if key not in _COMPARE_OPTIONS}
    if args.child:
        print(json.dumps(figures(args)))
    elif args.against:
        child_args = [f"--{key.replace('_', '-')}={value}" for key, value in own.items()]
        compare(Path(script).resolve(), args.against, args.rounds, child_args)
    else:
        print(title(args))
        for key, value in figures(args).items():
            print(f"  {key:<34} {value:10.3f}")


_COMPARE_OPTIONS = {"against", "rounds", "child"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--against REF``, ``--rounds N`` and the internal ``--child``."""
    parser.add_argument(
        "--against", metavar="REF", help="compare with the package of this git commit"
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per side")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
