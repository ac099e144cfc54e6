"""Builds don't break readers (remedy.publish): a build goes into a fresh file that replaces
the published one atomically, only when the build and its checks pass; a reader querying
all the while never errors and only ever sees one whole build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from published_sample import PUBLISHED_RELATIONS, published_sample
from remedy.dbt_runner import run_dbt
from remedy.generate import generate
from remedy.landing import write_empty_tables, write_table
from remedy.publish import (
    PublishError,
    is_selective,
    open_published,
    publish,
    publish_lock,
    reconciliation_check,
    staging_path,
)


def _writer(value: int, tables: int = 1, pause: float = 0.0):
    """A fake build: `tables` tables holding `value`, written one by one."""

    def build(path: Path) -> list[str]:
        with duckdb.connect(str(path)) as con:
            for index in range(tables):
                con.execute(f"create or replace table t{index} as select {value} as v")
                time.sleep(pause)
        return []

    return build


def _values(path: Path, tables: int = 1) -> list[int]:
    with open_published(path) as con:
        return [con.execute(f"select v from t{index}").fetchone()[0] for index in range(tables)]


def test_a_build_is_published_only_when_it_and_its_checks_pass(tmp_path):
    database = tmp_path / "wh.duckdb"
    assert publish(database, _writer(1)).published
    assert _values(database) == [1]

    def failing(path: Path) -> list[str]:
        _writer(2)(path)
        return ["model x failed"]

    outcome = publish(database, failing)
    assert (outcome.published, outcome.problems) == (False, ["model x failed"])
    assert publish(database, _writer(3), checks=[lambda path: ["control y failed"]]).problems \
        == ["control y failed"]
    assert _values(database) == [1]
    assert sorted(path.name for path in tmp_path.iterdir()) \
        == [".wh.duckdb.publish.lock", "wh.duckdb"]


def test_a_build_that_raises_leaves_the_published_file_and_no_staging_file(tmp_path):
    database = tmp_path / "wh.duckdb"
    publish(database, _writer(1))

    def crashing(path: Path) -> list[str]:
        _writer(2)(path)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        publish(database, crashing)
    assert _values(database) == [1]
    assert not staging_path(database).exists()


def test_a_selective_build_starts_from_the_published_database(tmp_path):
    database = tmp_path / "wh.duckdb"
    publish(database, _writer(1, tables=2))

    def update_one(path: Path) -> list[str]:
        with duckdb.connect(str(path)) as con:
            con.execute("create or replace table t1 as select 9 as v")
        return []

    assert publish(database, update_one, keep_existing=True).published
    assert _values(database, tables=2) == [1, 9]
    assert is_selective(["-s", "+fct_contract_events"])
    assert is_selective(["--select=fct_waiver_eligibility", "--full-refresh"])
    assert not is_selective(["--full-refresh", "--vars", "{program_id: kt_2025_12_rev1}"])


def test_one_publisher_at_a_time(tmp_path):
    database = tmp_path / "wh.duckdb"
    with publish_lock(database), pytest.raises(PublishError, match="another build"):
        publish(database, _writer(1))
    assert not database.exists()


def test_refuses_to_swap_over_a_database_written_in_place(tmp_path):
    """A write-ahead log beside the published file belongs to that file: replaying it onto
    another build would corrupt it."""
    database = tmp_path / "wh.duckdb"
    publish(database, _writer(1))
    database.with_name("wh.duckdb.wal").write_bytes(b"")
    with pytest.raises(PublishError, match="written in place"):
        publish(database, _writer(2))
    assert _values(database) == [1]


def test_readers_in_this_process_see_the_new_build_after_a_swap(tmp_path):
    """DuckDB's client reuses one instance per path while a handle is open; open_published
    attaches the file privately, so a reader opened after the swap reads the new file even
    while an older reader still holds the old one."""
    database = tmp_path / "wh.duckdb"
    publish(database, _writer(1))
    with open_published(database) as old:
        publish(database, _writer(2))
        assert _values(database) == [2]
        assert old.execute("select v from t0").fetchone() == (1,)


def test_a_reader_thread_sees_whole_builds_during_a_slow_rebuild(tmp_path):
    tables = 6
    database = tmp_path / "wh.duckdb"
    publish(database, _writer(1, tables))
    seen, errors, stop = [], [], threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(tuple(_values(database, tables)))
            except Exception as error:  # noqa: BLE001 - every error is a failure here
                errors.append(repr(error))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert publish(database, _writer(2, tables, pause=0.05)).published
        time.sleep(0.2)
    finally:
        stop.set()
        reader.join()
    assert not errors
    assert set(seen) == {(1,) * tables, (2,) * tables}


def test_reconciliation_check_names_failed_controls(tmp_path):
    database = tmp_path / "wh.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table rpt_reconciliation as select * from (values "
                    "('a__ok', true, 'integrity'), ('b__broken', false, 'integrity'), "
                    "('c__billing', false, 'finding')) as t (check_name, passed, severity)")
    assert reconciliation_check(database) == ["reconciliation integrity failed: b__broken"]
    assert reconciliation_check(database, strict=True) == [
        "reconciliation integrity failed: b__broken",
        "reconciliation finding outside tolerance (--strict-controls): c__billing"]
    assert reconciliation_check(_empty(tmp_path / "empty.duckdb")) == []


def test_reconciliation_check_without_severities_counts_every_control(tmp_path):
    """A control table of an older build has no severity column: every control blocks."""
    database = tmp_path / "wh.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table rpt_reconciliation as select * from (values "
                    "('a__ok', true), ('b__broken', false)) as t (check_name, passed)")
    assert reconciliation_check(database) == ["reconciliation integrity failed: b__broken"]


def _empty(path: Path) -> Path:
    duckdb.connect(str(path)).close()
    return path


READER = """
import json, sys, time, pathlib, duckdb
from remedy.publish import open_published
database, stop, out = sys.argv[1], pathlib.Path(sys.argv[2]), open(sys.argv[3], "w")
relations = sys.argv[4].split(",")
plain = False
while not stop.exists():
    try:
        # Alternate the two ways readers open the file: the dashboard's private attach and
        # the plain read-only connect of remedy validate / reconcile / extract.
        opener = (lambda: duckdb.connect(database, read_only=True)) if plain else (
            lambda: open_published(database))
        with opener() as con:
            counts = [con.execute(f"select count(*) from main.{name}").fetchone()[0]
                      for name in relations]
        out.write(json.dumps({"counts": counts}) + "\\n")
    except Exception as error:
        out.write(json.dumps({"error": repr(error)}) + "\\n")
    out.flush()
    plain = not plain
    time.sleep(0.02)
