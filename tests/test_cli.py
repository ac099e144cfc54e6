"""The commands a data engineer types, run as they would type them (subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from remedy.dbt_runner import PROJECT_DIR
from remedy.landing import write_empty_tables, write_table
from remedy.settings import restricted_path

BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="False", **extra)
    return env


@pytest.fixture(scope="module")
def foreign_landing(tmp_path_factory) -> Path:
    """A landing directory written without the generator, straight from the contract."""
    root = tmp_path_factory.mktemp("foreign") / "landing"
    write_table(root, "customers", [dict(customer_id="C1", person_key="P1",
                                         customer_type="individual", full_name="김철수",
                                         birth_date="1980-02-02",
                                         created_at="2015-01-01 09:00:00")])
    write_table(root, "lines", [dict(line_id="L1", customer_id="C1", msisdn="010-0000-0001",
                                     network="kt", line_class="phone",
                                     payment_type="postpaid",
                                     activated_at="2015-01-01 09:00:00")])
    write_table(root, "contract_events", [
        dict(event_id="E1", line_id="L1", event_type="activation",
             event_at="2015-01-01 09:00:00", channel="store"),
        dict(event_id="E2", line_id="L1", event_type="teleport",
             event_at="2025-10-01 09:00:00", channel="store"),
    ])
    write_empty_tables(root)
    return root


def test_dbt_build_reads_raw_dir_and_duckdb_path_from_the_environment(foreign_landing, tmp_path):
    db_path = tmp_path / "wh.duckdb"
    completed = subprocess.run(
        [str(BIN / "dbt"), "build", "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        cwd=PROJECT_DIR, env=_env(RAW_DIR=str(foreign_landing), DUCKDB_PATH=str(db_path)),
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute(f"attach '{restricted_path(db_path)}' as restricted (read_only)")
        assert con.execute("select count(*) from main.fct_contract_events").fetchone() == (1,)
        assert con.execute(
            "select record_key, quarantine_reason, fix is not null "
            "from restricted.quarantine.quarantined_rows"
        ).fetchall() == [("E2", "unknown_code", True)]


def test_a_missing_table_folder_is_an_empty_table(tmp_path):
    """A landing directory without a table's folder builds: that table has no rows yet
    (the state of a program's first days), and every control passes."""
    landing = tmp_path / "landing"
    write_empty_tables(landing)
    for path in (landing / "agreements").iterdir():
        path.unlink()
    (landing / "agreements").rmdir()
    completed = subprocess.run(
        [str(BIN / "remedy"), "build"], cwd=tmp_path,
        env=_env(RAW_DIR=str(landing), DUCKDB_PATH=str(tmp_path / "wh.duckdb")),
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("select raw_rows from main.rpt_source_row_counts "
                           "where source_table = 'agreements'").fetchone() == (0,)
        assert con.execute("select count(*) from main.rpt_reconciliation "
                           "where not passed").fetchone() == (0,)


def test_remedy_build_names_a_missing_landing_directory(tmp_path):
    completed = subprocess.run(
        [str(BIN / "remedy"), "build"], cwd=tmp_path,
        env=_env(RAW_DIR=str(tmp_path / "nowhere"), DUCKDB_PATH=str(tmp_path / "wh.duckdb")),
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 2
    assert f"{tmp_path / 'nowhere'}: landing directory not found" in completed.stderr


def test_database_is_released_after_an_in_process_run(foreign_landing, tmp_path, build):
    """dbt-duckdb keeps its database open after dbtRunner; run_dbt closes it so readers
    (validate, extract, these tests) can open it read-only in the same process."""
    db_path = build(foreign_landing, tmp_path, args=("seed",))
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select count(*) from program.program_parameters").fetchone() == (2,)
