"""Reading the published database: the one read-only opener every reader uses.

`remedy validate`, `reconcile`, `explain`, `summary`, `extract`, `verify-extract` and the
dashboard read the published database (DUCKDB_PATH) and nothing else: its schema `main`
(published marts, `rpt_` reports, the build log `rpt_builds`) and the program seeds in
schema `program`. They never open the restricted database, which holds the personal data.

This module only reads; `remedy.publish` (which the builder imports) writes. The dashboard
imports this one, so a web process never loads the code that changes a database.

`connect_published` ATTACHes the file read-only to a private in-memory database and makes
it the default catalog, instead of `duckdb.connect(path)`:
- DuckDB's Python client shares one database instance per path within a process, so a plain
  connect would keep handing out a handle opened before a rebuild, or fail (or silently
  become read-write) when this process already holds the file;
- while a build holds the file, it waits (up to REMEDY_READ_TIMEOUT seconds, default 900)
  instead of failing: a reader sees the state before a build or after it, never a
  half-written one;
- nothing can fall back to read-write: the attachment is read-only or the call fails.
Queries name tables as usual (`main.fct_...`, `program.program_parameters`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from remedy import settings

DEFAULT_READ_TIMEOUT = 900.0
CHECK_MEMORY_LIMIT = "8GB"
# The catalog name the published file is attached under (and made the default).
CATALOG = "published"
PUBLISHED_SCHEMAS = ("main", "program")


def limit_resources(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Cap what one reader may take on a shared machine and let it spill to disk instead.

    DUCKDB_MEMORY_LIMIT and DUCKDB_TEMP_DIR are the variables profiles.yml reads for builds.
    """
    memory = os.environ.get("DUCKDB_MEMORY_LIMIT") or CHECK_MEMORY_LIMIT
    spill = os.environ.get("DUCKDB_TEMP_DIR") or str(Path(tempfile.gettempdir()) / "remedy-duckdb")
    con.execute(f"set memory_limit = '{memory}'")
    con.execute(f"set temp_directory = '{spill}'")
    return con


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def read_timeout() -> float:
    return float(os.environ.get("REMEDY_READ_TIMEOUT", DEFAULT_READ_TIMEOUT))


def connect_published(path: Path | str | None = None,
                      timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection whose default catalog is the published database at `path`
    (default: DUCKDB_PATH); the caller closes it. Waits while a build holds the file."""
    path = Path(path) if path is not None else settings.duckdb_path()
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB database at {path} (build it with `remedy build`)")
    timeout = read_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    quoted = str(path).replace("'", "''")
    delay = 0.05
    while True:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"attach '{quoted}' as {CATALOG} (read_only)")
            break
        except duckdb.Error as error:
            con.close()
            if not _is_lock_conflict(error) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        con.execute(f"use {CATALOG}")
        limit_resources(con)
    except BaseException:
        con.close()
        raise
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A child cursor of a published connection, on the same default catalog (a new
    cursor starts on the in-memory one)."""
    child = con.cursor()
    child.execute(f"use {CATALOG}")
    return child


@contextlib.contextmanager
def open_published(path: Path | str | None = None,
                   timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect_published` as a context manager: the handle is closed on exit."""
    con = connect_published(path, timeout)
    try:
        yield con
    finally:
        con.close()


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether the default catalog (the published database) has `schema.name`."""
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def column_names(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> set[str]:
    return {row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()}


def latest_build(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The newest row of main.rpt_builds (None before the first build)."""
    if not relation_exists(con, "main", "rpt_builds"):
        return None
    cursor_ = con.execute("select * from main.rpt_builds order by build_seq desc limit 1")
    row = cursor_.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor_.description], row, strict=True))
