"""Benchmark the main job at a given scale: wall time, peak memory, spill and database size.

    .venv/bin/python scripts/benchmark.py --scale 1.0 --work /work/bench \\
        --steps generate,build,daily,validate,reconcile,extract --compare-with /path/to/old

Each step runs in its own process; peak memory is that process's maximum resident set
(os.wait4), spill the largest size DuckDB's temp directory reached while it ran, database
the size of every database file the build left (published and restricted). Not a test: it
measures. Steps:

- generate: `remedy generate --deliveries daily` of the whole program (2,900 files at 1.0);
- build: a full `dbt build` of that landing directory, into a fresh database (every dbt
  build here leaves the unit tests out, as `remedy build` does in production);
- daily: the daily routine of issue 9: a landing directory holding every delivery through
  2026-01-19 (hard links into the generated one, so nothing is copied) is built from
  scratch, then the 2026-01-20 files are added and `dbt build` runs again (incremental);
  both builds are measured, the second is the daily figure. `--daily-day` picks another
  day; `--daily-repeats N` builds that day N times, each from a copy of the same
  warehouse (the state before the day), and prints every run and their median: one
  daily build varies by several seconds from run to run on this machine;
- floor: the published contract's columns alone, copied from the full build's database
  (scripts/contract_floor.py): the least that publishing these marts writes, and where
  the built warehouse's disk goes; its report is printed after the table;
- validate, reconcile, extract: the checks on the full build's database.

`--compare-with DIR` builds the same landing directory with the dbt project in DIR (for
example a `git worktree` of the commit an issue started from) in the same run, first, and
prints both side by side: this machine's timings drift from run to run, comparisons
within one run do not.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from remedy.build import production_args  # noqa: E402

BIN = Path(sys.executable).parent
DAILY_DAY = "2026-01-20"  # issue 9.5: a day of the application window


def _dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(dirpath, name))
    return total


def _databases(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.glob("*.duckdb*") if path.is_file())


def run_step(name: str, argv: list[str], env: dict[str, str], spill_dir: Path,
             cwd: Path = ROOT, database_dir: Path | None = None,
             output: Path | None = None) -> dict:
    peak_spill = 0
    peak_disk = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak_spill, peak_disk
        while not done.wait(1.0):
            peak_spill = max(peak_spill, _dir_size(spill_dir))
            if database_dir is not None:
                peak_disk = max(peak_disk, _databases(database_dir))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    with open(output or os.devnull, "w", encoding="utf-8") as sink:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=sink,
                                   stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    done.set()
    watcher.join()
    return {
        "step": name,
        "seconds": elapsed,
        "peak_rss_gb": usage.ru_maxrss / 1024 / 1024,
        "peak_spill_gb": peak_spill / 1e9,
        "database_gb": _databases(database_dir) / 1e9 if database_dir else None,
        "peak_database_gb": peak_disk / 1e9 if database_dir else None,
        "exit": os.waitstatus_to_exitcode(status),
    }


def link_deliveries(source: Path, target: Path, through: str) -> None:
    """Hard-link every delivery file dated on or before `through` (and the initial load)."""
    for table in sorted(path for path in source.iterdir() if path.is_dir()):
        (target / table.name).mkdir(parents=True, exist_ok=True)
        for path in sorted(table.iterdir()):
            day = path.name.split(".")[0]
            if (day.startswith("0000-initial") or day <= through) and \
                    not (target / table.name / path.name).exists():
                os.link(path, target / table.name / path.name)


def dbt_build(project: Path, work: Path) -> list[str]:
    """A production build, as `remedy build` runs it (production_args: without the unit
    tests), for this commit and the compared one alike."""
    return [str(BIN / "dbt"), "build", *production_args([], unit_tests=False),
            "--project-dir", str(project), "--profiles-dir", str(project), "--target-path",
            str(work / "target"), "--log-path", str(work / "logs")]


def _copy_databases(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in target.glob("*.duckdb*"):  # a WAL left by the last run must not survive
        path.unlink()
    for path in source.glob("*.duckdb*"):
        shutil.copy2(path, target / path.name)
    os.sync()  # the copy's dirty pages are written now, not during the timed build


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (the faster of the two middle ones for an even count):
    a run that was measured, not an average of two."""
    return sorted(runs, key=lambda row: row["seconds"])[(len(runs) - 1) // 2]


def daily_builds(raw_dir: Path, daily: Path, day: dt.date, repeats: int, env_for,
                 spill: Path) -> list[dict]:
    """The daily step: every delivery before `day` built from scratch, then `day`'s
    files added and built incrementally, `repeats` times from the same state."""
    shutil.rmtree(daily, ignore_errors=True)
    landing = daily / "raw"
    before = (day - dt.timedelta(days=1)).isoformat()
    link_deliveries(raw_dir, landing, before)
    database = daily / "warehouse.duckdb"
    results = [run_step(f"build through {before} (from scratch)", dbt_build(ROOT, daily),
                        env_for(database, landing), spill, database_dir=daily)]
    link_deliveries(raw_dir, landing, day.isoformat())
    snapshot = daily / "before"
    if repeats > 1:
        _copy_databases(daily, snapshot)
    runs = []
    for run in range(1, repeats + 1):
        if run > 1:
            _copy_databases(snapshot, daily)
        label = f"daily build, {day} added (incremental)"
        runs.append(run_step(label + (f", run {run} of {repeats}" if repeats > 1 else ""),
                             dbt_build(ROOT, daily), env_for(database, landing), spill,
                             database_dir=daily))
    if repeats > 1:
        runs.append({**median_run(runs), "step": f"daily build, {day} added: median of {repeats}"})
    shutil.rmtree(snapshot, ignore_errors=True)
    return results + runs


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: give 1 or more builds")
    return value


def fmt(row: dict) -> str:
    minutes, seconds = divmod(row["seconds"], 60)
    database = (f"{row['database_gb']:.2f} GB (peak {row['peak_database_gb']:.2f})"
                if row.get("database_gb") is not None else "-")
    return (f"| {row['step']} | {int(minutes)} min {seconds:04.1f} s | "
            f"{row['peak_rss_gb']:.1f} GB | {row['peak_spill_gb']:.1f} GB | {database} | "
            f"{row['exit']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument("--steps", default="generate,build,daily",
                        help="comma-separated: generate, build, daily, floor, validate, "
                             "reconcile, extract")
    parser.add_argument("--raw-dir", type=Path, default=None,
                        help="an existing daily landing directory (skip generate)")
    parser.add_argument("--compare-with", type=Path, default=None,
                        help="another checkout of this project: its full build is measured "
                             "on the same landing directory in the same run")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--daily-day", type=dt.date.fromisoformat,
                        default=dt.date.fromisoformat(DAILY_DAY),
                        help=f"the delivery day the daily step builds (default {DAILY_DAY})")
    parser.add_argument("--daily-repeats", type=_positive, default=1,
                        help="build the daily delivery this many times, each from a copy "
                             "of the warehouse before it (default 1)")
    args = parser.parse_args()

    work = args.work.resolve()
    raw_dir = (args.raw_dir or work / "raw").resolve()
    spill = work / "spill"
    work.mkdir(parents=True, exist_ok=True)
    spill.mkdir(exist_ok=True)
    base_env = {
        **os.environ,
        "DUCKDB_TEMP_DIR": str(spill),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "GX_ANALYTICS_ENABLED": "false",
    }
    steps = args.steps.split(",")
    results: list[dict] = []

    def env_for(database: Path, landing: Path = raw_dir) -> dict[str, str]:
        return {**base_env, "RAW_DIR": str(landing), "DUCKDB_PATH": str(database)}

    if "generate" in steps:
        results.append(run_step("generate (daily deliveries)", [
            str(BIN / "remedy"), "generate", "--scale", str(args.scale), "--seed",
            str(args.seed), "--deliveries", "daily", "--out", str(raw_dir)], base_env, spill))
    full = work / "full"
    if args.compare_with is not None and "build" in steps:
        old = work / "compare"
        shutil.rmtree(old, ignore_errors=True)
        old.mkdir()
        results.append(run_step(f"full build, {args.compare_with.name} (before)",
                                dbt_build(args.compare_with.resolve(), old),
                                env_for(old / "warehouse.duckdb"), spill,
                                cwd=args.compare_with.resolve(), database_dir=old))
        if not args.keep:
            shutil.rmtree(old, ignore_errors=True)
    if "build" in steps:
        shutil.rmtree(full, ignore_errors=True)
        full.mkdir()
        results.append(run_step("full build (this commit)", dbt_build(ROOT, full),
                                env_for(full / "warehouse.duckdb"), spill, database_dir=full))
    if "daily" in steps:
        results += daily_builds(raw_dir, work / "daily", args.daily_day,
                                args.daily_repeats, env_for, spill)
        if not args.keep:
            shutil.rmtree(work / "daily", ignore_errors=True)
    floor_report = work / "floor.txt"
    if "floor" in steps:
        results.append(run_step("floor: the published contract's columns alone", [
            sys.executable, str(ROOT / "scripts" / "contract_floor.py"), "--duckdb",
            str(full / "warehouse.duckdb"), "--out", str(work / "floor.duckdb")],
            base_env, spill, database_dir=None, output=floor_report))
        (work / "floor.duckdb").unlink(missing_ok=True)
    for step in ("validate", "reconcile", "extract"):
        if step not in steps:
            continue
        argv = [str(BIN / "remedy"), step, "--duckdb", str(full / "warehouse.duckdb")]
        if step == "extract":
            argv += ["--out", str(work / "extracts")]
        results.append(run_step(step, argv, env_for(full / "warehouse.duckdb"), spill))

    print(f"\nscale {args.scale}, seed {args.seed}, {os.cpu_count()} cores, "
          f"landing {_dir_size(raw_dir) / 1e9:.2f} GB")
    print("| step | wall time | peak memory (RSS) | peak spill | databases | exit |")
    print("|---|---|---|---|---|---|")
    for row in results:
        print(fmt(row))
    if "floor" in steps and floor_report.is_file():
        print("\n" + floor_report.read_text(encoding="utf-8"))
    shutil.rmtree(spill, ignore_errors=True)
    return max(row["exit"] for row in results) if results else 0


if __name__ == "__main__":
    raise SystemExit(main())
