"""Write one contract table as a snapshot: sorted Parquet parts (generated + injected + edge
rows). Daily deliveries (`remedy.generator.deliveries`) reuse the parts and the casts.

A table's sort key (s1, s2) is unique except between byte-identical rows (exact
duplicates), so `ORDER BY s1, s2` fixes the bytes of every file whatever the thread count.
Parts split the s1 domain evenly; edge-case rows sort last (s1 = EDGE_S1); exact
duplicates meant for another file go to a final "redelivery" part.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from remedy.contract import duckdb_columns

EDGE_S1 = 10**15


@dataclass
class TableOutput:
    table: str
    bounds: list[int]  # lower s1 bound of each part (the last part is open-ended)
    files: list[str] = field(default_factory=list)
    rows_per_file: list[int] = field(default_factory=list)
    redelivery_file: str | None = None

    def file_for(self, s1: int) -> str:
        return self.files[bisect_right(self.bounds, s1) - 1]

    @property
    def rows(self) -> int:
        return sum(self.rows_per_file)


def part_bounds(domain: int, parts: int) -> list[int]:
    return [domain * i // parts for i in range(parts)]


def casts(table: str) -> str:
    # DuckDB writes a column it can prove non-null (per file!) as Parquet REQUIRED; the
    # contract's columns are all nullable, and the identity CASE keeps them OPTIONAL.
    return ", ".join(f"CAST(CASE WHEN {name} IS NOT NULL THEN {name} END AS {kind}) AS {name}"
                     for name, kind in duckdb_columns(table))


def column_names(table: str) -> str:
    return ", ".join(name for name, _ in duckdb_columns(table))


def _copy(con: duckdb.DuckDBPyConnection, table: str, body: str, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    sql = (f"COPY (SELECT {casts(table)} FROM ({body}) ORDER BY s1, s2) "
           f"TO '{path}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)")
    return con.execute(sql).fetchall()[0][0]


def write_table(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    table: str,
    generated: Callable[[int, int | None], str],
    bounds: list[int],
    extras: set[str],
    on_part: Callable[[], None] = lambda: None,
) -> TableOutput:
    """Write parts of `table`; `generated(lo, hi)` yields s1, s2 and the contract columns.

    `extras` names the temp relations present for this table: `bad`, `dup`, `edge`.
    """
    output = TableOutput(table, bounds)
    names = f"s1, s2, {column_names(table)}"
    for part, lo in enumerate(bounds):
        hi = bounds[part + 1] if part + 1 < len(bounds) else None
        in_part = f"s1 >= {lo}" + (f" AND s1 < {hi}" if hi is not None else "")
        branches = [generated(lo, hi)]
        if "bad" in extras:
            branches.append(f"SELECT {names} FROM bad_{table} WHERE {in_part}")
        if "dup" in extras:
            branches.append(f"SELECT {names} FROM dup_{table} WHERE NOT redelivery AND {in_part}")
        if "edge" in extras and hi is None:
            branches.append(f"SELECT {EDGE_S1} AS s1, _serial AS s2, {column_names(table)} "
                            f"FROM edge_{table}")
        body = " UNION ALL ".join(f"SELECT {names} FROM ({b})" for b in branches)
        name = f"part-{part:04d}.parquet"
        output.rows_per_file.append(_copy(con, table, body, out / table / name))
        output.files.append(name)
        on_part()
    if "dup" in extras:
        name = f"part-{len(bounds):04d}.parquet"
        body = f"SELECT {names} FROM dup_{table} WHERE redelivery"
        output.rows_per_file.append(_copy(con, table, body, out / table / name))
        output.files.append(name)
        output.redelivery_file = name
        on_part()
    return output


def null_key_rows(con: duckdb.DuckDBPyConnection, path: Path, key: str) -> list[int]:
    """Row numbers (0-based, file order) whose key is null."""
    rows = con.execute(
        f"SELECT file_row_number FROM read_parquet('{path}', file_row_number = true) "
        f"WHERE {key} IS NULL ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]
