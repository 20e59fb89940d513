"""The tracking benchmark still runs, at a tiny scale, and writes every figure it promises.
Nothing here is timed: the figures are checked for presence, not speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "results",
    "database",
    "machine",
    "import_results_per_s",
    "import_baseline_per_s",
    "trust_dashboard_p95_ms",
    "school_dashboard_p95_ms",
    "class_page_p95_ms",
    "pupil_page_p95_ms",
    "class_save_p95_ms",
    "duckdb_trust_aggregate_ms",
    "peak_rss_mb",
}


def test_tracking_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "tracking.json"
    # Always a fresh SQLite file: never the database a test run may have in DATABASE_URL.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GROVE_ENV")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.tracking", "--scale", "0.002", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert set(result) >= KEYS
    assert result["results"] == result["pupils"] * result["subjects"] * 9
    assert result["results"] > 0
    for key in ("trust_dashboard_p95_ms", "school_dashboard_p95_ms"):
        assert set(result[key]) == {"10%", "30%", "100%"}
    assert {"cpu", "cores", "python", "sqlite", "os"} <= set(result["machine"])
    assert result["import_results_per_s"] > 0 and result["import_baseline_per_s"] > 0
    # Every page answered (none missing from the URL conf, none failing).
    assert result["missing_pages"] == []
    assert result["failed_pages"] == {}
