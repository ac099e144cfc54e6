"""Deterministic synthetic landing data: `generate(out, scale, seed, bad_rows, ...)`.

Everything is computed inside DuckDB from `range()` tables and seeded hashes, table by
table, and written as sorted Parquet parts, so the same (program, scale, seed, bad_rows)
gives byte-identical files. Scale 1.0 reproduces the published magnitudes (about 29 M
lines, 135 M contract events); see `remedy.generator.params`. Every date comes from the
program's seeds (`program_id`, default the dbt var). The hand-written catalogue of
`remedy.edge_cases`, calibrated to the program, is appended at every scale, and contract
violations are injected at about `bad_rows` of each table and listed in
`<out>/_generation.json`.

Two layouts of the same rows: a snapshot (`part-<n>.parquet` per table, the default) or
daily deliveries (`remedy.generator.deliveries`: an initial load, then one file per table
per KST day, up to a `through` day; running again with a later day adds the new files).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from remedy.contract import KEYS, TABLES
from remedy.edge_cases import catalogue, edge_rows
from remedy.generator import activity, injection, population, requests
from remedy.generator import params as P
from remedy.generator.deliveries import (
    DailyOutput,
    Schedule,
    add_arrival_days,
    arrival_day_sql,
    write_table_daily,
)
from remedy.generator.sqlkit import install_macros
from remedy.generator.writer import TableOutput, null_key_rows, part_bounds, write_table
from remedy.landing import kst
from remedy.program import read_program

GENERATOR_VERSION = 1
ROWS_PER_FILE = 20_000_000
MEMORY_LIMIT = "12GB"
LINE_TABLES = ("lines", "contract_events", "agreements", "penalty_charges", "roaming_passes",
               "ott_choices")
ID_CONVENTIONS = {
    "generated": "prefix and digits: C0.., L0.., EV0..-nnn, AG0..-nnn, PC0..-n, RA0.., RP0..-k, "
                 "OC0..-k, IA0..-k; front-end line ids matching no line start 'L9'",
    "injected": "CX, LX, EVX, AGX, PCX, RAX, RPX, OCX, IAX (missing parents: C8.., L8.., EV8..)",
    "edge_cases": "<prefix>-EDGE-<case id>-<n>, see remedy.edge_cases",
}
MATERIALISED = {"penalty_charges": "charges_t", "refund_applications": "apps_t",
                "roaming_passes": "passes_t", "ott_choices": "choices_t",
                "insurance_applications": "ins_t"}


DELIVERIES = ("snapshot", "daily")
# What must match for a daily run to add files to an earlier one's landing directory.
REPLAY_KEYS = ("generator_version", "program_id", "scale", "seed", "bad_rows")


def generate(out: Path, scale: float = 0.01, seed: int = 42, bad_rows: float = 0.001,
             progress: bool = True, program_id: str | None = None,
             deliveries: str = "snapshot", through: dt.date | None = None,
             first_day: dt.date | None = None) -> dict:
    """Write `<out>/<table>/*.parquet` for the nine contract tables and `_generation.json`.

    A `bad_rows` rate of 0 injects nothing; any positive rate injects at least one row of
    every kind in every table. Returns the content of _generation.json.

    `deliveries="snapshot"` replaces existing table folders. `deliveries="daily"` writes
    the initial load (rows before `first_day`, default the day before the program's waiver
    window) and one file per day up to `through` (default: every day); into a landing
    directory of an earlier daily run of the same generation it only adds the files of
    days not yet delivered, leaving every existing file untouched.
    """
    if scale <= 0 or not math.isfinite(scale):
        raise ValueError(f"scale must be a positive number, got {scale}")
    if not 0 <= bad_rows < 0.5:
        raise ValueError(f"bad_rows must be a rate in [0, 0.5), got {bad_rows}")
    if deliveries not in DELIVERIES:
        raise ValueError(f"deliveries must be one of {', '.join(DELIVERIES)}, got {deliveries!r}")
    if deliveries == "snapshot" and (through or first_day):
        raise ValueError("through and first_day apply to daily deliveries only")
    program = read_program(program_id)
    plan = P.make_plan(scale, seed, program)
    schedule = None
    if deliveries == "daily":
        schedule = Schedule(first_day or program["waiver_window_start_date"]
                            - dt.timedelta(days=1), through)
        if through is not None and through < schedule.initial_through:
            raise ValueError(f"through {through} is before the initial load "
                             f"(first daily day {schedule.first_day})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    identity = {"generator_version": GENERATOR_VERSION, "program_id": program.program_id,
                "scale": scale, "seed": seed, "bad_rows": bad_rows}
    if not (schedule and _continues(out, identity, schedule)):
        for table in TABLES:
            shutil.rmtree(out / table, ignore_errors=True)
        (out / "_generation.json").unlink(missing_ok=True)
    work = out / ".generate_tmp"  # DuckDB spills here; removed afterwards
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        con = _connect(work, seed, plan)
        try:
            with tqdm(total=1, disable=not progress, desc="generate", unit="step") as bar:
                result = _run(con, out, plan, seed, bad_rows, schedule, bar)
        finally:
            con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    partial = out / "._generation.json.partial"
    partial.write_text(_to_json(result))
    os.replace(partial, out / "_generation.json")
    return result


def _continues(out: Path, identity: dict, schedule: Schedule) -> bool:
    """True when `out` holds daily deliveries of this very generation (files are added);
    False when it holds none (it is replaced). Anything else is refused."""
    path = out / "_generation.json"
    if not path.exists():
        return False
    previous = json.loads(path.read_text())
    earlier = previous.get("deliveries", {})
    if earlier.get("mode") != "daily":
        return False
    theirs = {key: previous.get(key) for key in REPLAY_KEYS}
    theirs["first_daily_day"] = earlier.get("first_daily_day")
    ours = {**identity, "first_daily_day": schedule.first_day.isoformat()}
    if theirs != ours:
        differing = ", ".join(f"{key} {theirs[key]!r} -> {ours[key]!r}"
                              for key in ours if theirs[key] != ours[key])
        raise ValueError(f"{out} holds daily deliveries of another generation ({differing}); "
                         "use another --out, or delete it to start over")
    delivered = dt.date.fromisoformat(earlier["through"])
    if schedule.through is not None and schedule.through < delivered:
        raise ValueError(f"{out} is already delivered through {delivered}; a delivery cannot "
                         f"be taken back (asked for through {schedule.through})")
    return True


def _to_json(result: dict) -> str:
    """Indented JSON with one line per injected row (there are ~0.1 % of 190 M rows)."""
    head = json.dumps({k: v for k, v in result.items() if k != "injected"}, indent=1,
                      ensure_ascii=False)
    rows = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in result["injected"])
    injected = f"[\n  {rows}\n ]" if rows else "[]"
    return f'{head[:-2]},\n "injected": {injected}\n}}\n'


def _connect(work: Path, seed: int, plan: P.Plan) -> duckdb.DuckDBPyConnection:
    # Insertion order is preserved (DuckDB's default) so CREATE ... ORDER BY tables keep
    # their order and zone maps prune the per-part line ranges.
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(work),
                                 "preserve_insertion_order": True})
    con.execute("SET TimeZone = 'UTC'")
    # tqdm reports progress (or nothing, with progress=False); DuckDB's bar would interleave.
    con.execute("SET enable_progress_bar = false")
    install_macros(con, seed)
    activity.install_activity_macros(con, plan.dates)
    return con


def _step(bar: tqdm, label: str, action: Callable[[], object]) -> object:
    bar.set_postfix_str(label)
    result = action()
    bar.update(1)
    return result


def _run(con: duckdb.DuckDBPyConnection, out: Path, plan: P.Plan, seed: int, rate: float,
         schedule: Schedule | None, bar: tqdm) -> dict:
    bar.total = 5
    lines = _step(bar, "lines backbone", lambda: population.build_line_base(con, plan))
    customers = _step(bar, "customers backbone", lambda: population.build_cust_base(con, plan))
    _step(bar, "penalty charges", lambda: activity.build_charges(con))
    dates = plan.dates
    _step(bar, "requests", lambda: (
        requests.build_applications(con, dates), requests.build_roaming(con, dates),
        requests.build_ott(con, dates), requests.build_insurance(con, dates)))
    estimates = _estimate_rows(con, lines, customers)
    domains = _domains(con, lines)
    parts = {table: max(3 if table == "contract_events" else 1,
                        math.ceil(estimates[table] / ROWS_PER_FILE)) for table in TABLES}
    # A snapshot ends with a redelivery part per table, daily deliveries with the day files.
    bar.total = 5 + sum(parts.values()) + (len(TABLES) if rate > 0 or schedule else 0)
    bar.refresh()
    _step(bar, "edge cases and injected rows", lambda: _prepare_extras(
        con, plan, rate, estimates, domains))
    extras = {"edge"} | ({"bad", "dup"} if rate > 0 else set())
    outputs = {}
    for table in TABLES:
        bar.set_postfix_str(table)
        bounds = part_bounds(domains[table], parts[table])
        if schedule is None:
            outputs[table] = write_table(con, out, table, _generated_sql(table), bounds,
                                         extras, on_part=lambda: bar.update(1))
            continue
        if rate > 0:
            add_arrival_days(con, table, schedule)
        outputs[table] = write_table_daily(con, out, table, _generated_sql(table), bounds,
                                           extras, schedule, on_part=lambda: bar.update(1))
    if schedule is None:
        injected = _records(con, out, outputs) if rate > 0 else []
        return _summary(plan, seed, rate, outputs, injected)
    injected = _daily_records(con, outputs) if rate > 0 else []
    return _daily_summary(plan, seed, rate, schedule, outputs, injected)


def _estimate_rows(con: duckdb.DuckDBPyConnection, lines: int, customers: int) -> dict[str, int]:
    """Table sizes before writing (events and agreements approximately)."""
    events, agreements = con.execute(f"""
        SELECT sum(1 + n_slots * 1.2 + (term_ks IS NOT NULL)::INT + (susp26 > 0)::INT * 2),
            sum(CASE WHEN profile = {P.PROFILE_AGR} THEN 0.85 + n_slots * 0.317 ELSE 0 END)
        FROM line_base""").fetchall()[0]
    counts = {table: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
              for table, name in MATERIALISED.items()}
    return {"customers": customers, "lines": lines, "contract_events": int(events),
            "agreements": int(agreements), **counts}


def _domains(con: duckdb.DuckDBPyConnection, lines: int) -> dict[str, int]:
    """Range of the sort key s1 per table (the parts split it evenly)."""
    customers = con.execute("SELECT max(cust_idx) + 1 FROM cust_base").fetchall()[0][0]
    applications = con.execute("SELECT count(*) FROM apps_t").fetchall()[0][0]
    domains = {table: lines for table in LINE_TABLES}
    domains.update({"customers": customers, "insurance_applications": customers,
                    "refund_applications": max(1, applications)})
    return domains


def _generated_sql(table: str) -> Callable[[int, int | None], str]:
    def lines_in(lo: int, hi: int | None) -> str:
        upper = f" AND line_idx < {hi}" if hi is not None else ""
        return f"(SELECT * FROM line_base WHERE line_idx >= {lo}{upper})"

    def materialised(lo: int, hi: int | None) -> str:
        upper = f" AND s1 < {hi}" if hi is not None else ""
        return f"SELECT * FROM {MATERIALISED[table]} WHERE s1 >= {lo}{upper}"

    if table == "customers":
        return lambda lo, hi: population.customers_sql(
            f"(SELECT * FROM cust_base WHERE cust_idx >= {lo}"
            + (f" AND cust_idx < {hi})" if hi is not None else ")"))
    if table == "lines":
        return lambda lo, hi: population.lines_sql(lines_in(lo, hi))
    if table == "contract_events":
        return lambda lo, hi: activity.events_sql(lines_in(lo, hi))
    if table == "agreements":
        return lambda lo, hi: activity.agreements_sql(lines_in(lo, hi))
    return materialised


def _prepare_extras(con: duckdb.DuckDBPyConnection, plan: P.Plan, rate: float,
                    estimates: dict[str, int], domains: dict[str, int]) -> None:
    _register_edges(con, plan.dates.program_id)
    if rate <= 0:
        return
    columns = {table: list(schema.names) for table, schema in TABLES.items()}
    per_kind = injection.kind_counts(rate, estimates)
    injection.build_mismatches(con, plan, per_kind["lines"])
    injection.build_bad_rows(con, plan, columns, per_kind, domains)
    _build_duplicates(con, per_kind, columns)


def _build_duplicates(con: duckdb.DuckDBPyConnection, per_kind: dict[str, int],
                      columns: dict[str, list[str]]) -> None:
    n = max(2, max(per_kind.values()))
    pick = 3 * n + 10
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dup_lines_src AS
        SELECT * FROM line_base ORDER BY mix(line_idx, 0, 'dup_lines'), line_idx
        LIMIT {pick}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dup_agr_src AS
        SELECT * FROM line_base WHERE profile = {P.PROFILE_AGR}
        ORDER BY mix(line_idx, 0, 'dup_agr'), line_idx LIMIT {pick}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dup_cust_src AS
        SELECT * FROM cust_base ORDER BY mix(cust_idx, 0, 'dup_cust'), cust_idx
        LIMIT {pick}""")
    sources = {
        "customers": population.customers_sql("dup_cust_src"),
        "lines": population.lines_sql("dup_lines_src"),
        "contract_events": activity.events_sql("dup_lines_src"),
        "agreements": activity.agreements_sql("dup_agr_src"),
    }
    for table, name in MATERIALISED.items():
        sources[table] = f"SELECT s1, s2, {', '.join(columns[table])} FROM {name}"
    for table, sql in sources.items():
        injection.build_duplicates(con, table, sql, max(2, per_kind[table]))


