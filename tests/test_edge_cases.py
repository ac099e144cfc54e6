"""The hand-written edge-case catalogue: internal consistency, contract codes, calibration.

The catalogue is built per program from its seeds; structural checks run for every seeded
program, and the kt_2025_12 catalogue is checked against the literal boundaries of
PROGRAM_RULES.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from remedy.contract import KEYS, TABLES
from remedy.edge_cases import (
    Calendar,
    CatalogueError,
    case_by_id,
    catalogue,
    edge_rows,
    expectations,
)
from remedy.program import read_program, read_seed
from remedy.rules import completed_years, expected_penalty_krw

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


PROGRAMS = sorted(row["program_id"] for row in read_seed("program_parameters"))


def test_catalogue_charges_match_arithmetic_except_the_deliberate_one() -> None:
    # Re-anchored to kt_2025_12's window, P4's first example is the published one.
    assert case_by_id("P4-EX1", "kt_2025_12").rows["penalty_charges"][0]["billed_krw"] == 462_545
    assert case_by_id("P4-EX3", "kt_2025_12").rows["penalty_charges"][0]["billed_krw"] == 21_653
    grace = read_program("kt_2025_12").grace_days
    assert case_by_id("P-BILLING-DIFFERS").rows["penalty_charges"][0]["billed_krw"] == (
        expected_penalty_krw("device_subsidy", dt.date(2025, 3, 1), 24, 500_000, None,
                             dt.date(2025, 10, 21), grace) + 3_000)


# --- catalogue shape -----------------------------------------------------------------------


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_case_ids_rules_and_expectations_are_well_formed(program_id: str) -> None:
    cases = catalogue(program_id)
    ids = [c.case_id for c in cases]
    assert len(ids) == len(set(ids))
    assert ids == [c.case_id for c in catalogue()]
    for edge_case in cases:
        assert edge_case.rules and all(RULE_ID.match(rule) for rule in edge_case.rules), edge_case
        assert edge_case.expect, f"{edge_case.case_id} asserts nothing"
        assert edge_case.title, edge_case.case_id
    assert {expectation.mart for _, expectation in expectations(program_id)} <= MARTS


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_keys_are_unique_and_recognisable(program_id: str) -> None:
    for table, rows in edge_rows(program_id).items():
        keys = Counter(row[KEYS[table]] for row in rows)
        assert max(keys.values()) == 1, table
        assert all("-EDGE-" in key for key in keys), table


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_rows_use_contract_columns_and_codes(program_id: str) -> None:
    codes = _codes()
    coded = {"customer_type": "customer_type", "network": "network",
             "line_class": "line_class", "payment_type": "payment_type",
             "event_type": "event_type", "channel": "channel", "port_out_to": "port_out_to",
             "agreement_type": "agreement_type", "component": "component",
             "holder_exception": "holder_exception", "hardship_reason": "hardship_reason"}
    for table, rows in edge_rows(program_id).items():
        for row in rows:
            assert set(row) == set(TABLES[table].names), (table, row)
            for column, code_list in coded.items():
                if row.get(column) is not None:
                    assert row[column] in codes[code_list], (table, column, row[column])


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_references_resolve_inside_the_catalogue(program_id: str) -> None:
    rows = edge_rows(program_id)
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


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_lines_agree_with_their_events(program_id: str) -> None:
    rows = edge_rows(program_id)
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


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_agreements_start_on_an_event_of_their_line(program_id: str) -> None:
    rows = edge_rows(program_id)
    starts = {(e["line_id"], e["event_at"][:10]) for e in rows["contract_events"]
              if e["event_type"] in ("activation", "device_change", "recontract")}
    for agreement in rows["agreements"]:
        assert (agreement["line_id"], agreement["start_date"]) in starts, agreement


def test_required_boundaries_are_covered() -> None:
    """The literal boundaries of PROGRAM_RULES.md, for the program it states them for."""
    rows = edge_rows("kt_2025_12")
    stamps = {e["event_at"] for e in rows["contract_events"]}
    applied = {a["applied_at"] for a in rows["refund_applications"]}
    bought = {p["purchased_at"] for p in rows["roaming_passes"]}
    births = {c["birth_date"] for c in rows["customers"]}
    assert {"2025-08-31 23:59:59", "2025-09-01 00:00:00", "2026-01-13 23:59:59",
            "2026-01-14 00:00:00"} <= stamps
    assert {"2026-01-14 08:59:59", "2026-01-14 09:00:00", "2026-01-18 23:59:59",
            "2026-01-19 00:00:00", "2026-01-31 22:00:00", "2026-01-31 22:00:01",
            "2026-02-15 23:59:59", "2026-02-16 00:00:00"} <= applied
    assert {"2026-02-28 23:59:59", "2026-03-01 00:00:00", "2026-08-31 23:59:59",
            "2026-09-01 00:00:00"} <= bought
    assert {"1961-01-13", "1961-01-14", "1960-02-29"} <= births


def test_the_revision_moves_population_and_age_cut_offs() -> None:
    """kt_2025_12_rev1 (reward population as of 2026-01-31 24:00): the R1 and R6 boundary
    cases follow the revision's seeds, the rest of the catalogue stays put."""
    base, revision = catalogue("kt_2025_12"), catalogue("kt_2025_12_rev1")
    changed = {a.case_id for a, b in zip(base, revision, strict=True) if a != b}
    assert changed == {"R1-ACT-0113", "R1-ACT-0114", "W1-0114", "R6-19610113", "R6-19610114"}
    activated = {c.case_id: c.rows["lines"][0]["activated_at"] for c in revision
                 if c.case_id.startswith("R1-ACT")}
    assert activated == {"R1-ACT-0113": "2026-01-31 23:59:59", "R1-ACT-0114": "2026-02-01 00:00:00"}
    births = {c.case_id: c.rows["customers"][0]["birth_date"] for c in revision
              if c.case_id.startswith("R6-1961")}
    assert births == {"R6-19610113": "1961-01-31", "R6-19610114": "1961-02-01"}
    # Terminated 2026-01-14 00:00 is before the revision's population instant: no membership.
    w1_0114 = case_by_id("W1-0114", "kt_2025_12_rev1")
    assert [e.rows for e in w1_0114.expect if e.mart == "fct_reward_entitlements"] == [()]


def test_ages_in_the_catalogue_are_completed_years_on_the_reference_date() -> None:
    for program_id in PROGRAMS:
        reference = read_program(program_id)["insurance_age_reference_date"]
        turning = case_by_id("R6-19610113", program_id).rows["customers"][0]["birth_date"]
        short = case_by_id("R6-19610114", program_id).rows["customers"][0]["birth_date"]
        assert completed_years(dt.date.fromisoformat(turning), reference) == 65
        assert completed_years(dt.date.fromisoformat(short), reference) == 64


def test_a_program_the_catalogue_cannot_place_is_refused() -> None:
    program = read_program("kt_2025_12")
    parameters = {**program.parameters, "waiver_window_start_date": dt.date(2025, 12, 20)}
    calendar = Calendar(type(program)(program.program_id, parameters, program.tables,
                                      program.terminating_event_types), dt.date(2025, 12, 31))
    with pytest.raises(CatalogueError, match="outside the waves 1-2 termination days"):
        calendar.retro(44, 15)
