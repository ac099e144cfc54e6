"""Daily deliveries: every row arrives on a KST day, one file per table per delivery day.

A row's arrival day is the KST day of its own date column (`ARRIVAL_COLUMNS`). Rows before
the first daily day arrive in the initial load, `<table>/0000-initial_<day>_part-<n>.parquet`
(the snapshot's s1 parts, so no file is bigger than a snapshot part); every later day with
rows is `<table>/<YYYY-MM-DD>.parquet`, so file names sort in delivery order. Injected
rows arrive as at-least-once delivery does: a re-delivered copy and the second version of
a conflicting key come 1-3 days after the original (in the daily deliveries, when the
original was in the initial load); a row whose date was nulled arrives on its template's
day. Everything is computed in DuckDB, one pass per snapshot part: the part's rows are
materialised once, the initial-load share is written, the rest kept and written day by
day (sorted by s1, s2, so every file is deterministic).

Files are written once: a day file that exists is left untouched (its row count is checked
against the plan), so generating again with a later `through` day only adds files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from remedy.contract import KEYS, duckdb_columns
from remedy.generator.params import KST_OFFSET_S
from remedy.generator.writer import EDGE_S1, casts, column_names, null_key_rows

ARRIVAL_COLUMNS: dict[str, str] = {
    "customers": "created_at",
    "lines": "activated_at",
    "contract_events": "event_at",
    "agreements": "start_date",
    "penalty_charges": "billed_on",
    "refund_applications": "applied_at",
    "roaming_passes": "purchased_at",
    "ott_choices": "chosen_at",
    "insurance_applications": "applied_at",
}
# A re-delivery or a corrected version arrives 1..LAG_DAYS days after the original.
LAG_DAYS = 3


def arrival_day_sql(table: str, column: str | None = None) -> str:
    """KST day of a table's arrival column (timestamps are UTC instants; the session is UTC)."""
    column = column or ARRIVAL_COLUMNS[table]
    kind = dict(duckdb_columns(table))[ARRIVAL_COLUMNS[table]]
    if kind == "DATE":
        return f"CAST({column} AS DATE)"
    return f"CAST({column} + INTERVAL {KST_OFFSET_S} SECOND AS DATE)"


@dataclass(frozen=True)
class Schedule:
    """Which days are delivered: the initial load before `first_day`, then one file a day
    up to `through` (None: every day that has rows)."""

    first_day: dt.date
    through: dt.date | None = None

    @property
    def initial_through(self) -> dt.date:
        return self.first_day - dt.timedelta(days=1)

    def sql_date(self, day: dt.date) -> str:
        return f"DATE '{day.isoformat()}'"

    def later_sql(self, day: str, a: str, b: str, salt: str) -> str:
        """A day 1..LAG_DAYS after `day`, counted from the initial load's last day at least
        (a re-delivery of history arrives in the daily deliveries)."""
        return (f"(greatest({day}, {self.sql_date(self.initial_through)}) "
                f"+ CAST(1 + rint({a}, {b}, '{salt}', {LAG_DAYS}) AS INTEGER))")

    def initial_name(self, part: int) -> str:
        return f"0000-initial_{self.initial_through.isoformat()}_part-{part:04d}.parquet"

    @staticmethod
    def day_name(day: dt.date) -> str:
        return f"{day.isoformat()}.parquet"

    def delivered(self, day: dt.date) -> bool:
        return self.through is None or day <= self.through


@dataclass
class DeliveryFile:
    name: str
    day: dt.date  # for the initial load: its last day
    rows: int
    initial: bool = False

    def as_json(self) -> dict:
        return {"name": self.name, "day": self.day.isoformat(), "rows": self.rows,
                "initial_load": self.initial}


@dataclass
class DailyOutput:
    """Where a table's rows went; `rows` counts the whole dataset, delivered or not."""

    table: str
    schedule: Schedule
    bounds: list[int]
    initial: list[DeliveryFile] = field(default_factory=list)
    days: list[DeliveryFile] = field(default_factory=list)  # every day with rows
    rows: int = 0
    null_key_positions: dict[tuple[int, int], int] = field(default_factory=dict)

    def file_for(self, s1: int, day: dt.date) -> str:
        """The delivery file of a row (written or, after `through`, still to come)."""
        if day < self.schedule.first_day:
            part = sum(1 for bound in self.bounds if bound <= s1) - 1
            return self.initial[part].name
        return self.schedule.day_name(day)

    @property
    def delivered(self) -> list[DeliveryFile]:
        return self.initial + [f for f in self.days if self.schedule.delivered(f.day)]

    @property
    def last_day(self) -> dt.date | None:
        return self.days[-1].day if self.days else None