def _register_edges(con: duckdb.DuckDBPyConnection, program_id: str) -> None:
    """Edge rows as Arrow tables in contract types (KST strings become UTC instants)."""
    rows_by_table = edge_rows(program_id)
    for table, schema in TABLES.items():
        rows = rows_by_table.get(table, [])
        arrays = {field.name: pa.array([_coerce(row.get(field.name), field.type)
                                        for row in rows], type=field.type)
                  for field in schema}
        arrays["_serial"] = pa.array(range(len(rows)), type=pa.int64())
        con.register(f"edge_{table}", pa.table(arrays))


def _coerce(value: object, arrow_type: pa.DataType) -> object:
    if isinstance(value, str) and pa.types.is_timestamp(arrow_type):
        return kst(value)
    if isinstance(value, str) and pa.types.is_date(arrow_type):
        return dt.date.fromisoformat(value)
    return value


def _records(con: duckdb.DuckDBPyConnection, out: Path,
             outputs: dict[str, TableOutput]) -> list[dict]:
    """Every injected row with its expected quarantine reason (None: not quarantined)."""
    records: list[dict] = []
    for table, output in outputs.items():
        key = KEYS[table]
        records.extend(_bad_records(con, out, table, key, output))
        for s1, value, redelivery in con.execute(
                f"SELECT s1, {key}, redelivery FROM dup_{table} ORDER BY s1, s2").fetchall():
            original = f"{table}/{output.file_for(s1)}"
            copy = f"{table}/{output.redelivery_file}" if redelivery else original
            records.append({"table": table, "key": value, "kind": "exact_duplicate",
                            "expected_reason": None, "files": [original, copy]})
    lines = outputs["lines"]
    for line_idx, line_id in con.execute(
            "SELECT line_idx, line_id(line_idx) FROM pick_mismatch ORDER BY line_idx").fetchall():
        records.append({"table": "lines", "key": line_id, "kind": injection.MISMATCH_KIND,
                        "expected_reason": None, "file": f"lines/{lines.file_for(line_idx)}"})
    return records


