"""The published contract's floor: what the eight marts of PUBLISHED_MARTS.md cost alone.

    .venv/bin/python scripts/contract_floor.py --duckdb /work/bench/full/warehouse.duckdb \\
        --out /work/bench/floor.duckdb

Copies only the columns PUBLISHED_MARTS.md fixes for each published mart, from a built
published database into a new database, and prints the time of each copy and the size
of the result; then lists the largest tables of the built warehouse (published and
restricted databases) by the storage blocks they hold. No rule, check or test runs: the
copy reads DuckDB tables that are already built, so its time and size are a lower bound
of what any build that publishes these marts writes. The benchmark's `floor` step runs it
beside the builds it measures (docs/benchmarks.md: why issue 9.5's 8 GB and 40 % targets
are missed). Not a test: it measures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from remedy.published import connect_published  # noqa: E402

# PUBLISHED_MARTS.md (../shared/spec): each mart's fixed columns; a mart may add more.
CONTRACT_COLUMNS = {
    "fct_contract_events": [
        "event_id", "line_id", "customer_id", "event_type", "event_at_kst", "event_date"],
    "fct_waiver_eligibility": [
        "line_id", "customer_id", "termination_event_id", "termination_type",
        "terminated_at_kst", "waiver_status", "exclusion_reason", "exclusion_reasons",
        "waivable_billed_krw", "waivable_paid_krw"],
    "fct_refund_assignments": [
        "line_id", "application_id", "channel", "applied_at_kst", "assignment_status",
        "review_reason", "refund_wave", "payout_date", "refund_krw", "cancel_krw"],
    "fct_refund_application_outcomes": [
        "application_id", "line_id", "applied_at_kst", "channel", "outcome"],
    "fct_refund_notices": ["line_id", "notice_number", "notice_date"],
    "fct_penalty_lookup": [
        "line_id", "as_of_date", "would_be_eligible", "exclusion_reason", "agreement_id",
        "expected_subsidy_clawback_krw", "expected_selective_discount_clawback_krw",
        "expected_waivable_penalty_krw"],
    "fct_reward_entitlements": [
        "entitlement_id", "benefit", "line_id", "customer_id", "period_start",
        "period_end", "quantity", "unit", "detail"],
    "rpt_reconciliation": ["check_name", "expected", "actual", "difference", "passed"],
}
BLOCK_BYTES = 262_144  # DuckDB's default block size


def copy_contract(source: Path, target: Path) -> list[tuple[str, int, float]]:
    """Each mart's contract columns copied into `target`: (mart, rows, seconds). The
    published database is opened as every reader opens it (connect_published: read-only,
    under the memory limit and temp directory the build uses)."""
    target.unlink(missing_ok=True)
    timings = []
    with connect_published(source) as con:
        con.execute("set preserve_insertion_order = false")
        quoted = str(target).replace("'", "''")
        con.execute(f"attach '{quoted}' as floor")
        for mart, columns in CONTRACT_COLUMNS.items():
            started = time.perf_counter()
            con.execute(f"create table floor.main.{mart} as select {', '.join(columns)} "
                        f"from main.{mart}")
            con.execute("checkpoint floor")
            rows = con.execute(f"select count(*) from floor.main.{mart}").fetchall()[0][0]
            timings.append((mart, rows, time.perf_counter() - started))
        con.execute("detach floor")
    return timings


def largest_tables(database: Path, limit: int) -> list[tuple[str, int]]:
    """The tables of `database` holding the most storage blocks: (schema.table, bytes)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() "
            "order by estimated_size desc limit ?", [limit * 2]).fetchall()
        sized = []
        for schema, table in tables:
            blocks = con.execute(
                "select count(distinct block_id) from pragma_storage_info(?) "
                "where persistent", [f'"{schema}"."{table}"']).fetchall()[0][0]
            sized.append((f"{schema}.{table}", blocks * BLOCK_BYTES))
    return sorted(sized, key=lambda item: -item[1])[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", type=Path, required=True,
                        help="a built published database (its restricted one beside it)")
    parser.add_argument("--out", type=Path, required=True,
                        help="the database to write the contract columns to (replaced)")
    parser.add_argument("--largest", type=int, default=8,
                        help="how many of the built warehouse's largest tables to list")
    args = parser.parse_args()
    published = args.duckdb.resolve()
    if not published.is_file():
        print(f"{published}: no such database; build one first (`remedy build`)",
              file=sys.stderr)
        return 2
    timings = copy_contract(published, args.out.resolve())
    print("| published mart, contract columns only | rows | seconds |")
    print("|---|---|---|")
    for mart, rows, seconds in timings:
        print(f"| {mart} | {rows:,} | {seconds:.1f} |")
    total = sum(seconds for _, _, seconds in timings)
    print(f"| all eight | | {total:.1f} |")
    print(f"\ncontract columns alone: {args.out.stat().st_size / 1e9:.2f} GB "
          f"(the built published database: {published.stat().st_size / 1e9:.2f} GB)")
    restricted = published.with_name(published.stem + ".restricted.duckdb")
    for database in (published, restricted):
        if not database.is_file():
            continue
        print(f"\nlargest tables of {database.name} (storage blocks):")
        for name, size in largest_tables(database, args.largest):
            print(f"  {name}: {size / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
