"""Write and inspect landing directories that follow the source contract.

`write_table` is how tests (and anyone preparing a delivery by hand) put rows on disk:
values are given in the contract's own terms, timestamps as KST wall-clock strings or
aware datetimes, and stored as UTC instants exactly as upstream systems deliver them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from remedy.contract import TABLES
from remedy.settings import PROJECT_DIR

KST = ZoneInfo("Asia/Seoul")
KEY_HASH_MACRO = PROJECT_DIR / "macros" / "landing" / "key_hash.sql"


def duckdb_key_hash(column: str) -> str:
    """The DuckDB body of the `key_hash` macro (the hash the build finds repeated keys by),
    with `column` in place of the macro's argument: read from the macro file, so Python
    that runs the same hash outside dbt (tests, probes) cannot drift from it."""
    body = re.search(r"macro duckdb__key_hash\(expression\) -%}(.*?){%- endmacro",
                     KEY_HASH_MACRO.read_text(), re.S)
    if body is None:
        raise ValueError(f"{KEY_HASH_MACRO}: no duckdb__key_hash macro; the hash the build "
                         "uses is defined there")
    return body.group(1).strip().replace("{{ expression }}", column)


def kst(text: str) -> dt.datetime:
    """'2026-01-13 23:59:59' read as Korea wall-clock time, returned as a UTC instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=KST).astimezone(dt.UTC)


def _coerce(value, arrow_type: pa.DataType):
    if value is None:
        return None
    if pa.types.is_timestamp(arrow_type) and isinstance(value, str):
        return kst(value)
    if pa.types.is_date(arrow_type) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def write_table(
    landing_dir: Path | str,
    table: str,
    rows: Iterable[Mapping[str, object]],
    file_name: str = "part-0000.parquet",
) -> Path:
    """Write rows of one contract table as one Parquet file; missing columns are null."""
    schema = TABLES[table]
    rows = list(rows)
    unknown = {key for row in rows for key in row} - set(schema.names)
    if unknown:
        raise ValueError(f"{table}: columns not in the source contract: {sorted(unknown)}")
    columns = {
        field.name: pa.array(
            [_coerce(row.get(field.name), field.type) for row in rows], type=field.type
        )
        for field in schema
    }
    folder = Path(landing_dir) / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    pq.write_table(pa.table(columns, schema=schema), path)
    return path


def write_tables(landing_dir: Path | str, tables: Mapping[str, Iterable[Mapping]]) -> None:
    """Write a whole delivery: one file per table given, an empty file for every other."""
    for table, rows in tables.items():
        write_table(landing_dir, table, rows)
    write_empty_tables(landing_dir)


def write_empty_tables(landing_dir: Path | str) -> None:
    """Give every contract table a folder with an empty file (a delivery with no rows)."""
    for table in TABLES:
        folder = Path(landing_dir) / table
        if not any(folder.glob("*.parquet")):
            write_table(landing_dir, table, [], file_name="empty.parquet")
