"""Daily deliveries built incrementally equal a full rebuild (issue 9, point 3).

A landing directory is replayed one delivery day at a time; after each day the same
warehouse file is built again (incremental), and at checkpoints a fresh warehouse is
built from scratch on the same landing directory. Every published mart,
rpt_reconciliation, rpt_source_row_counts and the quarantine must be equal, column by
column. The days carry the cases that break naive incremental loads:

- day 1: a termination that enters the waiver population (W1), billed and paid;
- day 2: a row re-delivered identically (collapsed and counted, SOURCE_CONTRACT.md);
- day 3: a key delivered again with different content: every version is quarantined,
  including the one accepted on day 1, and the marts follow (the line's device change
  no longer excludes it, W2.6); a line row without its key, of a customer the day does
  not otherwise name (null_key, not an orphan);
- day 4: an event whose line has not arrived (orphan), and a second terminating event
  of a line whose first one was published on day 1 (W1: quarantined);
- day 5: the orphan's line arrives: the event is accepted; and a new customer record of
  L-DUP's person opens a line: L-DUP, terminated on day 1 and untouched since, is now
  excluded as re-joined (W2.8, read across the person's records);
- day 6: an on-time application moves a line from not_applied to scheduled (A5, A6); and
  L-TERM's person opens a line at 2026-01-14 00:00 KST, just after the waiver window:
  L-TERM is re-derived and stays eligible (W2.8's other side), while the same person's
  line in service with no known activation (L-NOACT) is not re-derived.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from remedy.dbt_runner import run_dbt
from remedy.landing import write_empty_tables, write_table
from remedy.settings import restricted_path

pytestmark = pytest.mark.slow

BASE_DAY = "2025-08-31"


def customer(customer_id: str) -> dict:
    return dict(customer_id=customer_id, person_key=f"P-{customer_id}",
                customer_type="individual", full_name="홍길동", birth_date="1970-05-05",
                created_at="2019-12-01 09:00:00")


def line(line_id: str, customer_id: str, activated_at: str = "2020-01-01 10:00:00") -> dict:
    return dict(line_id=line_id, customer_id=customer_id, msisdn="010-1234-5678",
                network="kt", line_class="phone", payment_type="postpaid",
                activated_at=activated_at)


def event(event_id: str, line_id: str, event_type: str, at: str, **extra) -> dict:
    row = dict(event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
               channel="store", port_out_to=None)
    row.update(extra)
    return row


def agreement(line_id: str) -> dict:
    return dict(agreement_id=f"AG-{line_id}", line_id=line_id,
                agreement_type="device_subsidy", start_date="2024-06-15", term_months=24,
                subsidy_krw=600_000, monthly_discount_krw=None)


def charge(charge_id: str, line_id: str, termination_event_id: str) -> dict:
    return dict(charge_id=charge_id, line_id=line_id,
                termination_event_id=termination_event_id, component="subsidy_clawback",
                billed_krw=300_000, paid_krw=300_000, billed_on="2025-12-20")


LINES = ["L-TERM", "L-CONF", "L-DUP", "L-ACTIVE"]

DELIVERIES: dict[str, dict[str, list[dict]]] = {
    BASE_DAY: {
        "customers": [customer(f"C-{name}") for name in LINES + ["L-LATE"]],
        # L-SIBLING: L-TERM's customer's second line, in service throughout; L-AUG its
        # third, activated at the last instant before the waiver window opens; L-NOACT a
        # line in service whose activation time was never delivered (no activated_at, no
        # activation event)
        "lines": [line(name, f"C-{name}") for name in LINES]
        + [line("L-SIBLING", "C-L-TERM"),
           line("L-AUG", "C-L-TERM", activated_at="2025-08-31 23:59:59"),
           line("L-NOACT", "C-L-TERM", activated_at=None)],
        "contract_events": [event(f"E-ACT-{name}", name, "activation",
                                  "2020-01-01 10:00:00") for name in LINES + ["L-SIBLING"]]
        + [event("E-ACT-L-AUG", "L-AUG", "activation", "2025-08-31 23:59:59")],
        "agreements": [agreement(name) for name in LINES],
    },
    "2025-12-20": {
        "contract_events": [
            event("E-TERM", "L-TERM", "termination", "2025-12-20 11:00:00"),
            event("E-DEV-CONF", "L-CONF", "device_change", "2025-10-01 09:00:00"),
            event("E-TERM-CONF", "L-CONF", "termination", "2025-12-20 12:00:00"),
            event("E-TERM-DUP", "L-DUP", "port_out", "2025-12-20 13:00:00",
                  port_out_to="skt"),
            event("E-ACT-L-SEPT", "L-SEPT", "activation", "2025-09-01 00:00:00"),
        ],
        # L-SEPT: L-TERM's customer's fourth line, activated at the window's first
        # instant (delivered late, with the day's terminations)
        "lines": [line("L-SEPT", "C-L-TERM", activated_at="2025-09-01 00:00:00")],
        "penalty_charges": [
            charge("PC-TERM", "L-TERM", "E-TERM"),
            charge("PC-CONF", "L-CONF", "E-TERM-CONF"),
            charge("PC-DUP", "L-DUP", "E-TERM-DUP"),
        ],
    },
    "2025-12-21": {
        # at-least-once delivery: yesterday's port-out once more, identical
        "contract_events": [event("E-TERM-DUP", "L-DUP", "port_out", "2025-12-20 13:00:00",
                                  port_out_to="skt")],
    },
    "2025-12-22": {
        # the device change of day 1 again, with another time: a conflict
        "contract_events": [event("E-DEV-CONF", "L-CONF", "device_change",
                                  "2025-10-02 09:00:00")],
        # a line without a line_id, of a customer no delivery of the day names: quarantined
        # as null_key, and not as an orphan (its customer is accepted)
        "lines": [dict(line("L-NOKEY", "C-L-ACTIVE"), line_id=None)],
        # R6: an application of a customer without a line yet (no_population_line) - until
        # L-LATE arrives on 12-24 and the application enrols the customer
        "insurance_applications": [dict(application_id="IA-LATE", customer_id="C-L-LATE",
                                        applied_at="2025-12-22 10:00:00")],
    },
    "2025-12-23": {
        "contract_events": [
            event("E-ACT-L-LATE", "L-LATE", "activation", "2025-05-01 10:00:00"),
            # a second terminating event of L-TERM, later than the published one
            event("E-TERM-2", "L-TERM", "port_out", "2025-12-23 10:00:00",
                  port_out_to="lgu"),
        ],
    },
    "2025-12-24": {
        "lines": [line("L-LATE", "C-L-LATE", activated_at="2025-05-01 10:00:00"),
                  line("L-REJOIN", "C-REJOIN", activated_at="2025-12-24 09:00:00")],
        # the same person as C-L-DUP under a new customer record
        "customers": [dict(customer("C-REJOIN"), person_key="P-C-L-DUP",
                           created_at="2025-12-24 08:00:00")],
        "contract_events": [event("E-ACT-L-REJOIN", "L-REJOIN", "activation",
                                  "2025-12-24 09:00:00")],
    },
    "2026-01-15": {
        "refund_applications": [dict(
            application_id="RA-TERM", line_id="L-TERM", channel="web",
            applied_at="2026-01-15 10:00:00", account_holder_matches=True,
            holder_exception=None, hardship_reason=None, hardship_ended_on=None,
            bank_account_token="TOKEN")],
        # rewards that grant nothing (R2, R3, R4): suspended at the March grant, a pass
        # bought before the roaming window, a choice of a service outside the program
        "contract_events": [
            event("E-SUSP", "L-ACTIVE", "suspension", "2026-02-20 10:00:00"),
            event("E-SUSP-END", "L-ACTIVE", "suspension_end", "2026-03-05 10:00:00"),
            event("E-ACT-L-AFTER", "L-AFTER", "activation", "2026-01-14 00:00:00"),
        ],
        # W2.8's other side: L-TERM's person opens a line at 2026-01-14 00:00 KST, the
        # first instant after the waiver window (delivered a day late): L-TERM is
        # re-derived and stays eligible
        "customers": [dict(customer("C-AFTER"), person_key="P-C-L-TERM",
                           created_at="2026-01-14 00:00:00")],
        "lines": [line("L-AFTER", "C-AFTER", activated_at="2026-01-14 00:00:00")],
        "roaming_passes": [dict(purchase_id="RP-EARLY", line_id="L-ACTIVE",
                                pass_code="pass-1gb", base_data_mb=1000,
                                purchased_at="2026-02-10 10:00:00")],
        "ott_choices": [dict(choice_id="OC-NETFLIX", line_id="L-ACTIVE", service="netflix",
                             chosen_at="2026-01-15 10:00:00")],
    },
}


def deliver(landing: Path, day: str) -> None:
    for table, rows in DELIVERIES[day].items():
        write_table(landing, table, rows, file_name=f"{day}.parquet")


PUBLISHED_EXCLUDED = {"rpt_builds", "rpt_deliveries"}


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every published table (but the build logs) and the quarantine."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute(f"attach '{restricted_path(db_path)}' as restricted (read_only)")
        tables = [name for (name,) in con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name = 'main' "
            "order by 1").fetchall() if name not in PUBLISHED_EXCLUDED]
        rows = {name: sorted(con.execute(f"select * from main.{name}").fetchall(), key=repr)
                for name in tables}
        rows["quarantine"] = sorted(con.execute(
            "select * exclude (quarantined_row_id) from restricted.quarantine.quarantined_rows"
        ).fetchall(), key=repr)
    return rows


def one(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute(f"attach '{restricted_path(db_path)}' as restricted (read_only)")
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def replay(tmp_path_factory, build):
    """Build after each delivery day; a full rebuild of the same landing at checkpoints."""
    work = tmp_path_factory.mktemp("replay")
    landing = work / "raw"
    deliver(landing, BASE_DAY)
    write_empty_tables(landing)
    states = {}
    for day in DELIVERIES:
        if day != BASE_DAY:
            deliver(landing, day)
        incremental = build(landing, work)
        states[day] = {"incremental": snapshot(incremental)}
        if day in ("2025-12-22", "2026-01-15"):
            # a database of the same name in its own folder: the suite's parse of the
            # project is reused (remedy.dbt_runner keys it by the database's name)
            full_work = work / f"full-{day}"
            full_work.mkdir()
            states[day]["full"] = snapshot(build(landing, full_work))
        states[day]["probe"] = incremental
    return states, work / "warehouse.duckdb"


def test_every_day_builds_incrementally_after_the_first(replay):
    _, db_path = replay
    builds = one(db_path, "select build_seq, full_refresh, status, new_files "
                          "from main.rpt_builds order by 1")
    assert [row[0] for row in builds] == list(range(1, len(DELIVERIES) + 1))
    assert all(row[2] == "success" for row in builds)
    # full_refresh: the first build starts from scratch (build_state.sql), the others not
    assert [row[1] for row in builds] == [True] + [False] * (len(DELIVERIES) - 1)


@pytest.mark.parametrize("day", ["2025-12-22", "2026-01-15"])
def test_incremental_equals_full_rebuild(replay, day):
    states, _ = replay
    incremental, full = states[day]["incremental"], states[day]["full"]
    assert incremental.keys() == full.keys()
    for table in full:
        assert incremental[table] == full[table], table


def test_identical_redelivery_is_collapsed_and_counted(replay):
    states, db_path = replay
    counts = one(db_path, "select raw_rows, accepted_rows, collapsed_duplicate_rows, "
                          "quarantined_rows from main.rpt_source_row_counts "
                          "where source_table = 'contract_events'")
    raw, accepted, collapsed, quarantined = counts[0]
    assert raw == accepted + collapsed + quarantined
    assert one(db_path, "select delivered_rows from main.fct_contract_events "
                        "where event_id = 'E-TERM-DUP'") == [(2,)]


def test_a_conflicting_redelivery_quarantines_every_version_and_the_marts_follow(replay):
    states, db_path = replay
    before = states["2025-12-21"]["incremental"]
    assert ("L-CONF",) in [(row[0],) for row in before["fct_waiver_eligibility"]
                           if row[6] == "device_change_since_base_date"]
    assert one(db_path, "select source_file, quarantine_reason "
                        "from restricted.quarantine.quarantined_rows "
                        "where record_key = 'E-DEV-CONF' order by 1") == [
        ("contract_events/2025-12-20.parquet", "conflicting_duplicate_key"),
        ("contract_events/2025-12-22.parquet", "conflicting_duplicate_key"),
    ]
    assert one(db_path, "select waiver_status, exclusion_reason from "
                        "main.fct_waiver_eligibility where line_id = 'L-CONF'") == [
        ("eligible", None)]


def test_a_row_without_its_key_is_judged_against_its_own_parent(replay):
    """Rows without a line_id share the partition chr(0) whatever their customer: an
    incremental build must look their customers up too, or it calls them orphans where
    a full build does not (stg_landing__lines_versions, macros/landing/rules/lines.sql)."""
    states, db_path = replay
    for day in ("2025-12-22", "2026-01-15"):
        assert [row[3] for row in states[day]["incremental"]["quarantine"]
                if row[0] == "lines" and row[1] is None] == [["null_key"]], day


def test_an_orphan_is_accepted_once_its_parent_arrives(replay):
    states, db_path = replay
    quarantined = states["2025-12-23"]["incremental"]["quarantine"]
    assert any(row[1] == "E-ACT-L-LATE" and row[2] == "orphan" for row in quarantined)
    assert one(db_path, "select event_type from main.fct_contract_events "
                        "where event_id = 'E-ACT-L-LATE'") == [("activation",)]
    assert one(db_path, "select count(*) from restricted.quarantine.quarantined_rows "
                        "where record_key = 'E-ACT-L-LATE'") == [(0,)]


def test_a_later_second_terminating_event_is_quarantined(replay):
    _, db_path = replay
    assert one(db_path, "select quarantine_reason from restricted.quarantine.quarantined_rows "
                        "where record_key = 'E-TERM-2'") == [("second_terminating_event",)]
    assert one(db_path, "select termination_event_id from main.fct_waiver_eligibility "
                        "where line_id = 'L-TERM'") == [("E-TERM",)]


def test_a_later_line_of_the_same_person_excludes_an_untouched_line_as_rejoined(replay):
    """W2.8 on an incremental build: the delivery of 12-24 names L-REJOIN and C-REJOIN
    only, yet L-DUP (C-L-DUP, same person) is re-derived and excluded."""
    states, db_path = replay
    eligibility = "fct_waiver_eligibility"
    day3 = {row[0]: row for row in states["2025-12-23"]["incremental"][eligibility]}
    assert day3["L-DUP"][5] == "eligible"
    assert one(db_path, "select waiver_status, exclusion_reason from "
                        "main.fct_waiver_eligibility where line_id = 'L-DUP'") == [
        ("excluded", "rejoined")]


def test_a_line_of_the_same_person_after_the_window_does_not_exclude(replay):
    """W2.8, the other side on an incremental build: the delivery of 01-15 names L-AFTER
    (activated 2026-01-14 00:00:00 KST) and C-AFTER only; L-TERM, same person, is
    re-derived (it is among the lines the build replaced) and stays eligible."""
    _, db_path = replay
    # L-TERM is re-derived for W2.8; L-SIBLING, the same customer's line in service since
    # 2020, could not change and is not (stg_landing__affected_lines); nor is L-NOACT, in
    # service with no known activation: W2.8 can read neither side of it (it is not
    # terminated, and no activation time can fall inside the window)
    assert one(db_path, "select partition_key from restricted.staging.stg_landing__affected_lines "
                        "where partition_key in ('L-TERM', 'L-SIBLING', 'L-NOACT', 'L-AFTER') "
                        "order by 1") == [("L-AFTER",), ("L-TERM",)]
    assert one(db_path, "select activated_at_kst, terminated_date, reward_population_reason "
                        "from main.dim_lines where line_id = 'L-NOACT'") == [
        (None, None, "no_activation_time")]
    assert one(db_path, "select activated_at_kst from main.dim_lines "
                        "where line_id = 'L-AFTER'") == [
        (dt.datetime(2026, 1, 14, 0, 0),)]
    assert one(db_path, "select waiver_status, exclusion_reason from "
                        "main.fct_waiver_eligibility where line_id = 'L-TERM'") == [
        ("eligible", None)]


def test_a_persons_lines_are_re_derived_from_the_waiver_windows_first_day(replay):
    """stg_landing__affected_lines, both sides of its cut-off: of an affected person's
    lines in service, the build of 01-15 re-derives the one activated at 2025-09-01
    00:00:00 KST (W2.8 could read it: waiver_window_start_date) and not the one activated
    a second earlier."""
    _, db_path = replay
    assert one(db_path, "select activated_at_kst from main.dim_lines "
                        "where line_id in ('L-AUG', 'L-SEPT') order by 1") == [
        (dt.datetime(2025, 8, 31, 23, 59, 59),),
        (dt.datetime(2025, 9, 1, 0, 0),)]
    assert one(db_path, "select partition_key from restricted.staging.stg_landing__affected_lines "
                        "where partition_key in ('L-AUG', 'L-SEPT')") == [("L-SEPT",)]


def test_a_termination_enters_the_population_and_an_application_schedules_it(replay):
    states, db_path = replay
    assert not [row for row in states[BASE_DAY]["incremental"]["fct_waiver_eligibility"]]
    day1 = {row[0]: row for row in states["2025-12-20"]["incremental"]["fct_refund_assignments"]}
    assert day1["L-TERM"][4] == "not_applied"
    assert one(db_path, "select assignment_status, refund_wave, payout_date, refund_krw "
                        "from main.fct_refund_assignments where line_id = 'L-TERM'") == [
        ("scheduled", 1, __import__("datetime").date(2026, 1, 22), 300_000)]


def test_reward_determinations_follow_the_deliveries(replay):
    """fct_reward_determinations re-derives the lines and customers a delivery touched: the
    insurance application turned down while its customer had no line is gone once the line
    arrives (the customer is insured on it), and what L-ACTIVE did not get is listed."""
    states, db_path = replay
    # columns: determination_id, rule_id, benefit, line_id, customer_id, grant_number,
    # request_id, is_granted, reason, ...
    before = states["2025-12-22"]["incremental"]["fct_reward_determinations"]
    assert [(row[2], row[6], row[8]) for row in before if row[4] == "C-L-LATE"] == [
        ("safety_insurance", "IA-LATE", "no_population_line")]
    assert one(db_path, "select reason from main.fct_reward_determinations "
                        "where customer_id = 'C-L-LATE'") == []
    assert one(db_path, "select detail from main.fct_reward_entitlements "
                        "where benefit = 'safety_insurance' and customer_id = 'C-L-LATE'"
               ) == [("application",)]
    assert one(db_path, "select benefit, grant_number, request_id, reason "
                        "from main.fct_reward_determinations where line_id = 'L-ACTIVE' "
                        "order by 1") == [
        ("data_bonus", 2, None, "suspended_at_grant"),
        ("ott_voucher", None, "OC-NETFLIX", "unknown_service"),
        ("roaming_bonus", None, "RP-EARLY", "outside_roaming_window"),
    ]


def compiled_test(work: Path, test_name: str) -> str:
    (found,) = (work / "warehouse-target" / "compiled").rglob(f"{test_name}.sql")
    return found.read_text()


def test_an_incremental_build_tests_only_the_partitions_it_replaced(replay):
    """macros/tests/get_where_subquery.sql: on an incremental build the tests of a
    partition-replacing model (dim_lines) and of a per-line view that declares its
    partitions (int_lines_timed) read the affected lines only, from the slice the build
    wrote (the same rows: test_a_slice_holds_exactly_the_partitions_its_model_replaced);
    a table kept by line and customer, through both kinds' filters. On a build from
    scratch, and for a table rebuilt whole (rpt_deliveries), they read every row."""
    _, db_path = replay
    work = db_path.parent
    for test_name, slice_name in (("unique_dim_lines_line_id", "dim_lines"),
                                  ("unique_int_lines_timed_line_id", "int_lines_timed")):
        narrowed = compiled_test(work, test_name)
        assert "stg_landing__affected_lines" in narrowed, test_name
        assert f'"slices"."{slice_name}"' in narrowed, test_name
        from_scratch = compiled_test(work / "full-2026-01-15", test_name)
        assert "stg_landing__affected" not in from_scratch, test_name
        assert "slices" not in from_scratch, test_name
    # kept by line and customer: its slice, read through both kinds' filters
    by_line_and_customer = compiled_test(work, "unique_fct_reward_entitlements_entitlement_id")
    assert "stg_landing__affected_lines" in by_line_and_customer
    assert "stg_landing__affected_customers" in by_line_and_customer
    assert '"slices"."fct_reward_entitlements"' in by_line_and_customer
    assert '"main"."fct_reward_entitlements"' not in by_line_and_customer
    assert "stg_landing__affected" not in compiled_test(
        work, "unique_rpt_deliveries_file_path")


@pytest.mark.parametrize(("line_id", "tampering", "grants", "failures"), [
    # in service, untouched by the last delivery: its six grants were tested when written
    ("L-SIBLING", "quantity = quantity + 1", 6, 0),
    # re-derived by the last delivery (its events, pass and choice): five grants, the
    # March grant withheld by its suspension (R2), each one off the seed
    ("L-ACTIVE", "quantity = quantity + 1", 5, 5),
    # the same five grants a day after their seed grant dates: no seed date, no grant
    ("L-ACTIVE", "period_start = period_start + 1", 5, 5),
    # the same five grants in another unit than the seed's
    ("L-ACTIVE", "unit = unit || '-other'", 5, 5),
])
def test_r2_data_grant_check_reads_the_lines_a_build_re_derived(replay, tmp_path, line_id,
                                                                 tampering, grants,
                                                                 failures):
    """R2, assert_data_bonus_follows_grant_seed: every data grant is dated on a seed grant
    date and carries its seed quantity. On an incremental build it reads the lines the
    build re-derived: a grant off the seed there fails, one of an untouched line is not
    read."""
    _, db_path = replay
    copy = tmp_path / db_path.name
    shutil.copy(db_path, copy)
    shutil.copy(restricted_path(db_path), restricted_path(copy))
    with duckdb.connect(str(copy)) as con:
        (tampered,) = con.execute(
            f"update main.fct_reward_entitlements set {tampering} "
            "where benefit = 'data_bonus' and line_id = ?", [line_id]).fetchone()
    assert tampered == grants
    result = run_dbt(["test", "--select", "assert_data_bonus_follows_grant_seed"],
                     raw_dir=db_path.parent / "raw", duckdb_path=copy,
                     target_path=tmp_path / "target", log_path=tmp_path / "logs",
                     quiet=True)
    assert result.success is (failures == 0), result.failures
    if failures:
        assert f"Got {failures} result" in result.failures[0]


def compiled_model(work: Path, model_name: str) -> str:
    (found,) = (work / "warehouse-target" / "compiled").rglob(f"{model_name}.sql")
    return found.read_text()


def in_partitions(column: str, kind: str) -> str:
    return (f"coalesce({column}, chr(0)) in ("
            f"select partition_key from restricted.staging.stg_landing__affected_{kind})")


@pytest.mark.parametrize(("database", "model", "replaced"), [
    ("restricted", "staging.stg_landing__lines", in_partitions("line_id", "lines")),
    ("restricted", "intermediate.int_line_events_summarised",
     in_partitions("line_id", "lines")),
    ("warehouse", "main.dim_lines", in_partitions("line_id", "lines")),
    ("warehouse", "main.dim_customers", in_partitions("customer_id", "customers")),
    # kept by line and customer: a row belongs to its line, or to its customer when it
    # has none (its slice is read by its tests only)
    ("warehouse", "main.fct_reward_entitlements",
     "line_id in (select partition_key from restricted.staging.stg_landing__affected_lines)"
     f" or (line_id is null and {in_partitions('customer_id', 'customers')})"),
    # views kept by line (partition_view): their slice is the view over their inputs'
    ("restricted", "intermediate.int_lines_timed", in_partitions("line_id", "lines")),
    ("restricted", "intermediate.int_reward_population_selected",
     in_partitions("line_id", "lines")),
    ("restricted", "intermediate.int_lines_joined_to_customers",
     in_partitions("line_id", "lines")),
    ("restricted", "intermediate.int_data_grants_allocated", in_partitions("line_id", "lines")),
])
def test_a_slice_holds_exactly_the_partitions_its_model_replaced(replay, database, model,
                                                                 replaced):
    """macros/incremental/replace_partitions.sql: after an incremental build a
    partition-replacing model keeps, in schema `slices` of its own database, the rows it
    wrote: every row of its table in the partitions the build replaced, and no other. A
    view kept by line has a slice that is the view over its inputs' slices: the same
    rows as the view's in those partitions."""
    _, db_path = replay
    schema, name = model.split(".")
    in_table = one(db_path, f"""
        select * from {database}.{schema}.{name}
        where {replaced}
        order by all""")
    in_slice = one(db_path, f"select * from {database}.slices.{name} order by all")
    assert in_table, model
    assert in_slice == in_table, model