"""


@pytest.mark.slow
def test_a_dbt_rebuild_never_breaks_a_reader_process(tmp_path, tmp_path_factory):
    """`remedy build`'s path end to end: a reader process counts every published relation in
    a loop while dbt builds a different landing directory and the result is published. Every
    read succeeds and sees exactly the old build's counts or the new build's, never a mix,
    and the reader sees the new build right after the swap."""
    old = published_sample(tmp_path_factory)
    database = tmp_path / "published" / "warehouse.duckdb"
    database.parent.mkdir()
    database.write_bytes(old.database.read_bytes())
    old_counts = _counts(database)
    landing = tmp_path / "raw"
    generate(landing, scale=0.0005, seed=3, bad_rows=0.001, progress=False)

    stop, observations = tmp_path / "stop", tmp_path / "observations.jsonl"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(database), str(stop),
                               str(observations), ",".join(PUBLISHED_RELATIONS)])
    try:
        _wait_for_reads(observations, 5)

        def build(staging: Path) -> list[str]:
            result = run_dbt(["build"], raw_dir=landing, duckdb_path=staging,
                             target_path=tmp_path / "target", log_path=tmp_path / "logs",
                             quiet=True)
            return [] if result.success else result.failures or ["dbt build failed"]

        reads_before_swap = len(_lines(observations))
        outcome = publish(database, build)
        assert outcome.published, outcome.problems
        reads_at_swap = len(_lines(observations))
        _wait_for_reads(observations, reads_at_swap + 10)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    new_counts = _counts(database)
    assert new_counts != old_counts
    records = [json.loads(line) for line in _lines(observations)]
    assert [record for record in records if "error" in record] == []
    seen = [record["counts"] for record in records]
    assert all(counts in (old_counts, new_counts) for counts in seen), \
        [counts for counts in seen if counts not in (old_counts, new_counts)][:3]
    assert reads_at_swap - reads_before_swap >= 5, "the reader did not read during the build"
    assert seen[0] == old_counts and seen[-1] == new_counts


def _counts(database: Path) -> list[int]:
    with open_published(database) as con:
        return [con.execute(f"select count(*) from main.{name}").fetchone()[0]
                for name in PUBLISHED_RELATIONS]


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.endswith("}")] \
        if path.exists() else []


def _wait_for_reads(path: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(_lines(path)) < count:
        assert time.monotonic() < deadline, f"the reader made fewer than {count} reads"
        time.sleep(0.05)


@pytest.mark.slow
def test_remedy_build_publishes_and_a_failed_build_keeps_the_last_good_one(tmp_path):
    """The command line: `remedy build` publishes to DUCKDB_PATH; a build that fails (here a
    model erroring on a bad dbt var, in a selective build that starts from a copy of the
    published database) leaves the published database as it was."""
    landing = tmp_path / "landing"
    write_table(landing, "customers", [dict(
        customer_id="C1", person_key="P1", customer_type="individual", full_name="김철수",
        birth_date="1980-02-02", created_at="2015-01-01 09:00:00")])
    write_empty_tables(landing)
    database = tmp_path / "published" / "warehouse.duckdb"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="False", RAW_DIR=str(landing),
               DUCKDB_PATH=str(database))
    remedy = str(Path(sys.executable).parent / "remedy")

    def remedy_build(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([remedy, "build", "--target-path", str(tmp_path / "target"),
                               *extra], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)

    first = remedy_build()
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert f"published {database}" in first.stdout
    published = database.read_bytes()
    second = remedy_build("-s", "fct_penalty_lookup", "--vars",
                          "{lookup_as_of_date: not-a-date}")
    assert second.returncode == 1
    assert "keeps the last good build" in second.stderr
    assert database.read_bytes() == published
    assert sorted(path.name for path in database.parent.iterdir()) \
        == [".warehouse.duckdb.publish.lock", "warehouse.duckdb"]
