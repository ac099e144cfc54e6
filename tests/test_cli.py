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
        assert con.execute("select count(*) from main.fct_contract_events").fetchone() == (1,)
        assert con.execute(
            "select record_key, quarantine_reason, fix is not null "
            "from restricted.quarantine.quarantined_rows"
        ).fetchall() == [("E2", "unknown_code", True)]


def test_remedy_build_names_a_missing_table_folder_and_the_fix(tmp_path):
    landing = tmp_path / "landing"
    write_empty_tables(landing)
    for path in (landing / "agreements").iterdir():
        path.unlink()
    completed = subprocess.run(
        [str(BIN / "remedy"), "build"], cwd=tmp_path,
        env=_env(RAW_DIR=str(landing), DUCKDB_PATH=str(tmp_path / "wh.duckdb")),
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 2
    assert f"{landing / 'agreements'}: no Parquet files" in completed.stderr
    assert "empty delivery is a file with zero rows" in completed.stderr


def test_database_is_released_after_an_in_process_run(foreign_landing, tmp_path, build):
    """dbt-duckdb keeps its database open after dbtRunner; run_dbt closes it so readers
    (validate, extract, these tests) can open it read-only in the same process."""
    db_path = build(foreign_landing, tmp_path, args=("seed",))
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select count(*) from program.program_parameters").fetchone() == (2,)


def test_pre_flight_names_a_corrupt_parquet_file(tmp_path):
    from remedy.landing import check_landing_dir

    landing = tmp_path / "landing"
    write_empty_tables(landing)
    broken = landing / "lines" / "part-9999.parquet"
    broken.write_bytes(b"not parquet at all")
    [problem] = check_landing_dir(landing)
    assert problem.startswith(f"{broken}: not a readable Parquet file")
    assert "deliver it again" in problem