def add_arrival_days(con: duckdb.DuckDBPyConnection, table: str, schedule: Schedule) -> None:
    """Give `bad_<table>` and `dup_<table>` their arrival day (column arrival_day).

    Bad rows arrive on their own day, or their template's when the date was nulled; the
    second version of a conflicting key 1-3 days after the first (never before its own
    day). A re-delivered exact copy arrives 1-3 days after the original; the other copies
    come in the same delivery as the original (a duplicate inside one file).
    """
    own = arrival_day_sql(table)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE bad_{table} AS
        SELECT *, CASE WHEN version = 2
                THEN greatest(coalesce({own}, template_day),
                              {schedule.later_sql('template_day', 's1', 's2', 'late_version')})
                ELSE coalesce({own}, template_day) END AS arrival_day
        FROM bad_{table}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dup_{table} AS
        SELECT *, CASE WHEN redelivery
                THEN {schedule.later_sql(own, 's1', 's2', 'redelivery')}
                ELSE {own} END AS arrival_day
        FROM dup_{table}""")


def _write_once(con: duckdb.DuckDBPyConnection, table: str, select: str, path: Path,
                expected: int) -> None:
    """Write a delivery file unless it exists; an existing one must have the planned rows."""
    if path.exists():
        found = pq.ParquetFile(path).metadata.num_rows
        if found != expected:
            raise RuntimeError(f"{path} exists with {found} rows, this generation plans "
                               f"{expected}: it belongs to another generation")
        return
    partial = path.with_name(f".{path.name}.partial")
    con.execute(f"COPY ({select}) TO '{partial}' "
                "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)")
    os.replace(partial, path)


def write_table_daily(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    table: str,
    generated: Callable[[int, int | None], str],
    bounds: list[int],
    extras: set[str],
    schedule: Schedule,
    on_part: Callable[[], None] = lambda: None,
) -> DailyOutput:
    """Write the initial load (one file per s1 part) and one file per delivered day."""
    output = DailyOutput(table, schedule, bounds)
    folder = out / table
    folder.mkdir(parents=True, exist_ok=True)
    names = f"s1, s2, {column_names(table)}"
    own_day = arrival_day_sql(table)
    first = schedule.sql_date(schedule.first_day)
    key = KEYS[table]
    for part, lo in enumerate(bounds):
        hi = bounds[part + 1] if part + 1 < len(bounds) else None
        in_part = f"s1 >= {lo}" + (f" AND s1 < {hi}" if hi is not None else "")
        branches = [f"SELECT {names}, {own_day} AS _day FROM ({generated(lo, hi)})"]
        if "bad" in extras:
            branches.append(f"SELECT {names}, arrival_day AS _day FROM bad_{table} "
                            f"WHERE {in_part}")
        if "dup" in extras:
            branches.append(f"SELECT {names}, arrival_day AS _day FROM dup_{table} "
                            f"WHERE {in_part}")
        if "edge" in extras and hi is None:
            branches.append(f"SELECT {EDGE_S1} AS s1, _serial AS s2, {column_names(table)}, "
                            f"{own_day} AS _day FROM edge_{table}")
        # A row without a readable day (none is generated so) goes to the initial load.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE part_rows AS
            SELECT * REPLACE (coalesce(_day, {schedule.sql_date(schedule.initial_through)})
                AS _day)
            FROM ({' UNION ALL '.join(branches)})""")
        total, initial_rows = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE _day < {first}) FROM part_rows"
        ).fetchall()[0]
        output.rows += total
        name = schedule.initial_name(part)
        _write_once(con, table, f"SELECT {casts(table)} FROM part_rows WHERE _day < {first} "
                                "ORDER BY s1, s2", folder / name, initial_rows)
        output.initial.append(DeliveryFile(name, schedule.initial_through, initial_rows, True))
        nulls = con.execute(f"SELECT s1, s2 FROM part_rows WHERE _day < {first} "
                            f"AND {key} IS NULL ORDER BY s1, s2").fetchall()
        if nulls:
            positions = null_key_rows(con, folder / name, key)
            output.null_key_positions.update(zip(nulls, positions, strict=True))
        if part == 0:
            con.execute(f"CREATE OR REPLACE TEMP TABLE recent_rows AS "
                        f"SELECT * FROM part_rows WHERE _day >= {first}")
        else:
            con.execute(f"INSERT INTO recent_rows SELECT * FROM part_rows WHERE _day >= {first}")
        on_part()
    con.execute("DROP TABLE part_rows")
    con.execute("CREATE OR REPLACE TEMP TABLE recent_sorted AS "
                "SELECT * FROM recent_rows ORDER BY _day, s1, s2")
    con.execute("DROP TABLE recent_rows")
    for day, rows in con.execute(
            "SELECT _day, count(*) FROM recent_sorted GROUP BY 1 ORDER BY 1").fetchall():
        output.days.append(DeliveryFile(schedule.day_name(day), day, rows))
        if schedule.delivered(day):
            _write_once(con, table, f"SELECT {casts(table)} FROM recent_sorted "
                                    f"WHERE _day = {schedule.sql_date(day)} ORDER BY s1, s2",
                        folder / schedule.day_name(day), rows)
    # Null keys cannot be named by key: record their row number in the (future) day file.
    output.null_key_positions.update(
        ((s1, s2), position) for s1, s2, position in con.execute(f"""
            SELECT s1, s2, position FROM (
                SELECT s1, s2, {key} AS key_value,
                    row_number() OVER (PARTITION BY _day ORDER BY s1, s2) - 1 AS position
                FROM recent_sorted
                WHERE _day IN (SELECT _day FROM recent_sorted WHERE {key} IS NULL))
            WHERE key_value IS NULL""").fetchall())
    con.execute("DROP TABLE recent_sorted")
    on_part()
    return output
