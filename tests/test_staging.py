"""Staging, quarantine and the line models (issue 2) on a hand-written landing directory.

Every quarantine reason is triggered on purpose; each test names what it checks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from remedy.contract import TABLES
from remedy.landing import write_table

ACTIVE = "2020-01-01 10:00:00"


def accepted_store(table: str) -> str:
    """Where a landing table's accepted rows live (events: the published mart)."""
    if table == "contract_events":
        return "main.fct_contract_events"
    return f"restricted.staging.stg_landing__{table}"


def customer(customer_id: str, **overrides) -> dict:
    row = dict(customer_id=customer_id, person_key=f"P-{customer_id}",
               customer_type="individual", full_name="홍길동", birth_date="1970-05-05",
               created_at="2019-12-01 09:00:00")
    row.update(overrides)
    return row


def line(line_id: str, customer_id: str = "C-OK", **overrides) -> dict:
    row = dict(line_id=line_id, customer_id=customer_id, msisdn="010-1234-5678",
               network="kt", line_class="phone", payment_type="postpaid",
               activated_at=ACTIVE)
    row.update(overrides)
    return row


def event(event_id: str, line_id: str, event_type: str, at: str, **overrides) -> dict:
    row = dict(event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
               channel="store", port_out_to=None)
    row.update(overrides)
    return row


