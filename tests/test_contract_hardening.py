"""Nothing coerced, nothing stops the build (issue 10, points 1-3).

One hand-made landing directory holds every kind of bad value and bad file: values of
another type than SOURCE_CONTRACT.md gives (quarantined as invalid_type, shown as the
text that was delivered, never converted), nanosecond instants on both sides of KST
cut-offs, files that cannot be read as their table (set aside whole, listed with reason
and fix), entries the contract does not name (ignored, listed), and the rule readings of
point 3 (P3 exact in BIGINT, null person_key, hardship without its end, a business with a
birth date). The warehouse builds and every delivered row is accounted for.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from remedy.contract import TABLES
from remedy.landing import kst, write_empty_tables, write_table

pytestmark = pytest.mark.slow

UTC_NS = pa.timestamp("ns", tz="UTC")


def customer(customer_id: str, **overrides) -> dict:
    row = dict(customer_id=customer_id, person_key=f"P-{customer_id}",
               customer_type="individual", full_name="홍길동", birth_date="1970-05-05",
               created_at="2019-12-01 09:00:00")
    row.update(overrides)
    return row


def line(line_id: str, customer_id: str, **overrides) -> dict:
    row = dict(line_id=line_id, customer_id=customer_id, msisdn="010-1234-5678",
               network="kt", line_class="phone", payment_type="postpaid",
               activated_at="2020-01-01 10:00:00")
    row.update(overrides)
    return row


def event(event_id: str, line_id: str, event_type: str, at: str, **overrides) -> dict:
    row = dict(event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
               channel="store", port_out_to=None)
    row.update(overrides)
    return row


def ns_instant(kst_wall_time: str, nanoseconds: int) -> int:
    """Epoch nanoseconds of a KST wall time plus some nanoseconds."""
    return int(kst(kst_wall_time).timestamp()) * 1_000_000_000 + nanoseconds


def write_arrow(folder: Path, name: str, columns: dict[str, pa.Array]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pq.write_table(pa.table(columns), path)
    return path


def contract_columns(table: str, rows: list[dict], **replacements: pa.Array) -> dict:
    """Arrow columns of a contract table from rows, with some columns replaced."""
    schema = TABLES[table]
    columns = {}
    for field in schema:
        if field.name in replacements:
            columns[field.name] = replacements[field.name]
            continue
        values = [row.get(field.name) for row in rows]
        if pa.types.is_timestamp(field.type):
            values = [kst(value) if isinstance(value, str) else value for value in values]
        if pa.types.is_date(field.type):
            values = [dt.date.fromisoformat(value) if isinstance(value, str) else value
                      for value in values]
        columns[field.name] = pa.array(values, type=field.type)
    return columns


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hardening") / "raw"
    write_table(root, "customers", [customer("C-A"), customer("C-B"), customer("C-BIG")],
                file_name="2025-08-30.parquet")
    write_table(root, "customers", [
        customer("C-NOKEY-1", person_key=None),
        customer("C-NOKEY-2", person_key=None),
        customer("C-BUSINESS-BORN", customer_type="business"),  # a birth date: invalid
        customer("C-BUSINESS", customer_type="business", birth_date=None),
    ], file_name="2025-08-31.parquet")
    write_table(root, "lines", [
        line("L-NS-IN", "C-A"), line("L-NS-OUT", "C-A"), line("L-APP", "C-B"),
        line("L-NOKEY-OLD", "C-NOKEY-1"),
        line("L-NOKEY-NEW", "C-NOKEY-2", activated_at="2025-12-20 10:00:00"),
        line("L-BIG", "C-BIG"), line("L-BUSINESS", "C-BUSINESS"),
    ])
    # nanosecond instants: 23:59:59.999999999 KST on 2026-01-13 is inside the waiver
    # window, 00:00:00.000000000 on 01-14 is not (W1)
    events = [event(f"E-ACT-{name}", name, "activation", "2020-01-01 10:00:00")
              for name in ["L-NS-IN", "L-NS-OUT", "L-APP", "L-NOKEY-OLD", "L-BIG",
                           "L-BUSINESS"]]
    events.append(event("E-ACT-L-NOKEY-NEW", "L-NOKEY-NEW", "activation",
                        "2025-12-20 10:00:00"))
    events.append(event("E-TERM-NOKEY", "L-NOKEY-OLD", "termination", "2025-12-10 10:00:00"))
    events.append(event("E-TERM-APP", "L-APP", "termination", "2025-12-10 10:00:00"))
    event_columns = contract_columns("contract_events", events + [
        event("E-TERM-NS-IN", "L-NS-IN", "termination", None),
        event("E-TERM-NS-OUT", "L-NS-OUT", "termination", None),
    ])
    instants = [None if value is None else int(value.timestamp()) * 1_000_000_000
                for value in event_columns["event_at"].to_pylist()]
    instants[-2] = ns_instant("2026-01-13 23:59:59", 999_999_999)
    instants[-1] = ns_instant("2026-01-14 00:00:00", 0)
    event_columns["event_at"] = pa.array(instants, type=UTC_NS)
    write_arrow(root / "contract_events", "2026-01-14.parquet", event_columns)

    # mistyped values, row by row (each file otherwise readable as its table)
    write_arrow(root / "contract_events", "naive-time.parquet", contract_columns(
        "contract_events", [event("E-NAIVE", "L-APP", "plan_change", None)],
        event_at=pa.array([dt.datetime(2024, 6, 1, 10)], type=pa.timestamp("us")),
    ))
    write_arrow(root / "contract_events", "text-time.parquet", contract_columns(
        "contract_events", [event("E-TEXT-TIME", "L-APP", "plan_change", None)],
        event_at=pa.array(["2024-06-01 10:00:00"]),
    ))
    charge = dict(line_id="L-APP", termination_event_id="E-TERM-APP",
                  component="subsidy_clawback", billed_krw=100_000, paid_krw=100_000,
                  billed_on="2025-12-10")
    write_table(root, "penalty_charges", [dict(charge, charge_id="PC-APP")])
    write_arrow(root / "penalty_charges", "double-money.parquet", contract_columns(
        "penalty_charges", [dict(charge, charge_id="PC-DOUBLE")],
        billed_krw=pa.array([1000.6]), paid_krw=pa.array([0.0]),
    ))
    write_arrow(root / "penalty_charges", "text-money.parquet", contract_columns(
        "penalty_charges", [dict(charge, charge_id="PC-TEXT")],
        billed_krw=pa.array(["1e3"]), paid_krw=pa.array(["0"]),
    ))
    agreement = dict(line_id="L-BIG", agreement_type="selective_discount",
                     start_date="2024-03-15", term_months=24)
    write_table(root, "agreements", [
        # P3 at the edge of BIGINT: exact, not overflowed
        dict(agreement, agreement_id="AG-BIG", monthly_discount_krw=300_000_000_000_000_000),
        # its result cannot be represented: quarantined, and the build goes on
        dict(agreement, agreement_id="AG-TOO-BIG", line_id="L-APP",
             monthly_discount_krw=4_000_000_000_000_000_000),
    ])
    write_arrow(root / "agreements", "text-term.parquet", contract_columns(
        "agreements", [dict(agreement, agreement_id="AG-TEXT-TERM", line_id="L-APP",
                            monthly_discount_krw=10_000)],
        term_months=pa.array(["24.4"]),
    ))
    application = dict(channel="web", account_holder_matches=True,
                       bank_account_token="tok")
    applications = contract_columns("refund_applications", [
        dict(application, application_id="RA-ON-TIME", line_id="L-APP"),
        dict(application, application_id="RA-LATE", line_id="L-APP"),
        dict(application, application_id="RA-HARDSHIP-NO-END", line_id="L-APP",
             hardship_reason="military", applied_at="2026-02-10 10:00:00"),
    ])
    applications["applied_at"] = pa.array([
        ns_instant("2026-01-31 22:00:00", 0),  # the last on-time instant (A2)
        ns_instant("2026-01-31 22:00:00", 1),  # one nanosecond late
        ns_instant("2026-02-10 10:00:00", 0),
    ], type=UTC_NS)
    write_arrow(root / "refund_applications", "2026-01-31.parquet", applications)
    write_arrow(root / "refund_applications", "text-boolean.parquet", contract_columns(
        "refund_applications",
        [dict(application, application_id="RA-YES", line_id="L-APP",
              applied_at="2026-01-20 10:00:00"),
         dict(application, application_id="RA-N", line_id="L-APP",
              applied_at="2026-01-20 10:00:00")],
        account_holder_matches=pa.array(["yes", "N"]),
    ))

    # files that cannot be read as their table: set aside whole
    write_arrow(root / "contract_events", "int-time.parquet", contract_columns(
        "contract_events", [event("E-INT-TIME", "L-APP", "plan_change", None)],
        event_at=pa.array([1_700_000_000], type=pa.int64()),
    ))
    write_arrow(root / "lines", "list-column.parquet", contract_columns(
        "lines", [line("L-LIST", "C-A")], line_class=pa.array([["phone"]]),
    ))
    bad = pa.array([b"\xff\xfe"], pa.binary())
    write_arrow(root / "customers", "bad-utf8.parquet", contract_columns(
        "customers", [customer("C-UTF8")],
        full_name=pa.Array.from_buffers(pa.string(), 1, bad.buffers()),
    ))
    reserved = contract_columns("ott_choices", [dict(
        choice_id="OC-RESERVED", line_id="L-APP", service="tving",
        chosen_at="2026-01-20 10:00:00")])
    reserved["filename"] = pa.array(["x"])
    write_arrow(root / "ott_choices", "reserved.parquet", reserved)
    row_number = contract_columns("roaming_passes", [dict(
        purchase_id="RP-RESERVED", line_id="L-APP", pass_code="X", base_data_mb=1,
        purchased_at="2026-03-10 10:00:00")])
    row_number["file_row_number"] = pa.array([7])
    write_arrow(root / "roaming_passes", "row-number.parquet", row_number)
    missing = contract_columns("insurance_applications", [dict(
        application_id="IA-MISSING", customer_id="C-A", applied_at="2026-03-10 10:00:00")])
    del missing["applied_at"]
    write_arrow(root / "insurance_applications", "missing-column.parquet", missing)
    (root / "roaming_passes" / "corrupt.parquet").write_bytes(b"PAR1 not really")

    # entries the contract does not name: ignored, listed
    write_table(root, "ott_choices", [dict(choice_id="OC-UPPER", line_id="L-APP",
                service="tving", chosen_at="2026-01-20 10:00:00")], file_name="x.PARQUET")
    write_table(root, "ott_choices", [dict(choice_id="OC-HIDDEN", line_id="L-APP",
                service="tving", chosen_at="2026-01-20 10:00:00")],
                file_name=".hidden.parquet")
    (root / "ott_choices" / "x.parquet.gz").write_bytes(b"\x1f\x8b")
    (root / "ott_choices" / "nested").mkdir()
    pq.write_table(TABLES["ott_choices"].empty_table(),
                   root / "ott_choices" / "nested" / "deep.parquet")
    write_empty_tables(root)
    return root


@pytest.fixture(scope="module")
def warehouse(landing, tmp_path_factory, build) -> Path:
    return build(landing, tmp_path_factory.mktemp("hardening-wh"))


def quarantined(sql, warehouse, key: str) -> list[tuple]:
    return sql(warehouse, "select quarantine_reason, raw_row, source_file "
                          "from restricted.quarantine.quarantined_rows "
                          "where record_key = ? order by source_file", [key])


@pytest.mark.parametrize(("key", "column", "delivered"), [
    ("E-NAIVE", "event_at", "2024-06-01 10:00:00"),
    ("E-TEXT-TIME", "event_at", "2024-06-01 10:00:00"),
    ("PC-DOUBLE", "billed_krw", "1000.6"),
    ("PC-TEXT", "billed_krw", "1e3"),
    ("AG-TEXT-TERM", "term_months", "24.4"),
    ("RA-YES", "account_holder_matches", "yes"),
    ("RA-N", "account_holder_matches", "N"),
])
def test_a_value_of_another_type_is_quarantined_as_delivered(warehouse, sql, key, column,
                                                             delivered):
    [(reason, raw_row, _)] = quarantined(sql, warehouse, key)
    assert reason == "invalid_type"
    assert json.loads(raw_row)[column] == delivered


def test_nothing_mistyped_reaches_a_store(warehouse, sql):
    assert sql(warehouse, "select count(*) from restricted.staging.stg_landing__penalty_charges "
                          "where charge_id in ('PC-DOUBLE', 'PC-TEXT')") == [(0,)]


def test_w1_nanosecond_before_midnight_is_inside_the_window(warehouse, sql):
    rows = dict(sql(warehouse, "select line_id, terminated_at_kst "
                               "from main.fct_waiver_eligibility"))
    assert "L-NS-IN" in rows
    assert rows["L-NS-IN"] == dt.datetime(2026, 1, 13, 23, 59, 59, 999999)  # truncated
    assert "L-NS-OUT" not in rows


def test_a2_one_nanosecond_after_the_window_is_late(warehouse, sql):
    outcomes = dict(sql(warehouse, "select application_id, outcome "
                                   "from main.fct_refund_application_outcomes"))
    assert outcomes["RA-ON-TIME"] == "accepted"
    assert outcomes["RA-LATE"] == "duplicate"
    assert sql(warehouse, "select application_timing from "
                          "restricted.intermediate.int_refund_applications_ranked "
                          "where application_id = 'RA-LATE'") == [("late",)]


SET_ASIDE = {
    "contract_events/int-time.parquet": "incompatible_column_type",
    "lines/list-column.parquet": "incompatible_column_type",
    "customers/bad-utf8.parquet": "unreadable_values",
    "ott_choices/reserved.parquet": "reserved_column_name",
    "roaming_passes/row-number.parquet": "reserved_column_name",
    "insurance_applications/missing-column.parquet": "missing_contract_columns",
    "roaming_passes/corrupt.parquet": "unreadable_parquet",
}
IGNORED = {
    "ott_choices/x.PARQUET": "not_parquet_name",
    "ott_choices/.hidden.parquet": "hidden_file",
    "ott_choices/x.parquet.gz": "not_parquet_name",
    "ott_choices/nested": "subfolder",
}


def test_unreadable_files_are_set_aside_with_reason_and_fix(warehouse, sql):
    rows = sql(warehouse, "select file_path, reason, reason_detail, fix from main.rpt_deliveries "
                          "where file_status = 'set_aside'")
    assert {path: reason for path, reason, _, _ in rows} == SET_ASIDE
    assert all(detail and fix for _, _, detail, fix in rows)
    detail = {path: detail for path, _, detail, _ in rows}
    assert "event_at is BIGINT" in detail["contract_events/int-time.parquet"]
    assert "UTF8" in detail["customers/bad-utf8.parquet"]


def test_entries_the_contract_does_not_name_are_ignored_and_listed(warehouse, sql):
    rows = sql(warehouse, "select file_path, reason from main.rpt_deliveries "
                          "where file_status = 'ignored'")
    assert dict(rows) == IGNORED
    assert sql(warehouse, "select count(*) from restricted.staging.stg_landing__ott_choices "
                          "where choice_id in ('OC-UPPER', 'OC-HIDDEN')") == [(0,)]


def test_every_row_is_accounted_for_and_set_aside_files_are_counted(warehouse, sql, landing):
    counts = {row[0]: row[1:] for row in sql(warehouse, """
        select source_table, raw_rows, accepted_rows, collapsed_duplicate_rows,
            quarantined_rows, files_set_aside
        from main.rpt_source_row_counts""")}
    for table, (raw, accepted, collapsed, quarantined_rows, set_aside) in counts.items():
        assert raw == accepted + collapsed + quarantined_rows, table
        readable = [path for path in (landing / table).glob("*.parquet")
                    if f"{table}/{path.name}" not in SET_ASIDE
                    and not path.name.startswith(".")]
        assert raw == sum(pq.ParquetFile(path).metadata.num_rows for path in readable), table
        assert set_aside == sum(1 for path in SET_ASIDE if path.startswith(table + "/"))


def test_every_integrity_control_passes(warehouse, sql):
    assert sql(warehouse, "select count(*) from main.rpt_reconciliation "
                          "where severity = 'integrity' and not passed") == [(0,)]


def test_p3_is_exact_at_the_edge_of_bigint(warehouse, sql):
    # 24 months from 2024-03-15: C = 730, G = 180; lookup as of 2025-12-31: U = 656,
    # R = 74 -> floor(m * 12 * U * R / (365 * (C - G))), computed here in Python integers
    monthly = 300_000_000_000_000_000
    expected = monthly * 12 * 656 * 74 // (365 * 550)
    assert sql(warehouse, "select expected_selective_discount_clawback_krw "
                          "from main.fct_penalty_lookup where line_id = 'L-BIG'") == [
        (expected,)]
    [(reason, _, _)] = quarantined(sql, warehouse, "AG-TOO-BIG")
    assert reason == "invalid_value"


def test_a_null_person_key_keeps_the_customer_and_never_rejoins(warehouse, sql):
    assert sql(warehouse, "select count(*) from main.dim_customers "
                          "where customer_id in ('C-NOKEY-1', 'C-NOKEY-2')") == [(2,)]
    # L-NOKEY-OLD terminated 12-10 and another null-person customer activated 12-20:
    # without a person key they are not the same person (W2.8)
    assert sql(warehouse, "select exclusion_reasons from main.fct_waiver_eligibility "
                          "where line_id = 'L-NOKEY-OLD'") == [([],)]


def test_hardship_without_its_end_and_a_born_business_break_the_contract(warehouse, sql):
    [(reason, _, _)] = quarantined(sql, warehouse, "RA-HARDSHIP-NO-END")
    assert reason == "invalid_value"
    [(reason, _, _)] = quarantined(sql, warehouse, "C-BUSINESS-BORN")
    assert reason == "invalid_value"
    assert sql(warehouse, "select customer_type from main.dim_customers "
                          "where customer_id = 'C-BUSINESS'") == [("business",)]


def test_remedy_build_strict_refuses_before_building(landing, tmp_path):
    env = {**os.environ, "RAW_DIR": str(landing), "DUCKDB_PATH": str(tmp_path / "w.duckdb")}
    completed = subprocess.run([str(Path(sys.executable).parent / "remedy"), "build",
                                "--strict"], env=env, capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode != 0
    output = completed.stdout + completed.stderr
    assert "strict landing" in output and "contract_events/int-time.parquet" in output
    import duckdb

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        tables = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
    assert "fct_contract_events" not in tables


def test_an_empty_landing_directory_builds_with_every_control_passing(tmp_path, build, sql):
    landing = tmp_path / "raw"
    for table in TABLES:
        (landing / table).mkdir(parents=True)
    warehouse = build(landing, tmp_path)
    assert sql(warehouse, "select count(*) from main.rpt_reconciliation where not passed") == [
        (0,)]
    assert sql(warehouse, "select count(*) from main.rpt_reconciliation "
                          "where expected is null or actual is null") == [(0,)]
