"""A short, human-readable summary of a built warehouse."""

from __future__ import annotations

from pathlib import Path

from remedy.published import open_published

SUMMARY_QUERIES: list[tuple[str, str]] = [
    ("contract events (accepted)", "select count(*) from main.fct_contract_events"),
    (
        "quarantined rows",
        "select coalesce(sum(quarantined_rows), 0) from main.rpt_source_row_counts",
    ),
]

OPTIONAL_QUERIES: list[tuple[str, str, str]] = [
    (
        "fct_waiver_eligibility",
        "waiver population",
        "select count(*) from main.fct_waiver_eligibility",
    ),
    (
        "fct_waiver_eligibility",
        "  eligible",
        "select count(*) from main.fct_waiver_eligibility where waiver_status = 'eligible'",
    ),
    # refund totals are defined once, in dbt (models/reports/dashboard/)
    (
        "rpt_refund_assignments_by_status",
        "  scheduled for refund",
        "select coalesce(sum(lines), 0) from main.rpt_refund_assignments_by_status "
        "where assignment_status = 'scheduled'",
    ),
    (
        "rpt_refund_assignments_by_status",
        "  refunds to pay (won)",
        "select coalesce(sum(refund_krw), 0) from main.rpt_refund_assignments_by_status "
        "where assignment_status = 'scheduled'",
    ),
    (
        "fct_reward_entitlements",
        "reward entitlements",
        "select count(*) from main.fct_reward_entitlements",
    ),
]


def summarise(duckdb_path: Path | str) -> list[tuple[str, int]]:
    """(label, figure) pairs for whatever marts the database holds."""
    with open_published(duckdb_path) as con:
        tables = {row[0] for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'main'"
        ).fetchall()}
        figures = [
            (label, int(con.execute(query).fetchone()[0])) for label, query in SUMMARY_QUERIES
        ]
        figures += [
            (label, int(con.execute(query).fetchone()[0]))
            for table, label, query in OPTIONAL_QUERIES
            if table in tables
        ]
        per_table = con.execute(
            "select source_table, raw_rows, accepted_rows, collapsed_duplicate_rows, "
            "quarantined_rows from main.rpt_source_row_counts"
        ).fetchall()
    figures += [
        (f"  {table}: raw / accepted / duplicates / quarantined",
         f"{raw:,} / {accepted:,} / {dups:,} / {quarantined:,}")
        for table, raw, accepted, dups, quarantined in per_table
    ]
    return figures


def format_summary(figures: list[tuple[str, object]]) -> str:
    width = max(len(label) for label, _ in figures)
    lines = []
    for label, value in figures:
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        lines.append(f"{label.ljust(width)}  {shown}")
    return "\n".join(lines)