def activation(line_id: str, at: str = ACTIVE) -> dict:
    return event(f"E-ACT-{line_id}", line_id, "activation", at)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staging") / "raw"
    write_table(root, "customers", [
        customer("C-OK"),
        customer("C-OK"),  # exact duplicate: collapsed, not quarantined
        customer(None),  # null_key
        customer("C-CONFLICT", full_name="A"),
        customer("C-CONFLICT", full_name="B"),  # conflicting_duplicate_key (both)
        customer("C-NOTYPE", customer_type=None),  # missing_required_field
        customer("C-ROBOT", customer_type="robot"),  # unknown_code
    ])
    # A second delivery file repeating a row of the first (at-least-once delivery).
    write_table(root, "customers", [customer("C-OK")], file_name="part-0001.parquet")
    write_table(root, "lines", [
        line("L-OK"),
        line("L-MIDNIGHT"),
        line("L-MISMATCH", activated_at="2020-01-02 10:00:00"),
        line("L-SUSP"),
        line("L-TWICE"),
        line("L-ORPHAN", customer_id="C-MISSING"),  # orphan: customer missing
        line("L-ORPHAN-Q", customer_id="C-CONFLICT"),  # orphan: customer quarantined
        line("L-BADCLASS", line_class="toaster"),  # unknown_code
        line("L-NONET", network=None),  # missing_required_field
    ])
    write_table(root, "contract_events", [
        activation("L-OK"),
        activation("L-MIDNIGHT"),
        # KST midnight: 14:59:59Z is 23:59:59 on 2026-01-13, 15:00:00Z is 00:00 on 01-14.
        event("E-BEFORE-MIDNIGHT", "L-MIDNIGHT", "plan_change", "2026-01-13 23:59:59"),
        event("E-AT-MIDNIGHT", "L-MIDNIGHT", "plan_change", "2026-01-14 00:00:00"),
        activation("L-MISMATCH"),
        activation("L-SUSP"),
        event("E-SUSP-1", "L-SUSP", "suspension", "2026-02-15 12:00:00"),
        event("E-SUSP-1-END", "L-SUSP", "suspension_end", "2026-04-10 08:00:00"),
        event("E-SUSP-TERM", "L-SUSP", "termination", "2026-06-20 18:30:00"),
        activation("L-TWICE"),
        event("E-TERM-1", "L-TWICE", "port_out", "2025-10-01 10:00:00", port_out_to="skt"),
        event("E-TERM-2", "L-TWICE", "termination", "2025-11-01 10:00:00"),  # second
        event("E-ORPHAN", "L-MISSING", "plan_change", "2025-10-01 10:00:00"),
        event("E-BADTYPE", "L-OK", "teleport", "2025-10-01 10:00:00"),
        event("E-PORT-NODEST", "L-OK", "port_out", "2025-10-01 10:00:00"),  # invalid_value
        event(None, "L-OK", "plan_change", "2025-10-01 10:00:00"),
    ])
    write_table(root, "agreements", [
        dict(agreement_id="A-OK", line_id="L-OK", agreement_type="device_subsidy",
             start_date="2024-03-15", term_months=24, subsidy_krw=600_000),
        dict(agreement_id="A-TERM36", line_id="L-OK", agreement_type="device_subsidy",
             start_date="2024-03-15", term_months=36, subsidy_krw=600_000),
        dict(agreement_id="A-NEG", line_id="L-OK", agreement_type="selective_discount",
             start_date="2024-03-15", term_months=12, monthly_discount_krw=-5),
        dict(agreement_id="A-NOSUB", line_id="L-OK", agreement_type="device_subsidy",
             start_date="2024-03-15", term_months=12),
        # orphan: no such line (the parent check as a membership test, with_parent_found)
        dict(agreement_id="A-ORPHAN", line_id="L-NOWHERE", agreement_type="device_subsidy",
             start_date="2024-03-15", term_months=24, subsidy_krw=600_000),
    ])
    charge = dict(line_id="L-TWICE", termination_event_id="E-TERM-1",
                  component="subsidy_clawback", billed_krw=100_000, paid_krw=50_000,
                  billed_on="2025-10-01")
    write_table(root, "penalty_charges", [
        dict(charge, charge_id="PC-OK"),
        dict(charge, charge_id="PC-OVERPAID", paid_krw=100_001),
        dict(charge, charge_id="PC-NEG", billed_krw=-1, paid_krw=0),
        dict(charge, charge_id="PC-BADCOMP", component="late_fee"),
        dict(charge, charge_id="PC-QUARANTINED-EVENT", termination_event_id="E-TERM-2"),
        dict(charge, charge_id="PC-OTHER-LINE", line_id="L-OK"),
    ])
    # A delivery whose money column arrived as text: one readable value, one not.
    text_money = pa.schema([
        field if field.name not in {"billed_krw", "paid_krw"} else pa.field(field.name, pa.string())
        for field in TABLES["penalty_charges"]
    ])
    pq.write_table(pa.table({
        "charge_id": ["PC-TEXT-OK", "PC-TEXT-BAD"], "line_id": ["L-TWICE", "L-TWICE"],
        "termination_event_id": ["E-TERM-1", "E-TERM-1"],
        "component": ["monthly_fee", "monthly_fee"], "billed_krw": ["12000", "twelve"],
        "paid_krw": ["0", "0"], "billed_on": [dt.date(2025, 10, 1)] * 2,
    }, schema=text_money), root / "penalty_charges" / "part-0001.parquet")
    application = dict(channel="web", applied_at="2026-01-15 10:00:00",
                       account_holder_matches=True, bank_account_token="tok")
    write_table(root, "refund_applications", [
        dict(application, application_id="RA-OK", line_id="L-TWICE"),
        dict(application, application_id="RA-UNKNOWN-LINE", line_id="L-NOWHERE"),
        dict(application, application_id="RA-Q-LINE", line_id="L-BADCLASS"),
        dict(application, application_id="RA-SYSTEM", line_id="L-TWICE", channel="system"),
    ])
    write_table(root, "roaming_passes", [
        dict(purchase_id="RP-OK", line_id="L-OK", pass_code="RM3GB", base_data_mb=3072,
             purchased_at="2026-03-01 00:00:00"),
        dict(purchase_id="RP-ZERO", line_id="L-OK", pass_code="RM0", base_data_mb=0,
             purchased_at="2026-03-01 00:00:00"),
        dict(purchase_id="RP-ORPHAN", line_id="L-NOWHERE", pass_code="RM3GB",
             base_data_mb=3072, purchased_at="2026-03-01 00:00:00"),
    ])
    write_table(root, "ott_choices", [
        dict(choice_id="OC-OK", line_id="L-OK", service="tving",
             chosen_at="2026-01-20 10:00:00"),
        dict(choice_id="OC-NETFLIX", line_id="L-OK", service="netflix",
             chosen_at="2026-01-20 10:00:00"),
        dict(choice_id="OC-ORPHAN", line_id="L-ORPHAN", service="tving",
             chosen_at="2026-01-20 10:00:00"),
    ])
    write_table(root, "insurance_applications", [
        dict(application_id="IA-OK", customer_id="C-OK", applied_at="2026-03-15 10:00:00"),
        dict(application_id="IA-ORPHAN", customer_id="C-NOBODY",
             applied_at="2026-03-15 10:00:00"),
    ])
    return root


@pytest.fixture(scope="module")
def warehouse(landing, tmp_path_factory, build) -> Path:
    return build(landing, tmp_path_factory.mktemp("staging-wh"))


