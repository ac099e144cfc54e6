"""Build into a fresh database file and swap it in only when the build and its checks pass.

DuckDB allows one writer per file, and a reader of a file that `dbt build` is writing in
place either cannot open it (lock) or could read a half-built schema. So a published
warehouse is never written in place:

1. the build runs into `.<stem>.building<suffix>` beside the published file (same directory,
   so the same file system and an atomic rename), empty for a full build or a copy of the
   published file for a selective one (`-s`, `--exclude`, ...);
2. the checks run on that file (dbt's own tests are part of `dbt build`; callers add
   theirs, such as every `rpt_reconciliation` control passing);
3. the file is checkpointed (no write-ahead log left beside it) and `os.replace`d over the
   published path. A failed build or check deletes it and leaves the published file alone.

Readers open the published path per query or page load (`open_published`). A reader
that opened the old file keeps reading that file (its inode lives until it closes); the
next open sees the new one. Never a mix: every file a reader can open is a whole build.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

Check = Callable[[Path], list[str]]
Builder = Callable[[Path], list[str]]

SELECTION_FLAGS = frozenset({
    "-s", "--select", "-m", "--models", "--model", "--exclude", "--selector",
    "--resource-type", "--resource-types", "--exclude-resource-type",
    "--exclude-resource-types",
})


class PublishError(RuntimeError):
    """The published database cannot be replaced (another publish runs, or it is in use)."""


@dataclass
class PublishResult:
    published: bool
    path: Path
    problems: list[str] = field(default_factory=list)


def is_selective(dbt_args: Sequence[str]) -> bool:
    """True when dbt arguments build only part of the project (the rest must be kept)."""
    return any(arg.split("=", 1)[0] in SELECTION_FLAGS for arg in dbt_args)


def staging_path(published: Path) -> Path:
    """Where the next build of `published` goes. A stable name (the publish lock makes it
    one builder's at a time) keeps dbt's profile, and so its partial parsing, the same
    from one build to the next."""
    return published.with_name(f".{published.stem}.building{published.suffix}")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    for candidate in (path, _wal(path)):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


@contextlib.contextmanager
def publish_lock(published: Path) -> Iterator[None]:
    """One publisher per published file: a second `remedy build` fails fast instead of
    racing the first to the swap."""
    lock_path = published.with_name(f".{published.name}.publish.lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise PublishError(
                f"another build is publishing {published} (lock {lock_path})"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _refuse_in_place_writer(published: Path) -> None:
    """A write-ahead log beside the published file means something writes it in place (a
    plain `dbt build` on DUCKDB_PATH) or crashed doing so. Its log must never meet another
    file: replaying it onto the swapped-in build would corrupt that build."""
    if _wal(published).exists():
        raise PublishError(
            f"{_wal(published)} exists: {published} is being written in place (a plain "
            "`dbt build`?) or such a write crashed; let it finish, or open the database once "
            "with duckdb to replay the log, then rebuild"
        )


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the whole build."""
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")
    if _wal(path).exists():
        raise PublishError(f"{_wal(path)} is still there after a checkpoint")


def reconciliation_check(path: Path, strict: bool = False) -> list[str]:
    """Every integrity control of main.rpt_reconciliation passed (when the build made that
    table); with strict, every finding too. A table without a severity column (an older
    build) counts every control as integrity."""
    with open_published(path) as con:
        columns = {row[0] for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'main' and table_name = 'rpt_reconciliation'"
        ).fetchall()}
        if not columns:
            return []
        severity = "severity" if "severity" in columns else "'integrity'"
        failed = con.execute(
            f"select check_name, {severity} from main.rpt_reconciliation "
            "where not passed order by 1"
        ).fetchall()
    return [
        f"reconciliation {kind} failed: {name}" if kind == "integrity"
        else f"reconciliation finding outside tolerance (--strict-controls): {name}"
        for name, kind in failed if strict or kind == "integrity"
    ]


def strict_reconciliation_check(path: Path) -> list[str]:
    return reconciliation_check(path, strict=True)


def publish(
    published: Path | str,
    build: Builder,
    *,
    keep_existing: bool = False,
    checks: Sequence[Check] = (),
) -> PublishResult:
    """Run `build(staging_file)` and swap the file in when it and every check succeed.

    `build` and each check return a list of problems (empty = success). With
    `keep_existing`, the build starts from a copy of the published database (a selective
    dbt build must keep the models it does not select).
    """
    published = Path(os.path.abspath(published))
    published.parent.mkdir(parents=True, exist_ok=True)
    with publish_lock(published):
        staging = staging_path(published)
        _remove(staging)
        try:
            _refuse_in_place_writer(published)
            if keep_existing and published.exists():
                shutil.copyfile(published, staging)
            problems = list(build(staging))
            if not problems and not staging.exists():
                problems = [f"the build wrote no database at {staging}"]
            for check in checks if not problems else ():
                problems += check(staging)
            if problems:
                return PublishResult(False, published, problems)
            checkpoint(staging)
            _refuse_in_place_writer(published)
            os.replace(staging, published)
            _fsync_directory(published.parent)
            return PublishResult(True, published)
        finally:
            _remove(staging)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def open_published(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only handle on one whole build of the published database.

    The file is ATTACHed to a private in-memory database instead of `duckdb.connect(path)`:
    DuckDB's Python client shares one instance per path within a process, so a plain
    connect made while another handle is open would keep returning the file that was
    there before a swap. Queries name tables as usual (`main.fct_...`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB database at {path} (build it with `remedy build`)")
    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"attach '{quoted}' as warehouse (read_only)")
        con.execute("use warehouse")
        yield con
    finally:
        con.close()