def _bad_records(con: duckdb.DuckDBPyConnection, out: Path, table: str, key: str,
                 output: TableOutput) -> list[dict]:
    rows = con.execute(f"SELECT kind, reason, version, s1, {key} FROM bad_{table} "
                       "ORDER BY s1, s2").fetchall()
    null_positions: dict[str, list[int]] = {}
    records = []
    for kind, reason, version, s1, value in rows:
        file_name = output.file_for(s1)
        record = {"table": table, "key": value, "kind": kind, "expected_reason": reason,
                  "file": f"{table}/{file_name}"}
        if version is not None:
            record["version"] = version
        if value is None:
            if file_name not in null_positions:
                null_positions[file_name] = null_key_rows(con, out / table / file_name, key)
            record["row"] = null_positions[file_name].pop(0)
        records.append(record)
    return records


def _summary(plan: P.Plan, seed: int, rate: float, outputs: dict[str, TableOutput],
             injected: list[dict]) -> dict:
    program_id = plan.dates.program_id
    edge_counts = {table: len(rows) for table, rows in edge_rows(program_id).items()}
    cases = catalogue(program_id)
    kinds = Counter((r["table"], r["kind"]) for r in injected)
    return {
        "generator_version": GENERATOR_VERSION,
        "program_id": program_id,
        "deliveries": {"mode": "snapshot"},
        "scale": plan.scale,
        "seed": seed,
        "bad_rows": rate,
        "row_counts": {table: output.rows for table, output in outputs.items()},
        "files": {table: output.files for table, output in outputs.items()},
        "edge_cases": {"count": len(cases), "case_ids": [c.case_id for c in cases],
                       "rows": {table: edge_counts.get(table, 0) for table in TABLES}},
        "id_conventions": ID_CONVENTIONS,
        "injected_kinds": injection.describe_kinds() if rate > 0 else {},
        "injected_counts": {table: {kind: n for (t, kind), n in sorted(kinds.items())
                                    if t == table} for table in TABLES},
        "injected": injected,
    }


