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
import os
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


def test_a_reused_manifest_is_parsed_again_when_a_project_file_changes(
        tmp_path, monkeypatch) -> None:
    """REMEDY_REUSE_MANIFEST (the suite only) keeps a parsed project per key; an edited
    model, a new file or other vars must never be served a stale parse."""
    import dbt.cli.main

    from remedy import dbt_runner

    parses = []

    class Parsed:
        def __init__(self) -> None:
            self.success, self.result = True, object()

    class Runner:
        def __init__(self, manifest=None) -> None:
            pass

        def invoke(self, args):
            parses.append(args)
            return Parsed()

    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "a.sql"
    model.write_text("select 1 as a")
    monkeypatch.setattr(dbt_runner, "PROJECT_DIR", tmp_path)
    monkeypatch.setattr(dbt_runner, "_MANIFESTS", {})
    monkeypatch.setattr(dbt.cli.main, "dbtRunner", Runner)
    monkeypatch.setenv("REMEDY_REUSE_MANIFEST", "1")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "w.duckdb"))

    first = dbt_runner._reusable_manifest(["build"], [], None)
    assert dbt_runner._reusable_manifest(["build"], [], None) is first
    assert len(parses) == 1
    model.write_text("select 2 as a")  # same size, new content and mtime
    os.utime(model, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 1_000_000))
    edited = dbt_runner._reusable_manifest(["build"], [], None)
    assert edited is not first and len(parses) == 2
    (tmp_path / "models" / "b.sql").write_text("select 1 as b")
    assert dbt_runner._reusable_manifest(["build"], [], None) is not edited
    assert dbt_runner._reusable_manifest(["build"], [], '{"program_id": "x"}') is not edited
    assert len(parses) == 4
    # commands that do not build (docs, compile, parse) never reuse a parse
    assert dbt_runner._reusable_manifest(["compile"], [], None) is None
    monkeypatch.setenv("REMEDY_REUSE_MANIFEST", "0")
    assert dbt_runner._reusable_manifest(["build"], [], None) is None
