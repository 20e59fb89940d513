"""Time estimate_ranges' steps on synthetic trust-sized files: python -m bench.estimates."""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from grove.tracking import estimates

T = TypeVar("T")
TARGET_SECONDS = 10.0


def write_files(folder: Path, rows: int, *, graded: bool, seed: int = 2024) -> tuple[Path, Path]:
    """A history and a current file like a large trust's: KS1-like average points with four
    decimals (so nearly every pupil's starting point is different, the slowest case), and KS2
    scaled scores 80-120 or, graded, nine GCSE-like grades."""
    rng = np.random.default_rng(seed)

    def outcomes(prior: np.ndarray) -> np.ndarray:
        ability = (prior - 15) / 4 + rng.normal(0, 0.7, prior.size)
        if graded:
            return np.clip(np.round(4.5 + 1.6 * ability), 1, 9)
        return np.clip(np.round(104 + 6 * ability), 80, 120)

    history = folder / "history.csv"
    current = folder / "current.csv"
    prior = np.round(rng.normal(15, 4, rows), 4)
    with history.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prior", "outcome"])
        writer.writerows(
            (f"H{i:06d}", f"{p:.4f}", f"{y:g}")
            for i, (p, y) in enumerate(zip(prior, outcomes(prior), strict=True))
        )
    prior = np.round(rng.normal(15, 4, rows), 4)
    with current.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prior"])
        writer.writerows((f"C{i:06d}", f"{p:.4f}") for i, p in enumerate(prior))
    return history, current


def timed(seconds: dict[str, float], step: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    seconds[step] = round(time.perf_counter() - started, 3)
    return result


def run(rows: int, *, graded: bool) -> dict[str, float]:
    """Seconds for each step the command takes, in the command's order, and their total
    (and the weight fit() chose)."""
    with tempfile.TemporaryDirectory() as folder:
        history_path, current_path = write_files(Path(folder), rows, graded=graded)
        out = Path(folder) / "estimates.csv"
        seconds: dict[str, float] = {}
        history = timed(seconds, "read_history", lambda: estimates.read_history(history_path))
        current = timed(seconds, "read_current", lambda: estimates.read_current(current_path))
        model = timed(seconds, "fit", lambda: estimates.fit(history.prior, history.outcome))
        result = timed(
            seconds,
            "estimate",
            lambda: estimates.estimate(model, current.prior, estimates.DEFAULT_QUANTILES),
        )
        timed(seconds, "write", lambda: estimates.write_estimates(out, current.ids, result))
        seconds["total"] = round(sum(seconds.values()), 3)
        # Not a time: the share of similar pupils fit() chose against the straight line.
        seconds["weight"] = model.weight
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="history rows = current rows")
    args = parser.parse_args()
    report = {
        "rows": args.rows,
        "target_seconds": TARGET_SECONDS,
        "continuous": run(args.rows, graded=False),
        "graded": run(args.rows, graded=True),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
