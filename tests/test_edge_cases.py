"""The hand-written edge-case catalogue: arithmetic, internal consistency, contract codes."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from remedy.contract import KEYS, TABLES
from remedy.edge_cases import CASES, add_months, case_by_id, edge_rows, expectations, penalty_krw

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "reference"
RULE_ID = re.compile(r"^(W[1-4](\.[1-8])?|A[1-7]|N[12]|P[1-5]|R[1-6])$")
MARTS = {
    "fct_waiver_eligibility", "fct_refund_assignments", "fct_refund_application_outcomes",
    "fct_refund_notices", "fct_penalty_lookup", "fct_reward_entitlements", "penalty_arithmetic",
}
TERMINATING = {"termination", "port_out", "forced_termination"}


def _codes() -> dict[str, set[str]]:
    lists: dict[str, set[str]] = {}
    with (SEEDS / "ref_codes.csv").open() as handle:
        for row in csv.DictReader(handle):
            lists.setdefault(row["code_list"], set()).add(row["code"])
    for name, column in (("ref_channels", "channel"), ("ref_event_types", "event_type"),
                         ("ref_line_classes", "line_class"),
                         ("ref_charge_components", "component")):
        with (SEEDS / f"{name}.csv").open() as handle:
            lists[column] = {row[column] for row in csv.DictReader(handle)}
    return lists


# --- P rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "start", "term", "amount", "day", "expected"), [
    # P4 worked examples
    ("device_subsidy", "2024-03-15", 24, 600_000, "2025-01-15", 462_545),
    ("device_subsidy", "2024-03-15", 24, 600_000, "2024-08-01", 600_000),
    ("selective_discount", "2024-03-15", 24, 17_250, "2026-02-13", 21_653),
    # grace edges U = G and U = G + 1 (P2, P3)
    ("device_subsidy", "2025-03-05", 24, 500_000, "2025-09-01", 500_000),
    ("device_subsidy", "2025-03-05", 24, 500_000, "2025-09-02", 499_090),
    ("device_subsidy", "2025-06-10", 12, 500_000, "2025-09-08", 500_000),
    ("device_subsidy", "2025-06-10", 12, 500_000, "2025-09-09", 498_181),
    ("selective_discount", "2025-06-10", 12, 20_000, "2025-09-08", 59_178),
    ("selective_discount", "2025-06-10", 12, 20_000, "2025-09-09", 59_618),
    # clamped term end (2024-02-29 + 24 months = 2026-02-28) and U >= C
    ("device_subsidy", "2024-02-29", 24, 500_000, "2025-10-01", 136_363),
    ("device_subsidy", "2024-02-29", 24, 500_000, "2026-02-28", 0),
    ("device_subsidy", "2024-05-01", 12, 500_000, "2025-10-01", 0),
])
def test_penalty_arithmetic(kind: str, start: str, term: int, amount: int, day: str,
                            expected: int) -> None:
    assert penalty_krw(kind, start, term, amount, day) == expected


def test_months_clamp_to_the_last_day() -> None:
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 1, 31), 24) == dt.date(2026, 1, 31)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)


def test_catalogue_charges_match_arithmetic_except_the_deliberate_one() -> None:
    assert case_by_id("P4-EX1").rows["penalty_charges"][0]["billed_krw"] == 462_545
    assert case_by_id("P-BILLING-DIFFERS").rows["penalty_charges"][0]["billed_krw"] == (
        penalty_krw("device_subsidy", "2025-03-01", 24, 500_000, "2025-10-21") + 3_000)


# --- catalogue shape -----------------------------------------------------------------------


def test_case_ids_rules_and_expectations_are_well_formed() -> None:
    ids = [c.case_id for c in CASES]
    assert len(ids) == len(set(ids))
    for edge_case in CASES:
        assert edge_case.rules and all(RULE_ID.match(rule) for rule in edge_case.rules), edge_case
        assert edge_case.expect, f"{edge_case.case_id} asserts nothing"
    assert {expectation.mart for _, expectation in expectations()} <= MARTS


def test_keys_are_unique_and_recognisable() -> None:
    for table, rows in edge_rows().items():
        keys = Counter(row[KEYS[table]] for row in rows)
        assert max(keys.values()) == 1, table
        assert all("-EDGE-" in key for key in keys), table


def test_rows_use_contract_columns_and_codes() -> None:
    codes = _codes()
    coded = {"customer_type": "customer_type", "network": "network",
             "line_class": "line_class", "payment_type": "payment_type",
             "event_type": "event_type", "channel": "channel", "port_out_to": "port_out_to",
             "agreement_type": "agreement_type", "component": "component",
             "holder_exception": "holder_exception", "hardship_reason": "hardship_reason"}
    for table, rows in edge_rows().items():
        for row in rows:
            assert set(row) == set(TABLES[table].names), (table, row)
            for column, code_list in coded.items():
                if row.get(column) is not None:
                    assert row[column] in codes[code_list], (table, column, row[column])


def test_references_resolve_inside_the_catalogue() -> None:
    rows = edge_rows()
    customers = {row["customer_id"] for row in rows["customers"]}
    lines = {row["line_id"]: row for row in rows["lines"]}
    events = {row["event_id"]: row for row in rows["contract_events"]}
    assert {row["customer_id"] for row in rows["lines"]} <= customers
    for table in ("contract_events", "agreements", "penalty_charges", "roaming_passes",
                  "ott_choices"):
        assert {row["line_id"] for row in rows[table]} <= set(lines), table
    for charge in rows["penalty_charges"]:
        event = events[charge["termination_event_id"]]
        assert event["line_id"] == charge["line_id"] and event["event_type"] in TERMINATING
    ghosts = {row["line_id"] for row in rows["refund_applications"]} - set(lines)
    assert ghosts == {"L-EDGE-A6-UNKNOWN-LINE-GHOST"}


def test_lines_agree_with_their_events() -> None:
    rows = edge_rows()
    by_line: dict[str, list[dict]] = {}
    for event in rows["contract_events"]:
        by_line.setdefault(event["line_id"], []).append(event)
    for line in rows["lines"]:
        events = by_line[line["line_id"]]
        activations = [e for e in events if e["event_type"] == "activation"]
        assert [e["event_at"] for e in activations] == [line["activated_at"]]
        assert len([e for e in events if e["event_type"] in TERMINATING]) <= 1
        assert min(e["event_at"] for e in events) == line["activated_at"]
        ports = [e for e in events if e["event_type"] == "port_out"]
        assert all(e["port_out_to"] for e in ports)


def test_agreements_start_on_an_event_of_their_line() -> None:
    rows = edge_rows()
    starts = {(e["line_id"], e["event_at"][:10]) for e in rows["contract_events"]
              if e["event_type"] in ("activation", "device_change", "recontract")}
    for agreement in rows["agreements"]:
        assert (agreement["line_id"], agreement["start_date"]) in starts, agreement


def test_required_boundaries_are_covered() -> None:
    stamps = {e["event_at"] for e in edge_rows()["contract_events"]}
    applied = {a["applied_at"] for a in edge_rows()["refund_applications"]}
    bought = {p["purchased_at"] for p in edge_rows()["roaming_passes"]}
    births = {c["birth_date"] for c in edge_rows()["customers"]}
    assert {"2025-08-31 23:59:59", "2025-09-01 00:00:00", "2026-01-13 23:59:59",
            "2026-01-14 00:00:00"} <= stamps
    assert {"2026-01-14 08:59:59", "2026-01-14 09:00:00", "2026-01-18 23:59:59",
            "2026-01-19 00:00:00", "2026-01-31 22:00:00", "2026-01-31 22:00:01",
            "2026-02-15 23:59:59", "2026-02-16 00:00:00"} <= applied
    assert {"2026-02-28 23:59:59", "2026-03-01 00:00:00", "2026-08-31 23:59:59",
            "2026-09-01 00:00:00"} <= bought
    assert {"1961-01-13", "1961-01-14", "1960-02-29"} <= births
