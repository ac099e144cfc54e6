"""Publishing in place (remedy.publish, remedy.build): one builder at a time, readers wait
for a build instead of failing or seeing half of it, every build records itself in
main.rpt_builds, and the restricted database stays owner-only."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner

from published_sample import PUBLISHED_RELATIONS
from remedy.build import production_args
from remedy.cli import main
from remedy.dbt_runner import run_dbt
from remedy.generate import generate
from remedy.landing import write_empty_tables, write_table
from remedy.publish import PublishError, build_lock, reconciliation_check
from remedy.published import latest_build, open_published
from remedy.settings import restricted_path


def test_one_builder_at_a_time(tmp_path):
    database = tmp_path / "wh.duckdb"
    with build_lock(database), pytest.raises(PublishError, match="another build"),\
            build_lock(database):
        pass


def test_a_reader_waits_for_a_writer_instead_of_failing(tmp_path):
    database = tmp_path / "wh.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table t as select 1 as v")
    release = threading.Event()

    def writer() -> None:
        # another process's writer is what a build is; a thread holding the file in a
        # separate DuckDB instance gets the same lock conflict
        script = ("import duckdb, sys, time\n"
                  f"con = duckdb.connect({str(database)!r})\n"
                  "con.execute('update t set v = 2')\n"
                  "print('locked', flush=True)\n"
                  "time.sleep(1.5)\n"
                  "con.close()\n")
        process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                   text=True)
        assert process.stdout.readline().strip() == "locked"
        release.set()
        process.wait(timeout=30)

    thread = threading.Thread(target=writer)
    thread.start()
    release.wait(timeout=30)
    started = time.monotonic()
    with open_published(database, timeout=30) as con:
        value = con.execute("select v from t").fetchone()[0]
    waited = time.monotonic() - started
    thread.join()
    assert value == 2 and waited > 0.5


def test_a_reader_gives_up_after_its_timeout(tmp_path):
    database = tmp_path / "wh.duckdb"
    script = ("import duckdb, time\n"
              f"con = duckdb.connect({str(database)!r})\n"
              "con.execute('create table t as select 1 as v')\n"
              "print('locked', flush=True)\n"
              "time.sleep(5)\n")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout.readline().strip() == "locked"
        with pytest.raises(duckdb.Error, match="(?i)lock"), open_published(database,
                                                                          timeout=0.5):
            pass
    finally:
        process.kill()


def test_reconciliation_check_names_failed_integrity_controls(tmp_path):
    database = tmp_path / "wh.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("""
            create table main.rpt_reconciliation as select * from (values
                ('a__ok', true, 'integrity'), ('b__broken', false, 'integrity'),
                ('c__finding', false, 'finding')) as t(check_name, passed, severity)
        """)
    assert reconciliation_check(database) == ["reconciliation control failed: b__broken"]
    assert reconciliation_check(database, strict=True) == [
        "reconciliation control failed: b__broken",
        "reconciliation control failed: c__finding"]


READER = """
import json, sys, time
from remedy.published import open_published
database, stop, out = sys.argv[1], sys.argv[2], open(sys.argv[3], "a")
relations = sys.argv[4].split(",")
import pathlib
stop = pathlib.Path(stop)
while not stop.exists():
    try:
        with open_published(database, timeout=600) as con:
            counts = [con.execute(f"select count(*) from main.{name}").fetchone()[0]
                      for name in relations]
            build = con.execute("select max(build_seq) from main.rpt_builds").fetchone()[0]
        out.write(json.dumps({"counts": counts, "build": build}) + "\\n")
    except Exception as error:
        out.write(json.dumps({"error": repr(error)}) + "\\n")
    out.flush()
    time.sleep(0.02)
