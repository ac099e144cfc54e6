"""Run dbt in-process (dbtRunner) against a chosen landing directory and database file."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from remedy.settings import PROJECT_DIR


@dataclass(frozen=True)
class DbtResult:
    success: bool
    invocation_id: str | None
    failures: list[str]


def dbt_env(raw_dir: Path | str | None, duckdb_path: Path | str | None) -> dict[str, str]:
    """Environment variables the committed profiles.yml and sources read."""
    env = {}
    if raw_dir is not None:
        env["RAW_DIR"] = str(Path(raw_dir).resolve())
    if duckdb_path is not None:
        env["DUCKDB_PATH"] = str(Path(duckdb_path).resolve())
    return env


def release_duckdb() -> None:
    """Close the database dbt-duckdb keeps open after an in-process run.

    dbt-duckdb caches one DuckDB instance per process; while it lives, the same file cannot
    be opened read-only (or with another configuration) in this process. Closing it makes
    `duckdb.connect(path, read_only=True)` work after `run_dbt`, as it does in a new process.

    dbt-duckdb has no public way to do this: it reads the private class attributes
    `DuckDBConnectionManager._LOCK` and `_ENV`. tests/test_dbt_runner.py pins the
    dbt-duckdb version this was written against and fails when it or the attributes change.
    """
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if environment is not None:
        environment.close()
    gc.collect()


# Parsed projects kept for reuse when REMEDY_REUSE_MANIFEST=1 (the test suite: hundreds of
# builds of one project into different databases, each of which would otherwise parse the
# whole project again, about 11 s, because the database path is part of dbt's
# partial-parse check). Keyed by everything that is frozen at parse time: the vars, the
# target, the database's name, and the state of the project's files. Production runs
# never set it: `remedy build` and `dbt build` use dbt's own partial parsing in target/.
_MANIFESTS: dict[tuple, object] = {}
REUSED_COMMANDS = frozenset({"build", "run", "test", "seed"})


def _project_stamp() -> tuple:
    stamp = []
    for folder in ("models", "macros", "seeds", "tests", "analyses", "snapshots"):
        for dirpath, _, files in os.walk(PROJECT_DIR / folder):
            for name in files:
                path = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    status = os.stat(path)
                    stamp.append((path, status.st_mtime_ns, status.st_size))
    for name in ("dbt_project.yml", "profiles.yml", "selectors.yml"):
        with contextlib.suppress(OSError):
            status = os.stat(PROJECT_DIR / name)
            stamp.append((name, status.st_mtime_ns, status.st_size))
    return tuple(sorted(stamp))


def _reusable_manifest(args: Sequence[str], common: list[str], vars_json: str | None):
    """A parsed manifest for `args` when manifest reuse is on, else None."""
    if os.environ.get("REMEDY_REUSE_MANIFEST") != "1" or not args or args[0] not in \
            REUSED_COMMANDS:
        return None
    from dbt.cli.main import dbtRunner

    # the database's name (its file's stem) is written into every node at parse time
    database = Path(os.environ.get("DUCKDB_PATH", "warehouse.duckdb")).stem
    key = (vars_json, os.environ.get("DBT_TARGET"), database, _project_stamp())
    if key not in _MANIFESTS:
        parse_args = ["parse", *common, *(["--vars", vars_json] if vars_json else []),
                      "--quiet"]
        parsed = dbtRunner().invoke(parse_args)
        if not parsed.success or parsed.result is None:
            return None
        if len(_MANIFESTS) >= 6:
            _MANIFESTS.pop(next(iter(_MANIFESTS)))
        _MANIFESTS[key] = parsed.result
    return _MANIFESTS[key]


def run_dbt(
    args: Sequence[str],
    raw_dir: Path | str | None = None,
    duckdb_path: Path | str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    target_path: Path | str | None = None,
    log_path: Path | str | None = None,
    quiet: bool = False,
) -> DbtResult:
    """Invoke dbt with this repository as project and profiles directory.

    Environment variables are set for the call and restored afterwards, so tests can build
    several warehouses from one process.
    """
    from dbt.cli.main import dbtRunner

    env = dbt_env(raw_dir, duckdb_path)
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    common = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if target_path is not None:
        common += ["--target-path", str(target_path)]
    if log_path is not None:
        common += ["--log-path", str(log_path)]
    vars_json = json.dumps(dict(dbt_vars), sort_keys=True) if dbt_vars else None
    cli_args = [*args, *common]
    if vars_json:
        cli_args += ["--vars", vars_json]
    if quiet:
        cli_args += ["--quiet"]
    try:
        manifest = _reusable_manifest(args, common, vars_json)
        result = dbtRunner(manifest=manifest).invoke(cli_args)
    finally:
        release_duckdb()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    failures = []
    invocation_id = None
    if result.result is not None and hasattr(result.result, "results"):
        for node_result in result.result.results:
            status = str(node_result.status)
            if status in {"error", "fail", "runtime error"}:
                failures.append(f"{node_result.node.unique_id}: {status}: {node_result.message}")
        invocation_id = getattr(result.result.args, "invocation_id", None) if hasattr(
            result.result, "args"
        ) else None
    if result.exception is not None:
        failures.append(f"dbt raised: {result.exception}")
    return DbtResult(success=result.success, invocation_id=invocation_id, failures=failures)
