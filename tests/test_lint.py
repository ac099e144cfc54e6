"""House style (STYLE.md, convention 13): SQL passes sqlfluff (dbt templater, DuckDB
dialect) and Python passes ruff, so a style slip fails CI like any other regression."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from remedy.dbt_runner import PROJECT_DIR

BIN = Path(sys.executable).parent


def _run(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
           "RAW_DIR": str(tmp_path / "raw"), "DUCKDB_PATH": str(tmp_path / "lint.duckdb")}
    return subprocess.run(argv, cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=600)


def test_sql_is_sqlfluff_clean(tmp_path):
    completed = _run([str(BIN / "sqlfluff"), "lint", "models", "tests/dbt",
                      "--disable-progress-bar"], tmp_path)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]


def test_python_is_ruff_clean(tmp_path):
    completed = _run([str(BIN / "ruff"), "check", "src", "tests", "scripts"], tmp_path)
    assert completed.returncode == 0, completed.stdout[-4000:]
