"""Shared fixtures: build a warehouse from a landing directory and query it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pytest

from remedy.build import production_args
from remedy.dbt_runner import run_dbt
from remedy.settings import restricted_path

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# reuse one parse of the project across the suite's builds (remedy.dbt_runner)
os.environ.setdefault("REMEDY_REUSE_MANIFEST", "1")
# the suite's hundreds of builds keep warnings and errors in their dbt.log, not dbt's debug
# trace of every node (writing it took about a fifth of a small build's time)
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "warn")


def build_warehouse(
    landing_dir: Path,
    work_dir: Path,
    dbt_vars: Mapping[str, object] | None = None,
    args: tuple[str, ...] = ("build",),
    name: str = "warehouse",
) -> Path:
    """Run `dbt build` (or `args`) on a landing directory into work_dir/<name>.duckdb.

    Every build gets its own target and log folders, so builds never share dbt state.
    Unit tests are left out, as in a production build (remedy.build.production_args):
    they check model logic on their own fixtures, the same in every build, and the
    published sample's build (tests/published_sample.py) runs them.
    """
    db_path = work_dir / f"{name}.duckdb"
    if args and args[0] == "build":
        args = ("build", *production_args(args[1:], unit_tests=False))
    result = run_dbt(
        list(args),
        raw_dir=landing_dir,
        duckdb_path=db_path,
        dbt_vars=dbt_vars,
        target_path=work_dir / f"{name}-target",
        log_path=work_dir / f"{name}-logs",
        quiet=True,
    )
    assert result.success, "dbt failed:\n" + "\n".join(result.failures)
    return db_path


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query against a built warehouse: the published database, with its
    restricted database attached as `restricted` (run_dbt releases both files, so
    read-only handles work in the same process)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        restricted = restricted_path(db_path)
        if restricted.exists():
            con.execute(f"attach '{restricted}' as restricted (read_only)")
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def build() -> Callable[..., Path]:
    return build_warehouse


@pytest.fixture(scope="session")
def sql() -> Callable[..., list[tuple]]:
    return query


# The modules that take longest (minutes of dbt builds, or sqlfluff over every model),
# heaviest first: pytest-xdist hands whole modules (--dist loadfile) to the two workers in
# collection order, so starting these first keeps one long module from running alone at
# the end while the other worker idles. Per-module times: docs/decisions.md, "The test
# suite's time budget".
HEAVIEST_MODULES = (
    "test_publish.py",
    "test_incremental_replay.py",
    "test_reconcile_scenarios.py",
    "test_generated_build.py",
    "test_lint.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def weight(item: pytest.Item) -> int:
        name = item.path.name
        return HEAVIEST_MODULES.index(name) if name in HEAVIEST_MODULES \
            else len(HEAVIEST_MODULES)

    items.sort(key=weight)  # stable: the order within and among the others is kept
