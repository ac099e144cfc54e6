"""Replay generated daily deliveries incrementally and compare with a full rebuild.

    .venv/bin/python scripts/replay_check.py --scale 0.002 --work /tmp/replay

Issue 9.3 at a generated scale: `remedy generate --deliveries daily` writes the whole
program; a landing directory receives the deliveries through the first day (hard links),
is built from scratch, then receives each later day's files and is built again, on the
same database (incremental). A fresh database is then built from the final landing
directory. Every published table, the delivery log's counts and the quarantine must be
equal row for row (the build log `rpt_builds` and the delivery log's build columns name
the build, so they differ by design). Prints each build's time and affected lines, then
every table that differs; exits 1 if any does. Not a test: the pytest replay
(tests/test_incremental_replay.py) proves the cases one by one; this checks that nothing
else in a generated program breaks the identity.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from remedy.build import production_args
from remedy.program import read_program
from remedy.settings import restricted_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import BIN, ROOT, link_deliveries  # noqa: E402

# Columns that name the build that saw a row first: they differ between the two builds.
BUILD_COLUMNS = {"rpt_deliveries": ["first_seen_build_seq", "first_seen_invocation_id",
                                    "first_seen_at"]}
BUILD_LOGS = {"rpt_builds"}


def program_days() -> list[str]:
    """The default days, from the active program's seeds: the waiver window's last day
    (built from scratch), the application window's first day, the first payout, the
    first data grant, the first reminder, then every delivery."""
    program = read_program()
    days = [program["waiver_window_end_date"], program["application_window_start_kst"].date(),
            program.refund_waves[0]["payout_date"], program.data_grants[0]["grant_date"],
            program.reminder_dates[0]]
    return [day.isoformat() for day in sorted(set(days))] + ["last"]


def build(landing: Path, database: Path, target: Path) -> float:
    env = {**os.environ, "RAW_DIR": str(landing), "DUCKDB_PATH": str(database),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "GX_ANALYTICS_ENABLED": "false"}
    started = time.monotonic()
    subprocess.run([str(BIN / "dbt"), "build", "-q", *production_args([], unit_tests=False),
                    "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
                    "--target-path", str(target)], env=env, cwd=ROOT, check=True)
    return time.monotonic() - started


def differences(incremental: Path, full: Path) -> list[str]:
    """The tables whose rows differ between the two warehouses (published + quarantine)."""
    con = duckdb.connect()
    for name, path in (("a", incremental), ("b", full)):
        con.execute(f"attach '{path}' as {name} (read_only)")
        con.execute(f"attach '{restricted_path(path)}' as {name}_r (read_only)")
    tables = [name for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = 'b' "
        "and schema_name = 'main' order by 1").fetchall() if name not in BUILD_LOGS]
    compared = [(table, f"main.{table}", BUILD_COLUMNS.get(table, [])) for table in tables]
    compared.append(("quarantine", "quarantine.quarantined_rows", ["quarantined_row_id"]))
    found = []
    for table, relation, excluded in compared:
        database = "a_r" if table == "quarantine" else "a"
        other = "b_r" if table == "quarantine" else "b"
        exclude = f" exclude ({', '.join(excluded)})" if excluded else ""
        left = f"select *{exclude} from {database}.{relation}"
        right = f"select *{exclude} from {other}.{relation}"
        (only_left,) = con.execute(f"select count(*) from ({left} except all {right})").fetchone()
        (only_right,) = con.execute(f"select count(*) from ({right} except all {left})"
                                    ).fetchone()
        if only_left or only_right:
            found.append(f"{table}: {only_left} rows only in the incremental build, "
                         f"{only_right} only in the full rebuild")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "replay")
    parser.add_argument("--days", default=None,
                        help="comma-separated; the first is built from scratch; `last`: "
                        "every delivery (default: the program's dates, program_days)")
    args = parser.parse_args()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    generated, landing = work / "generated", work / "raw"
    subprocess.run([str(BIN / "remedy"), "generate", "--scale", str(args.scale), "--seed",
                    str(args.seed), "--deliveries", "daily", "--out", str(generated)],
                   check=True, stdout=subprocess.DEVNULL)
    database = work / "incremental.duckdb"
    for day in args.days.split(",") if args.days else program_days():
        link_deliveries(generated, landing, "9999-12-31" if day == "last" else day)
        seconds = build(landing, database, work / "target-incremental")
        with duckdb.connect(str(restricted_path(database)), read_only=True) as con:
            (affected,) = con.execute(
                "select count(*) from staging.stg_landing__affected_lines").fetchone()
        print(f"{day}: built in {seconds:.0f} s, {affected} lines re-derived", flush=True)
    full = work / "full.duckdb"
    seconds = build(landing, full, work / "target-full")
    print(f"full rebuild: {seconds:.0f} s")
    found = differences(database, full)
    print("\n".join(found) if found else "every published table, the delivery log's counts "
          "and the quarantine equal the full rebuild")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