EXPECTED_QUARANTINE = {
    ("customers", None, "null_key"),
    ("customers", "C-CONFLICT", "conflicting_duplicate_key"),
    ("customers", "C-NOTYPE", "missing_required_field"),
    ("customers", "C-ROBOT", "unknown_code"),
    ("lines", "L-ORPHAN", "orphan"),
    ("lines", "L-ORPHAN-Q", "orphan"),
    ("lines", "L-BADCLASS", "unknown_code"),
    ("lines", "L-NONET", "missing_required_field"),
    ("contract_events", "E-TERM-2", "second_terminating_event"),
    ("contract_events", "E-ORPHAN", "orphan"),
    ("contract_events", "E-BADTYPE", "unknown_code"),
    ("contract_events", "E-PORT-NODEST", "invalid_value"),
    ("contract_events", None, "null_key"),
    ("agreements", "A-TERM36", "invalid_value"),
    ("agreements", "A-NEG", "negative_amount"),
    ("agreements", "A-NOSUB", "missing_required_field"),
    ("agreements", "A-ORPHAN", "orphan"),
    ("penalty_charges", "PC-OVERPAID", "paid_exceeds_billed"),
    ("penalty_charges", "PC-NEG", "negative_amount"),
    ("penalty_charges", "PC-BADCOMP", "unknown_code"),
    ("penalty_charges", "PC-QUARANTINED-EVENT", "orphan"),
    ("penalty_charges", "PC-OTHER-LINE", "orphan"),
    ("penalty_charges", "PC-TEXT-OK", "invalid_type"),
    ("penalty_charges", "PC-TEXT-BAD", "invalid_type"),
    ("refund_applications", "RA-Q-LINE", "orphan"),
    ("refund_applications", "RA-SYSTEM", "unknown_code"),
    ("roaming_passes", "RP-ZERO", "invalid_value"),
    ("roaming_passes", "RP-ORPHAN", "orphan"),
    ("ott_choices", "OC-ORPHAN", "orphan"),
    ("insurance_applications", "IA-ORPHAN", "orphan"),
}


def test_every_quarantine_reason_is_triggered_and_named(warehouse, sql):
    rows = sql(warehouse, """
        select distinct source_table, record_key, quarantine_reason
        from restricted.quarantine.quarantined_rows
    """)
    assert set(rows) == EXPECTED_QUARANTINE
    reasons = {reason for _, _, reason in rows}
    seeded = {
        row[0]
        for row in sql(warehouse, "select quarantine_reason from program.ref_quarantine_reasons")
    }
    assert reasons == seeded, "every reason in ref_quarantine_reasons is exercised"


def test_conflicting_key_quarantines_every_version(warehouse, sql):
    rows = sql(warehouse, """
        select json_extract_string(raw_row, '$.full_name')
        from restricted.quarantine.quarantined_rows
        where source_table = 'customers' and record_key = 'C-CONFLICT'
        order by 1
    """)
    assert rows == [("A",), ("B",)]


def test_quarantined_row_names_file_row_and_fix(warehouse, sql, landing):
    [(source_file, row_number, fix)] = sql(warehouse, """
        select source_file, source_row_number, fix from restricted.quarantine.quarantined_rows
        where record_key = 'C-ROBOT'
    """)
    # the file relative to the landing directory: the same wherever RAW_DIR points
    assert source_file == "customers/part-0000.parquet"
    assert (landing / source_file).is_file()
    assert row_number == 6
    assert "reference" in fix


def test_quarantine_keeps_every_reason_in_precedence_order(warehouse, sql):
    # PC-NEG: billed -1 with paid 0 is both negative and paid > billed; the first wins.
    [(reasons,)] = sql(warehouse, """
        select quarantine_reasons from restricted.quarantine.quarantined_rows
        where record_key = 'PC-NEG'
    """)
    assert reasons == ["negative_amount", "paid_exceeds_billed"]


def test_second_terminating_event_first_one_stands_w1(warehouse, sql):
    rows = sql(warehouse, """
        select termination_event_id, termination_type, port_out_to, terminated_at_kst
        from restricted.intermediate.int_lines_joined_to_customers where line_id = 'L-TWICE'
    """)
    assert rows == [("E-TERM-1", "port_out", "skt", dt.datetime(2025, 10, 1, 10, 0))]


def test_text_in_a_money_column_is_quarantined_never_converted(warehouse, sql):
    # issue 10.1: '12000' as text is not read as 12000; both rows are invalid_type
    assert sql(warehouse, "select count(*) from restricted.staging.stg_landing__penalty_charges "
                          "where charge_id like 'PC-TEXT-%'") == [(0,)]
    rows = dict(sql(warehouse, "select record_key, quarantine_reasons "
                               "from restricted.quarantine.quarantined_rows "
                               "where record_key like 'PC-TEXT-%'"))
    assert rows == {"PC-TEXT-OK": ["invalid_type", "missing_required_field"],
                    "PC-TEXT-BAD": ["invalid_type", "missing_required_field"]}


def test_exact_duplicates_collapse_across_files(warehouse, sql):
    [(delivered,)] = sql(warehouse, """
        select delivered_rows from restricted.staging.stg_landing__customers
        where customer_id = 'C-OK'
    """)
    assert delivered == 3
    assert sql(warehouse, "select count(*) from restricted.staging.stg_landing__customers "
                          "where customer_id = 'C-OK'") == [(1,)]


