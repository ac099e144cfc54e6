"""One builder at a time, in place: the writing side of publishing (readers use
`remedy.published`, which never writes).

The published database (DUCKDB_PATH) is built in place, incrementally: a daily delivery
re-derives only what it touches, and no second copy of the database is ever written
(docs/decisions.md, "publishing in place"). DuckDB gives one process the file while it
writes, so:

- `build_lock` lets one `remedy build` run per published file; a second fails fast;
- readers open the published file with `remedy.published.open_published`, which waits
  while a build holds it: a reader sees the state before a build or after it, never a
  half-written one;
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from remedy.published import column_names, open_published, relation_exists
from remedy.settings import restricted_path

Check = Callable[[Path], list[str]]


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
        if not relation_exists(con, "main", "rpt_reconciliation"):
            return []
        columns = column_names(con, "main", "rpt_reconciliation")
        scope = "" if strict or "severity" not in columns else " and severity = 'integrity'"
        failed = con.execute(
            f"select check_name from main.rpt_reconciliation where not passed{scope} order by 1"
        ).fetchall()
    return [f"reconciliation control failed: {name}" for (name,) in failed]
