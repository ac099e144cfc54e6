"""`remedy build`: the daily routine around `dbt build`.

1. One builder per published database (`publish.build_lock`).
2. `dbt build` on RAW_DIR into DUCKDB_PATH: incremental when the warehouse exists (only
   the partitions new landing files touch are re-derived), from scratch otherwise.
   Without the project's unit tests, as dbt Labs recommends for production builds:
   their inputs are fixtures, so their result depends on the code, not on the day's
   data; CI and `remedy demo` run them (`--unit-tests` here).
3. When dbt refuses an incremental build because it would mix two states (program
   parameters or code changed, the previous build did not finish, the published and
   restricted databases do not belong together), rebuild with --full-refresh and say
   why. When the landing directory broke its append-only promise, stop: rebuilding
   over missing files could silently drop published rows, so that needs a person.
4. Report what the build took in: new files, files set aside (file, reason, fix),
   files ignored, rows quarantined.
5. Optionally require the reconciliation controls; a failure marks the build
   `failed_checks` in main.rpt_builds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from remedy import settings

FULL_REFRESH_REASONS = (
    "Program parameters or code changed",
    "did not finish every incremental model",
    "do not belong together",
    "is stored while this build is",
)

RESOURCE_TYPE_FLAGS = {"--resource-type", "--resource-types", "--exclude-resource-type",
                       "--exclude-resource-types"}


def production_args(extra: Sequence[str], unit_tests: bool) -> list[str]:
    """dbt's arguments for a production build: `extra`, and the unit tests left out
    unless asked for or the caller chose resource types itself."""
    chose_types = any(arg.split("=")[0] in RESOURCE_TYPE_FLAGS for arg in extra)
    if unit_tests or chose_types:
        return list(extra)
    return [*extra, "--exclude-resource-type", "unit_test"]


def _refusal(failures: Sequence[str]) -> str | None:
    text = "\n".join(failures)
    for marker in FULL_REFRESH_REASONS:
        if marker in text:
            for failure in failures:
                if marker in failure:
                    return failure.split("\n\n")[0].strip()
            return marker
    return None


def build_summary(published: Path, build_seq: int | None = None) -> list[str]:
    """Lines describing one build's deliveries (default: the latest build)."""
    from remedy.published import open_published

    lines: list[str] = []
    with open_published(published) as con:
        if build_seq is None:
            row = con.execute("select max(build_seq) from main.rpt_builds").fetchone()
            build_seq = row[0] if row else None
        if build_seq is None:
            return lines
        status, full_refresh = con.execute(
            "select status, full_refresh from main.rpt_builds where build_seq = ?",
            [build_seq],
        ).fetchone()
        lines.append(f"build {build_seq}: {status}"
                     + (" (from scratch)" if full_refresh else " (incremental)"))
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'main' and table_name = 'rpt_deliveries'"
        ).fetchone()[0]
        if not exists:
            return lines
        for status_name, files, rows in con.execute(
            "select file_status, count(*), coalesce(sum(rows_read), 0) "
            "from main.rpt_deliveries where first_seen_build_seq = ? group by 1 order by 1",
            [build_seq],
        ).fetchall():
            lines.append(f"  {status_name}: {files} file(s)"
                         + (f", {rows:,} rows read" if status_name == "loaded" else ""))
        for path, reason, detail, fix in con.execute(
            "select file_path, reason, reason_detail, fix from main.rpt_deliveries "
            "where file_status = 'set_aside' and first_seen_build_seq = ? order by 1",
            [build_seq],
        ).fetchall():
            lines.append(f"  set aside: {path}: {reason} ({detail}); fix: {fix}")
        for path, reason in con.execute(
            "select file_path, reason from main.rpt_deliveries "
            "where file_status = 'ignored' and first_seen_build_seq = ? order by 1",
            [build_seq],
        ).fetchall():
            lines.append(f"  ignored: {path}: {reason}")
        quarantined = con.execute(
            "select coalesce(sum(quarantined_rows), 0) from main.rpt_source_row_counts"
        ).fetchone()[0]
        lines.append(f"  quarantined rows in the warehouse: {quarantined:,} "
                     "(main.rpt_quarantine_summary)")
    return lines


def run_build(
    extra: list[str],
    *,
    strict: bool = False,
    require_controls: bool = False,
    strict_controls: bool = False,
    unit_tests: bool = False,
    echo: Callable[..., None] | None = None,
) -> int:
    from remedy.dbt_runner import run_dbt
    from remedy.publish import (
        PublishError,
        build_lock,
        mark_latest_build,
        reconciliation_check,
        restrict_files,
    )

    if echo is None:
        import click

        echo = click.echo
    raw_dir = settings.raw_dir()
    published = settings.duckdb_path()
    if not raw_dir.is_dir():
        echo(f"error: {raw_dir}: landing directory not found; set RAW_DIR to the folder "
             "holding the table folders of SOURCE_CONTRACT.md", err=True)
        return 2
    if strict:
        os.environ["REMEDY_STRICT_LANDING"] = "true"
    extra = production_args(extra, unit_tests)
    try:
        with build_lock(published):
            result = run_dbt(["build", *extra], raw_dir=raw_dir, duckdb_path=published)
            reason = None if result.success else _refusal(result.failures)
            if reason and "--full-refresh" not in extra:
                echo(f"incremental build refused: {reason}")
                echo("rebuilding from scratch (--full-refresh)")
                result = run_dbt(["build", "--full-refresh", *extra], raw_dir=raw_dir,
                                 duckdb_path=published)
            restrict_files(published)
            for line in build_summary(published) if published.exists() else []:
                echo(line)
            if not result.success:
                for failure in result.failures or ["dbt build failed"]:
                    echo(f"error: {failure}", err=True)
                return 1
            if require_controls:
                problems = reconciliation_check(published, strict=strict_controls)
                if problems:
                    mark_latest_build(published, "failed_checks", problems)
                    for problem in problems:
                        echo(f"error: {problem}", err=True)
                    return 1
    except PublishError as error:
        echo(f"error: {error}", err=True)
        return 1
    finally:
        if strict:
            os.environ.pop("REMEDY_STRICT_LANDING", None)
    echo(f"built {published}")
    return 0