def test_kst_conversion_on_both_sides_of_midnight(warehouse, sql, landing):
    stored = {
        row["event_id"]: row["event_at"]
        for row in pq.read_table(landing / "contract_events").to_pylist()
        if row["event_id"] in {"E-BEFORE-MIDNIGHT", "E-AT-MIDNIGHT"}
    }
    assert stored["E-BEFORE-MIDNIGHT"] == dt.datetime(2026, 1, 13, 14, 59, 59, tzinfo=dt.UTC)
    assert stored["E-AT-MIDNIGHT"] == dt.datetime(2026, 1, 13, 15, 0, 0, tzinfo=dt.UTC)
    rows = sql(warehouse, """
        select event_id, event_at_kst, event_date from main.fct_contract_events
        where event_id in ('E-BEFORE-MIDNIGHT', 'E-AT-MIDNIGHT') order by event_id
    """)
    assert rows == [
        ("E-AT-MIDNIGHT", dt.datetime(2026, 1, 14, 0, 0), dt.date(2026, 1, 14)),
        ("E-BEFORE-MIDNIGHT", dt.datetime(2026, 1, 13, 23, 59, 59), dt.date(2026, 1, 13)),
    ]


def test_activation_event_wins_over_lines_activated_at(warehouse, sql):
    rows = sql(warehouse, """
        select activated_at_kst, line_activated_at_kst, has_activation_mismatch
        from restricted.intermediate.int_lines_joined_to_customers where line_id = 'L-MISMATCH'
    """)
    assert rows == [(dt.datetime(2020, 1, 1, 10), dt.datetime(2020, 1, 2, 10), True)]
    assert sql(warehouse, "select accepted_with_disagreement_rows from main.rpt_source_row_counts "
                          "where source_table = 'lines'") == [(1,)]


def test_r2_suspension_across_grant_dates(warehouse, sql):
    # L-SUSP is suspended 2026-02-15 12:00 .. 2026-04-10 08:00 KST and terminated
    # 2026-06-20 18:30: no grant on 03-01 and 04-01 (suspended at 00:00), none from 07-01.
    rows = sql(warehouse, """
        select grant_number from restricted.intermediate.int_line_suspensions_at_grants
        where line_id = 'L-SUSP' order by 1
    """)
    assert rows == [(2,), (3,)]
    granted = sql(warehouse, """
        select period_start from main.fct_reward_entitlements
        where line_id = 'L-SUSP' and benefit = 'data_bonus' order by 1
    """)
    assert granted == [(dt.date(2026, 2, 1),), (dt.date(2026, 5, 1),), (dt.date(2026, 6, 1),)]


def test_raw_rows_equal_accepted_plus_duplicates_plus_quarantined(warehouse, sql, landing):
    counts = {
        table: (raw, accepted, duplicates, quarantined)
        for table, raw, accepted, duplicates, quarantined in sql(
            warehouse, "select source_table, raw_rows, accepted_rows, collapsed_duplicate_rows, "
                       "quarantined_rows from main.rpt_source_row_counts")
    }
    assert set(counts) == set(TABLES)
    for table in TABLES:
        raw_in_files = sum(pq.ParquetFile(path).metadata.num_rows
                           for path in (landing / table).glob("*.parquet"))
        raw, accepted, duplicates, quarantined = counts[table]
        assert raw == raw_in_files, table
        assert raw == accepted + duplicates + quarantined, table
        [(accepted_rows,)] = sql(
            warehouse, f"select count(*) from {accepted_store(table)}")
        [(quarantined_rows,)] = sql(
            warehouse,
            "select count(*) from restricted.quarantine.quarantined_rows "
            f"where source_table = '{table}'")
        assert (accepted_rows, quarantined_rows) == (accepted, quarantined), table
    assert counts["customers"] == (8, 1, 2, 5)


def test_unknown_line_on_application_is_not_quarantined(warehouse, sql):
    # A6: the front end may send a line that does not exist; that is an outcome, not a breach.
    assert sql(warehouse, "select count(*) from "
                          "restricted.staging.stg_landing__refund_applications "
                          "where application_id = 'RA-UNKNOWN-LINE'") == [(1,)]


def test_ott_service_outside_the_list_is_accepted_for_r4(warehouse, sql):
    assert sql(warehouse, "select service from restricted.staging.stg_landing__ott_choices "
                          "where choice_id = 'OC-NETFLIX'") == [("netflix",)]


def test_no_pii_in_published_marts(warehouse, sql):
    pii = {"full_name", "msisdn", "birth_date", "bank_account_token"}
    columns = {row[0] for row in sql(warehouse, """
        select column_name from information_schema.columns where table_schema = 'main'
    """)}
    assert not columns & pii
