"""scripts/contract_floor.py (issue 9.5): the published contract's columns copied alone.
The scale-1.0 figures it measures are in docs/benchmarks.md; here, on a hand-made
published database, it copies exactly the columns PUBLISHED_MARTS.md fixes and every row,
and lists the largest tables first. Its column lists are checked against the project's
contracts in tests/test_interfaces.py."""

from __future__ import annotations

from pathlib import Path

import duckdb

from project_scripts import load_script

floor = load_script("contract_floor")


def _published(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        for mart, columns in floor.CONTRACT_COLUMNS.items():
            # every contract column, plus one the mart adds (it must not be copied)
            con.execute(f"create table main.{mart} as select "
                        + ", ".join(f"'{mart}.{column}' as {column}" for column in columns)
                        + ", 'lineage' as source_file from range(3)")
        con.execute("insert into main.fct_contract_events select events.* from "
                    "main.fct_contract_events as events, range(997)")


def test_copies_the_contract_columns_and_every_row(tmp_path):
    _published(tmp_path / "warehouse.duckdb")
    timings = floor.copy_contract(tmp_path / "warehouse.duckdb", tmp_path / "floor.duckdb")
    assert [(mart, rows) for mart, rows, _ in timings] == [
        (mart, 3 + 3 * 997 if mart == "fct_contract_events" else 3)
        for mart in floor.CONTRACT_COLUMNS]
    with duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True) as con:
        columns = con.execute(
            "select column_name from duckdb_columns() where table_name = 'fct_contract_events' "
            "order by column_index").fetchall()
    assert [name for (name,) in columns] == [
        "event_id", "line_id", "customer_id", "event_type", "event_at_kst", "event_date"]


def test_largest_tables_come_first(tmp_path):
    _published(tmp_path / "warehouse.duckdb")
    largest = floor.largest_tables(tmp_path / "warehouse.duckdb", 2)
    assert [name for name, _ in largest][0] == "main.fct_contract_events"
    assert len(largest) == 2


def test_a_table_is_sized_by_the_blocks_it_holds(tmp_path):
    # two million distinct ids need several 256 KB blocks; a three-row table fits in one
    with duckdb.connect(str(tmp_path / "sized.duckdb")) as con:
        con.execute("create table big as select 'EV' || lpad(i::varchar, 10, '0') as event_id "
                    "from range(2000000) as t(i)")
        con.execute("create table small as select 1 as x from range(3)")
        blocks = con.execute("select count(distinct block_id) from pragma_storage_info('big') "
                             "where persistent").fetchall()[0][0]
    sizes = dict(floor.largest_tables(tmp_path / "sized.duckdb", 2))
    assert blocks >= 4
    assert sizes == {"main.big": blocks * 262_144, "main.small": 262_144}
