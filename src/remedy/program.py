"""A program's parameters: the one place Python gets program facts from.

Two readers of the same seeds (`seeds/programs/`, keyed by program_id), giving the same
`Program`:
- `read_program` parses the seed CSV files themselves, typed as dbt_project.yml declares
  them, with no database: the generator and the edge-case catalogue use it, so
  `remedy generate --program <id>` is calibrated to that program's windows and dates;
- `load_program` reads them back from the published database's `program` schema (a
  connection of `remedy.published`): the checks (GX suites, reconciliation, extract
  manifest) use it, so a revision is checked against the parameters it was built with.
Nothing in Python copies a program date, amount or grace period from the seeds.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from remedy.published import relation_exists
from remedy.settings import PROJECT_DIR

PROGRAM_SCHEMA = "program"
SEED_DIR = PROJECT_DIR / "seeds"

# Seeds keyed by program_id, in the order a reader expects their rows.
PROGRAM_TABLES: dict[str, str] = {
    "program_refund_waves": "refund_wave",
    "program_reminder_dates": "notice_number",
    "program_data_grants": "grant_number",
    "program_ott_services": "service",
    "program_penalty_terms": "term_months",
}


def _project() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))


def project_var(name: str) -> Any:
    """A dbt var as dbt_project.yml sets it (what a plain `dbt build` uses)."""
    return _project()["vars"][name]


def default_program_id() -> str:
    """The dbt var `program_id` as dbt_project.yml sets it (what a plain `dbt build` uses)."""
    return str(project_var("program_id"))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Program:
    """One program's seed rows: parameters, per-table rows, and the terminating event types."""

    program_id: str
    parameters: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    terminating_event_types: tuple[str, ...] = ()

    def column_names(self, table: str) -> list[str]:
        return list(self.tables[table][0]) if self.tables[table] else []

    def __getitem__(self, parameter: str) -> Any:
        return self.parameters[parameter]

    @property
    def grace_days(self) -> dict[int, int]:
        """P1: term_months -> grace period G in days (seed program_penalty_terms)."""
        return {int(row["term_months"]): int(row["grace_days"])
                for row in self.tables["program_penalty_terms"]}

    @property
    def refund_waves(self) -> list[dict[str, Any]]:
        return self.tables["program_refund_waves"]

    @property
    def reminder_dates(self) -> list[dt.date]:
        return [row["notice_date"] for row in self.tables["program_reminder_dates"]]

    @property
    def data_grants(self) -> list[dict[str, Any]]:
        return self.tables["program_data_grants"]

    @property
    def ott_services(self) -> list[str]:
        return [row["service"] for row in self.tables["program_ott_services"]]


def _seed_column_types() -> dict[str, dict[str, str]]:
    """Seed name -> column -> type, as `+column_types` in dbt_project.yml declares them."""
    types: dict[str, dict[str, str]] = {}
    for folder in _project()["seeds"]["remedy"].values():
        if isinstance(folder, dict):
            for seed, config in folder.items():
                if isinstance(config, dict) and "+column_types" in config:
                    types[seed] = dict(config["+column_types"])
    return types


