"""remedy.dbt_runner.release_duckdb reaches into dbt-duckdb's private state.

dbt-duckdb keeps one DuckDB instance per process after an in-process `dbt build` and offers
no public way to close it; release_duckdb reads and resets the private class attributes
`DuckDBConnectionManager._LOCK` (a lock guarding the instance) and `_ENV` (the instance's
environment, closed with `.close()`). Nothing else in remedy touches dbt-duckdb's internals.

This test is pinned to the dbt-duckdb version it was checked against. It fails loudly when
the installed version or the attributes change: then read dbt-duckdb's connections.py,
check that `_LOCK` and `_ENV` still mean the same, adapt release_duckdb if needed, and move
the pin. (tests/test_cli.py checks the behaviour end to end: a database built in-process
opens read-only afterwards.)
"""

from __future__ import annotations

import importlib.metadata
import threading

from remedy.dbt_runner import release_duckdb

CHECKED_DBT_DUCKDB = "1.11.1"


def test_release_duckdb_relies_on_private_attributes_of_this_dbt_duckdb_version() -> None:
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    installed = importlib.metadata.version("dbt-duckdb")
    assert installed == CHECKED_DBT_DUCKDB, (
        f"dbt-duckdb {installed} is installed, release_duckdb was checked against "
        f"{CHECKED_DBT_DUCKDB}: it uses the private DuckDBConnectionManager._LOCK and _ENV. "
        "Check they still exist and mean the same, then update CHECKED_DBT_DUCKDB."
    )
    assert isinstance(DuckDBConnectionManager.__dict__.get("_LOCK"),
                      type(threading.RLock())), "DuckDBConnectionManager._LOCK is gone or changed"
    assert "_ENV" in DuckDBConnectionManager.__dict__, "DuckDBConnectionManager._ENV is gone"

    class Environment:
        closed = False

        def close(self) -> None:
            self.closed = True

    saved = DuckDBConnectionManager._ENV
    environment = Environment()
    DuckDBConnectionManager._ENV = environment
    try:
        release_duckdb()
        assert environment.closed and DuckDBConnectionManager._ENV is None
    finally:
        DuckDBConnectionManager._ENV = saved
