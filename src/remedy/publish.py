"""One builder at a time, in place; readers wait for a build instead of copying it.

The published database (DUCKDB_PATH) is built in place, incrementally: a daily delivery
re-derives only what it touches, and no second copy of the database is ever written
(docs/decisions.md, "publishing in place"). DuckDB gives one process the file while it
writes, so:

- `build_lock` lets one `remedy build` run per published file; a second fails fast;
- `open_published` opens the published file read-only and, while a build holds it, waits
  (up to REMEDY_READ_TIMEOUT seconds, default 900) instead of failing: a reader sees the
  state before a build or after it, never a half-written one;
- every build records itself in `main.rpt_builds` (status `running`, `success`,
  `failed`; `remedy build` marks `failed_checks` when a control it was asked to require
  fails). A build that failed part-way leaves marts of two deliveries side by side: the
  status says so, dashboards show it, `remedy extract --production` refuses it, and the
  next `remedy build` rebuilds from scratch.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from remedy.settings import restricted_path

Check = Callable[[Path], list[str]]

DEFAULT_READ_TIMEOUT = 900.0


class PublishError(RuntimeError):
    """Another build of the same published file is running."""


@dataclass
class BuildResult:
    success: bool
    path: Path
    problems: list[str] = field(default_factory=list)


@contextlib.contextmanager
def build_lock(published: Path | str) -> Iterator[None]:
    """One builder per published file: a second `remedy build` fails fast instead of
    waiting on DuckDB's file lock."""
    published = Path(os.path.abspath(published))
    published.parent.mkdir(parents=True, exist_ok=True)
    lock_path = published.with_name(f".{published.name}.build.lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise PublishError(
                f"another build of {published} is running (lock {lock_path})"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def restrict_files(published: Path | str) -> None:
    """Keep the restricted database and its write-ahead log owner-only."""
    restricted = restricted_path(published)
    for candidate in (restricted, restricted.with_name(restricted.name + ".wal")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


@contextlib.contextmanager
def open_published(
    path: Path | str, timeout: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only handle on the published database, waiting while a build writes it.

    The file is ATTACHed to a private in-memory database rather than opened with
    `duckdb.connect(path)`: DuckDB's Python client shares one instance per path within a
    process, which would keep handing out a handle opened before a rebuild. Queries name
    tables as usual (`main.fct_...`). Only the published file is opened: nothing here
    can read the restricted database.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB database at {path} (build it with `remedy build`)")
    if timeout is None:
        timeout = float(os.environ.get("REMEDY_READ_TIMEOUT", DEFAULT_READ_TIMEOUT))
    deadline = time.monotonic() + timeout
    quoted = str(path).replace("'", "''")
    delay = 0.05
    while True:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"attach '{quoted}' as warehouse (read_only)")
            break
        except duckdb.Error as error:
            con.close()
            if not _is_lock_conflict(error) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        con.execute("use warehouse")
        yield con
    finally:
        con.close()


def latest_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest row of main.rpt_builds (None before the first build)."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name = 'rpt_builds'"
    ).fetchone()[0]
    if not exists:
        return None
    cursor = con.execute("select * from main.rpt_builds order by build_seq desc limit 1")
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def mark_latest_build(published: Path | str, status: str, problems: list[str]) -> None:
    """Record on the newest build that a check `remedy build` required failed."""
    restricted = restricted_path(published)
    for database, table in ((restricted, "state.builds"), (Path(published), "main.rpt_builds")):
        with duckdb.connect(str(database)) as con:
            con.execute(
                f"update {table} set status = ?, failed_nodes = ? "
                f"where build_seq = (select max(build_seq) from {table})",
                [status, "; ".join(problems)[:2000]],
            )


def reconciliation_check(path: Path, strict: bool = False) -> list[str]:
    """Every integrity control of main.rpt_reconciliation passed (with `strict`, every
    finding too), when the build made that table."""
    with open_published(path) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'main' and table_name = 'rpt_reconciliation'"
        ).fetchone()[0]
        if not exists:
            return []
        columns = {row[0] for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'main' and table_name = 'rpt_reconciliation'"
        ).fetchall()}
        scope = "" if strict or "severity" not in columns else " and severity = 'integrity'"
        failed = con.execute(
            f"select check_name from main.rpt_reconciliation where not passed{scope} order by 1"
        ).fetchall()
    return [f"reconciliation control failed: {name}" for (name,) in failed]
