"""Benchmark the main job at a given scale: prints wall time, peak memory and spill per step.

    .venv/bin/python scripts/benchmark.py --scale 1.0 --work /work/bench

Each step runs in its own process; peak memory is that process's maximum resident set
(os.wait4), spill is the largest size DuckDB's temp directory reached while it ran. The
figures go to stdout as a Markdown table for docs/benchmarks.md. Not a test: it measures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(dirpath, name))
    return total


def run_step(name: str, argv: list[str], env: dict[str, str], spill_dir: Path) -> dict:
    peak_spill = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak_spill
        while not done.wait(2.0):
            peak_spill = max(peak_spill, _dir_size(spill_dir))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    done.set()
    watcher.join()
    code = os.waitstatus_to_exitcode(status)
    return {
        "step": name,
        "seconds": elapsed,
        "peak_rss_gb": usage.ru_maxrss / 1024 / 1024,
        "peak_spill_gb": peak_spill / 1e9,
        "exit": code,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument("--steps", default="generate,build",
                        help="comma-separated: generate, build, validate, reconcile, extract")
    parser.add_argument("--raw-dir", type=Path, default=None,
                        help="an existing landing directory to build (skips nothing by itself)")
    parser.add_argument("--keep", action="store_true", help="keep the landing data and database")
    args = parser.parse_args()

    work = args.work.resolve()
    raw_dir, db_path, spill = work / "raw", work / "warehouse.duckdb", work / "spill"
    if args.raw_dir is not None:
        raw_dir = args.raw_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    spill.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "RAW_DIR": str(raw_dir),
        "DUCKDB_PATH": str(db_path),
        "DUCKDB_TEMP_DIR": str(spill),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "GX_ANALYTICS_ENABLED": "false",
    }
    remedy = str(BIN / "remedy")
    commands = {
        "generate": [remedy, "generate", "--scale", str(args.scale), "--seed", str(args.seed),
                     "--out", str(raw_dir)],
        "build": [str(BIN / "dbt"), "build", "--target-path", str(work / "target"),
                  "--log-path", str(work / "logs")],
        "validate": [remedy, "validate", "--duckdb", str(db_path)],
        "reconcile": [remedy, "reconcile", "--duckdb", str(db_path)],
        "extract": [remedy, "extract", "--duckdb", str(db_path), "--out", str(work / "extracts")],
    }
    results = []
    for step in args.steps.split(","):
        if step == "build" and db_path.exists():
            db_path.unlink()
        results.append(run_step(step, commands[step], env, spill))
        if results[-1]["exit"] != 0:
            break
    print(f"\nscale {args.scale}, seed {args.seed}, {os.cpu_count()} cores")
    print("| step | wall time | peak memory (RSS) | peak spill | exit |")
    print("|---|---|---|---|---|")
    for row in results:
        minutes, seconds = divmod(row["seconds"], 60)
        print(f"| {row['step']} | {int(minutes)} min {seconds:04.1f} s | "
              f"{row['peak_rss_gb']:.1f} GB | {row['peak_spill_gb']:.1f} GB | {row['exit']} |")
    if (raw_dir).exists():
        print(f"landing data: {_dir_size(raw_dir) / 1e9:.2f} GB; "
              f"database: {db_path.stat().st_size / 1e9 if db_path.exists() else 0:.2f} GB")
    if not args.keep:
        shutil.rmtree(spill, ignore_errors=True)
    return max(row["exit"] for row in results)


if __name__ == "__main__":
    raise SystemExit(main())
