"""Issue 9.5 probe (docs/decisions.md, "Integer partition keys: proposed, not built"):
how long a daily build's two passes over a large store take by the text `line_id`, by a
dense integer key (a registry numbered in line order) and by a hashed key (the project's
`key_hash` macro on DuckDB, read from the macro file).

    .venv/bin/python scripts/probe_partition_keys.py --raw-dir /work/bench/raw_daily \\
        --work /work/bench/probe --load      # once: the events table, about 95 s at scale 1.0
    .venv/bin/python scripts/probe_partition_keys.py --work /work/bench/probe

The store is every delivered contract event with both keys beside `line_id`; the affected
lines are a fixed random sample (87,000 lines by default, about one delivery day's at scale
1.0). Each pass runs twice; deletes run in a transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from remedy.landing import duckdb_key_hash  # noqa: E402

KEYS = ("line_id", "line_key_dense", "line_key_hash")


def connect(work: Path) -> duckdb.DuckDBPyConnection:
    work.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(work / "probe.duckdb"))
    con.sql(f"set memory_limit='14GB'; set threads=2; set preserve_insertion_order=false; "
            f"set temp_directory='{work / 'tmp'}'")
    return con


def load(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    events = f"read_parquet('{raw_dir / 'contract_events'}/*.parquet')"
    started = time.perf_counter()
    con.sql(f"""create or replace table lines_registry as
        select line_id, row_number() over (order by line_id) as line_key_dense
        from (select distinct line_id from {events})""")
    con.sql(f"""create or replace table ev as
        select e.*, r.line_key_dense, {duckdb_key_hash('e.line_id')} as line_key_hash
        from {events} as e join lines_registry as r using (line_id)""")
    con.sql("checkpoint")
    rows = con.sql("select count(*) from ev").fetchall()[0][0]
    print(f"loaded {rows:,} events in {time.perf_counter() - started:.1f} s")


def probe(con: duckdb.DuckDBPyConnection, lines: int) -> None:
    con.sql(f"""create or replace temp table affected as
        select line_id, line_key_dense, {duckdb_key_hash('line_id')} as line_key_hash
        from lines_registry using sample {lines} rows (reservoir, 42)""")
    for key in KEYS * 2:
        where = f"{key} in (select {key} from affected)"
        started = time.perf_counter()
        found = con.sql(f"select count(*) from ev where {where}").fetchall()[0][0]
        find = time.perf_counter() - started
        con.sql("begin")
        started = time.perf_counter()
        con.sql(f"delete from ev where {where}").fetchall()
        delete = time.perf_counter() - started
        con.sql("rollback")
        print(f"{key:15} find {find:.2f} s, delete {delete:.2f} s ({found:,} rows)")
    for key in KEYS:
        blocks = con.sql("select count(distinct block_id) from pragma_storage_info('ev') "
                         "where column_name = ?", params=[key]).fetchall()[0][0]
        print(f"{key:15} {blocks:,} blocks of 256 KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--raw-dir", type=Path, help="a landing directory (with --load)")
    parser.add_argument("--load", action="store_true", help="build the events table first")
    parser.add_argument("--lines", type=int, default=87_000)
    args = parser.parse_args()
    con = connect(args.work)
    if args.load:
        if args.raw_dir is None:
            parser.error("--load needs --raw-dir")
        load(con, args.raw_dir)
    probe(con, args.lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