def _daily_records(con: duckdb.DuckDBPyConnection,
                   outputs: dict[str, DailyOutput]) -> list[dict]:
    """Every injected row with its expected reason, arrival day and delivery file."""
    records: list[dict] = []
    for table, output in outputs.items():
        key = KEYS[table]
        for kind, reason, version, s1, s2, value, day in con.execute(
                f"SELECT kind, reason, version, s1, s2, {key}, arrival_day FROM bad_{table} "
                "ORDER BY s1, s2").fetchall():
            record = {"table": table, "key": value, "kind": kind, "expected_reason": reason,
                      "arrival_day": day.isoformat(),
                      "file": f"{table}/{output.file_for(s1, day)}"}
            if version is not None:
                record["version"] = version
            if value is None:
                record["row"] = output.null_key_positions[(s1, s2)]
            records.append(record)
        for s1, value, first, again in con.execute(
                f"SELECT s1, {key}, {arrival_day_sql(table)}, arrival_day FROM dup_{table} "
                "ORDER BY s1, s2").fetchall():
            records.append({"table": table, "key": value, "kind": "exact_duplicate",
                            "expected_reason": None,
                            "arrival_days": [first.isoformat(), again.isoformat()],
                            "files": [f"{table}/{output.file_for(s1, first)}",
                                      f"{table}/{output.file_for(s1, again)}"]})
    lines = outputs["lines"]
    for line_idx, line_id, day in con.execute(
            "SELECT line_idx, line_id(line_idx), kdate(act_ks + act_shift) FROM line_base "
            "WHERE line_idx IN (SELECT line_idx FROM pick_mismatch) ORDER BY line_idx"
    ).fetchall():
        records.append({"table": "lines", "key": line_id, "kind": injection.MISMATCH_KIND,
                        "expected_reason": None, "arrival_day": day.isoformat(),
                        "file": f"lines/{lines.file_for(line_idx, day)}"})
    return records


def _daily_summary(plan: P.Plan, seed: int, rate: float, schedule: Schedule,
                   outputs: dict[str, DailyOutput], injected: list[dict]) -> dict:
    """As the snapshot's summary, for the whole dataset, plus the delivery files written:
    `files` and `delivered_row_counts` cover the days through `through`, `row_counts` and
    `injected` every row, delivered or still to come (arrival days after `through`)."""
    summary = _summary(plan, seed, rate, {}, injected)
    last_day = max((o.last_day for o in outputs.values() if o.last_day),
                   default=schedule.initial_through)
    through = schedule.through or last_day
    summary.update({
        "deliveries": {"mode": "daily", "first_daily_day": schedule.first_day.isoformat(),
                       "through": through.isoformat(), "last_day": last_day.isoformat()},
        "row_counts": {table: output.rows for table, output in outputs.items()},
        "delivered_row_counts": {table: sum(f.rows for f in output.delivered)
                                 for table, output in outputs.items()},
        "files": {table: [f.name for f in output.delivered] for table, output in outputs.items()},
        "delivery_files": {table: [f.as_json() for f in output.delivered]
                           for table, output in outputs.items()},
    })
    return summary