def test_a_daily_build_reads_the_slices_of_the_models_it_ran(replay):
    """affected_rows: on an incremental build a model reads its inputs' slices when they
    are kept by the same partitions and ran in the same invocation: a table that replaces
    them, or a view kept by them whose slice reads its inputs' slices (partition_view);
    a table kept otherwise (by line and customer) is filtered to the affected keys; a
    build from scratch reads everything."""
    _, db_path = replay
    work = db_path.parent
    dimension = compiled_model(work, "dim_lines")
    assert '"slices"."stg_landing__lines"' in dimension
    assert '"slices"."int_line_events_summarised"' in dimension
    entitlements = compiled_model(work, "fct_reward_entitlements")
    assert '"slices"."int_data_grants_allocated"' in entitlements  # a view's slice
    assert '"intermediate"."int_data_grants_allocated"' not in entitlements
    # the view's slice reads its line-kept inputs' slices and its lookups whole (DuckDB
    # keeps a view's SQL unquoted)
    (view_sql,) = one(db_path, "select sql from duckdb_views() "
                               "where schema_name = 'slices' "
                               "and view_name = 'int_data_grants_allocated'")[0]
    assert "slices.int_reward_population_selected" in view_sql.replace('"', '')
    assert "slices.int_line_suspensions_at_grants" in view_sql.replace('"', '')
    assert "program.stg_program__data_grants" in view_sql.replace('"', '')
    (view_sql,) = one(db_path, "select sql from duckdb_views() "
                               "where schema_name = 'slices' "
                               "and view_name = 'int_lines_joined_to_customers'")[0]
    assert "slices.int_lines_timed" in view_sql.replace('"', '')
    # a lookup by customer, read whole
    assert "staging.stg_landing__customers" in view_sql.replace('"', '')
    assert '"slices"' in compiled_test(work, "unique_int_lines_timed_line_id")
    assert "slices" not in compiled_model(work / "full-2026-01-15", "dim_lines")
    assert "slices" not in compiled_model(work / "full-2026-01-15", "fct_reward_entitlements")
    # a table kept by line and customer has a slice, for its tests: its reader by
    # customer needs the rows of the customer's lines this build did not replace, so it
    # filters the table
    by_customer = compiled_model(work, "int_reward_entitlements_by_customer")
    assert '"main"."fct_reward_entitlements"' in by_customer
    assert '"slices"."fct_reward_entitlements"' not in by_customer
    assert "stg_landing__affected_customers" in by_customer