def _typed(text: str, kind: str) -> Any:
    """A seed CSV cell as dbt loads it (empty = null)."""
    if text == "":
        return None
    if kind == "varchar":
        return text
    if kind in ("integer", "bigint"):
        return int(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "timestamp":
        return dt.datetime.fromisoformat(text)
    if kind == "boolean":
        return {"true": True, "false": False}[text.lower()]
    raise ValueError(f"seed column type {kind!r} is not supported by the seed reader")


def read_seed(name: str, seed_dir: Path = SEED_DIR) -> list[dict[str, Any]]:
    """Rows of one seed CSV (searched under seed_dir), typed like the loaded seed."""
    paths = sorted(seed_dir.rglob(f"{name}.csv"))
    if len(paths) != 1:
        raise LookupError(f"expected one seed file {name}.csv under {seed_dir}, found {paths}")
    types = _seed_column_types().get(name)
    if types is None:
        raise LookupError(f"seed {name} has no +column_types in dbt_project.yml")
    with paths[0].open(encoding="utf-8", newline="") as handle:
        return [{column: _typed(text, types[column]) for column, text in row.items()}
                for row in csv.DictReader(handle)]


def read_program(program_id: str | None = None, seed_dir: Path = SEED_DIR) -> Program:
    """A program's parameters from the seed CSV files (no database); default: the dbt var."""
    program_id = program_id or default_program_id()
    parameters = [row for row in read_seed("program_parameters", seed_dir)
                  if row["program_id"] == program_id]
    if not parameters:
        known = sorted(row["program_id"] for row in read_seed("program_parameters", seed_dir))
        raise LookupError(f"program {program_id!r} is not seeded (known: {', '.join(known)})")
    tables = {}
    for table, order_by in PROGRAM_TABLES.items():
        rows = [{column: value for column, value in row.items() if column != "program_id"}
                for row in read_seed(table, seed_dir) if row["program_id"] == program_id]
        tables[table] = sorted(rows, key=lambda row, key=order_by: row[key])
    terminating = tuple(sorted(row["event_type"] for row in read_seed("ref_event_types", seed_dir)
                               if row["is_terminating"]))
    return Program(program_id, parameters[0], tables, terminating)


def load_program(con: duckdb.DuckDBPyConnection, program_id: str) -> Program:
    """Read a program's seed rows; fails with the known program ids when it is not seeded."""
    if not relation_exists(con, PROGRAM_SCHEMA, "program_parameters"):
        raise LookupError(
            f"the database has no {PROGRAM_SCHEMA}.program_parameters: run `dbt seed` or "
            "`dbt build` first"
        )
    parameters = _rows(
        con, f"select * from {PROGRAM_SCHEMA}.program_parameters where program_id = ?",
        [program_id],
    )
    if not parameters:
        known = [row[0] for row in con.execute(
            f"select program_id from {PROGRAM_SCHEMA}.program_parameters order by 1"
        ).fetchall()]
        raise LookupError(f"program {program_id!r} is not seeded (known: {', '.join(known)})")
    tables = {}
    for table, order_by in PROGRAM_TABLES.items():
        rows = _rows(
            con,
            f"select * exclude (program_id) from {PROGRAM_SCHEMA}.{table} "
            f"where program_id = ? order by {order_by}",
            [program_id],
        )
        tables[table] = rows
    terminating = tuple(row[0] for row in con.execute(
        f"select event_type from {PROGRAM_SCHEMA}.ref_event_types where is_terminating "
        "order by event_type"
    ).fetchall())
    return Program(program_id, parameters[0], tables, terminating)


def _day_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def template_parameters(program: Program) -> dict[str, Any]:
    """Named values the expectation templates may use (see expectations/README.md)."""
    params: dict[str, Any] = dict(program.parameters)
    waves = program.tables["program_refund_waves"]
    reminders = program.tables["program_reminder_dates"]
    grants = program.tables["program_data_grants"]
    params.update(
        waiver_window_start_kst=dt.datetime.combine(
            params["waiver_window_start_date"], dt.time()
        ),
        waiver_window_end_exclusive_kst=_day_after(params["waiver_window_end_date"]),
        payout_dates=[row["payout_date"] for row in waves],
        wave_payout_pairs=[[row["refund_wave"], row["payout_date"]] for row in waves],
        reminder_dates=[row["notice_date"] for row in reminders],
        reminder_pairs=[[row["notice_number"], row["notice_date"]] for row in reminders],
        data_grant_dates=[row["grant_date"] for row in grants],
        ott_services=[row["service"] for row in program.tables["program_ott_services"]],
        terminating_event_types=list(program.terminating_event_types),
    )
    return params


def jsonable(value: Any) -> Any:
    """Dates and times as ISO text (`2026-01-14 09:00:00`), lists element-wise."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value