"""


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.endswith("}")] \
        if path.exists() else []


def _wait_for_reads(path: Path, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(_lines(path)) < count:
        assert time.monotonic() < deadline, f"the reader made fewer than {count} reads"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_build_never_breaks_a_reader_process(tmp_path, tmp_path_factory):
    """A reader process counts every published relation in a loop while `dbt build` adds a
    day of deliveries to the same warehouse, in place: every read succeeds (waiting while
    the build holds the file) and sees the counts of one build, the one before or the one
    after, never a mix."""
    landing = tmp_path / "raw"
    generate(landing, scale=0.0005, seed=3, bad_rows=0.001, progress=False,
             deliveries="daily", through=dt.date(2026, 1, 19))
    database = tmp_path / "warehouse.duckdb"

    def build() -> None:
        result = run_dbt(["build"], raw_dir=landing, duckdb_path=database,
                         target_path=tmp_path / "target", log_path=tmp_path / "logs",
                         quiet=True)
        assert result.success, result.failures

    build()
    before = _counts(database)
    stop, observations = tmp_path / "stop", tmp_path / "observations.jsonl"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(database), str(stop),
                               str(observations), ",".join(PUBLISHED_RELATIONS)])
    try:
        _wait_for_reads(observations, 5)
        generate(landing, scale=0.0005, seed=3, bad_rows=0.001, progress=False,
                 deliveries="daily", through=dt.date(2026, 1, 20))
        build()
        reads_after = len(_lines(observations))
        _wait_for_reads(observations, reads_after + 5)
    finally:
        stop.touch()
        reader.wait(timeout=120)
    after = _counts(database)
    assert after != before
    records = [json.loads(line) for line in _lines(observations)]
    assert [record for record in records if "error" in record] == []
    assert all(record["counts"] in (before, after) for record in records)
    assert records[0]["counts"] == before and records[-1]["counts"] == after
    assert {record["build"] for record in records} == {1, 2}


def _counts(database: Path) -> list[int]:
    with open_published(database) as con:
        return [con.execute(f"select count(*) from main.{name}").fetchone()[0]
                for name in PUBLISHED_RELATIONS]


@pytest.fixture
def remedy_env(tmp_path):
    landing = tmp_path / "landing"
    write_table(landing, "customers", [dict(
        customer_id="C1", person_key="P1", customer_type="individual", full_name="김철수",
        birth_date="1980-02-02", created_at="2015-01-01 09:00:00")],
        file_name="2025-08-31.parquet")
    write_empty_tables(landing)
    database = tmp_path / "published" / "warehouse.duckdb"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DBT_", "DUCKDB_"))}
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="False", RAW_DIR=str(landing),
               DUCKDB_PATH=str(database))
    return landing, database, env


def _remedy_build(tmp_path: Path, env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "remedy"), "build",
                           "--target-path", str(tmp_path / "target"), *extra],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def _resource_types_run(target: Path) -> set[str]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[0] for result in results}


def test_a_production_build_leaves_the_unit_tests_out_unless_asked():
    assert production_args([], unit_tests=False) == ["--exclude-resource-type", "unit_test"]
    assert production_args(["--full-refresh"], unit_tests=True) == ["--full-refresh"]
    # resource types the caller chose are the caller's
    for chosen in (["--resource-type", "model"], ["--exclude-resource-type=seed"]):
        assert production_args(chosen, unit_tests=False) == chosen


def record_run_build(monkeypatch, code: int) -> dict:
    """Replace remedy.build.run_build with a double that records its arguments in the
    returned dict and returns `code`."""
    seen: dict = {}

    def fake_run_build(extra, **options):
        seen.update(extra=extra, **options)
        return code

    monkeypatch.setattr("remedy.build.run_build", fake_run_build)
    return seen


@pytest.mark.parametrize(("argv", "unit_tests"), [
    (["build"], False),
    (["build", "--unit-tests"], True),
])
def test_remedy_build_asks_for_unit_tests_only_with_the_flag(monkeypatch, argv, unit_tests):
    """The CLI's side of production_args: `remedy build` hands run_build unit_tests=False
    unless `--unit-tests` is given (dbt's own arguments pass through untouched)."""
    seen = record_run_build(monkeypatch, 0)
    result = CliRunner().invoke(main, [*argv, "--full-refresh"])
    assert result.exit_code == 0, result.output
    assert seen["unit_tests"] is unit_tests
    assert seen["extra"] == ["--full-refresh"]


def test_remedy_demo_builds_with_the_unit_tests(monkeypatch):
    """`remedy demo`, the developer's first build, runs the unit tests (unit_tests=True),
    and stops with the build's exit code when the build fails."""
    seen = record_run_build(monkeypatch, 3)
    generated = {}
    monkeypatch.setattr("remedy.cli.generate", click.Command(
        "generate", callback=lambda **options: generated.update(options)))
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 3, result.output
    assert generated["deliveries"] == "snapshot"
    assert seen["unit_tests"] is True
    assert seen["extra"] == []


@pytest.mark.slow
def test_remedy_build_is_incremental_and_rebuilds_from_scratch_when_it_must(tmp_path,
                                                                              remedy_env):
    """`remedy build` builds in place; the next build after a new delivery is incremental;
    after a change of program parameters it says why and rebuilds from scratch, while a
    plain `dbt build` refuses; the restricted database is owner-only."""
    landing, database, env = remedy_env
    first = _remedy_build(tmp_path, env)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "build 1: success (from scratch)" in first.stdout
    # a production build: the data tests, without the unit tests (CI and the sample run
    # those, tests/published_sample.py)
    assert _resource_types_run(tmp_path / "target") == {"exposure", "model", "operation", "seed",
                                                          "test"}
    assert stat.S_IMODE(os.stat(restricted_path(database)).st_mode) == 0o600
    write_table(landing, "customers", [dict(
        customer_id="C2", person_key="P2", customer_type="individual", full_name="이영희",
        birth_date="1990-02-02", created_at="2025-09-01 09:00:00")],
        file_name="2025-09-01.parquet")
    second = _remedy_build(tmp_path, env)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert "build 2: success (incremental)" in second.stdout
    assert "loaded: 1 file(s), 1 rows read" in second.stdout
    assert "unit_test" not in _resource_types_run(tmp_path / "target")

    vars_ = ["--vars", '{"lookup_as_of_date": "2026-01-13"}']
    plain = run_dbt(["build", *vars_], raw_dir=landing, duckdb_path=database,
                    target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True)
    assert not plain.success
    assert any("Program parameters or code changed" in failure for failure in plain.failures)
    third = _remedy_build(tmp_path, env, *vars_)
    assert third.returncode == 0, third.stdout[-2000:] + third.stderr[-2000:]
    assert "incremental build refused: " in third.stdout
    assert "build 3: success (from scratch)" in third.stdout
    with open_published(database) as con:
        assert latest_build(con)["status"] == "success"
        assert con.execute("select distinct as_of_date from main.fct_penalty_lookup"
                           ).fetchall() in ([], [(dt.date(2026, 1, 13),)])


@pytest.mark.slow
def test_a_landing_directory_that_breaks_append_only_is_refused(tmp_path, remedy_env, build):
    landing, database, env = remedy_env
    # the first build in-process (the worker's parse is reused): the second is the subject
    database.parent.mkdir()
    build(landing, database.parent)
    (landing / "customers" / "2025-08-31.parquet").unlink()
    refused = _remedy_build(tmp_path, env)
    assert refused.returncode == 1
    output = refused.stdout + refused.stderr
    assert "append-only" in output and "customers/2025-08-31.parquet" in output
    assert "rebuilding from scratch" not in output


@pytest.mark.slow
def test_two_published_databases_never_share_state(tmp_path, remedy_env, build):
    landing, database, _ = remedy_env
    database.parent.mkdir()
    build(landing, database.parent)
    other = tmp_path / "other" / "warehouse.duckdb"
    other.parent.mkdir()
    result = run_dbt(["build"], raw_dir=landing, duckdb_path=other,
                     target_path=tmp_path / "target2", log_path=tmp_path / "logs2",
                     quiet=True)
    assert result.success
    assert restricted_path(other) != restricted_path(database)
    # a published database moved away from its restricted one is refused
    restricted_path(other).unlink()
    refused = run_dbt(["build"], raw_dir=landing, duckdb_path=other,
                      target_path=tmp_path / "target2", log_path=tmp_path / "logs2",
                      quiet=True)
    assert not refused.success
    assert any("do not belong together" in failure for failure in refused.failures)