def test_a_model_outside_the_invocation_is_not_read_from_its_slice(replay, tmp_path):
    """A slice is current only in the invocation that wrote it: a model selected without
    its inputs (here compiled alone) filters their tables to the affected keys."""
    _, db_path = replay
    copy = tmp_path / db_path.name
    shutil.copy(db_path, copy)
    shutil.copy(restricted_path(db_path), restricted_path(copy))
    result = run_dbt(["compile", "--select", "dim_lines", "fct_reward_entitlements"],
                     raw_dir=db_path.parent / "raw", duckdb_path=copy,
                     target_path=tmp_path / "target", log_path=tmp_path / "logs",
                     quiet=True)
    assert result.success
    (found,) = (tmp_path / "target" / "compiled").rglob("dim_lines.sql")
    alone = found.read_text()
    assert "slices" not in alone
    assert '"staging"."stg_landing__lines"' in alone
    assert "stg_landing__affected_lines" in alone
    # a view outside the selection has no slice of this invocation either
    (found,) = (tmp_path / "target" / "compiled").rglob("fct_reward_entitlements.sql")
    entitlements = found.read_text()
    assert "slices" not in entitlements
    assert '"intermediate"."int_data_grants_allocated"' in entitlements


SLICES = ("select database_name, table_name from duckdb_tables() where schema_name = 'slices' "
          "union all select database_name, view_name from duckdb_views() "
          "where schema_name = 'slices' order by all")


def test_a_full_refresh_drops_the_last_daily_builds_slices(replay, tmp_path):
    """`--full-refresh` starts over: no slice of the last daily build survives it in
    either database (a build from scratch writes none), so nothing can read a day's rows
    of the state it replaced."""
    _, db_path = replay
    copy = tmp_path / db_path.name
    shutil.copy(db_path, copy)
    shutil.copy(restricted_path(db_path), restricted_path(copy))
    before = one(copy, SLICES)
    assert ("restricted", "stg_landing__lines") in before
    assert ("warehouse", "dim_lines") in before
    assert ("restricted", "int_lines_timed") in before  # a view's slice
    result = run_dbt(["build", "--full-refresh"], raw_dir=db_path.parent / "raw",
                     duckdb_path=copy, target_path=tmp_path / "target",
                     log_path=tmp_path / "logs", quiet=True)
    assert result.success
    assert one(copy, SLICES) == []
    assert one(copy, "select full_refresh from main.rpt_builds "
                     "order by build_seq desc limit 1") == [(True,)]
