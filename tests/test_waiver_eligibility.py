"""Waiver eligibility (W1-W4), the expected-penalty lookup (P5, N1) and the billing
reconciliation (P1-P3) on one hand-written landing directory (issue 3).

Every scenario has its own line and customer ids, prefixed with the rule it exercises, so
the scenarios are independent. Times are KST wall-clock strings; write_table stores them
as UTC instants, as upstream systems deliver them. The directory is built once with the
default program (kt_2025_12) and lookup_as_of_date (2025-12-31).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from remedy.landing import write_tables

ACTIVE = "2024-01-01 10:00:00"
IN_WINDOW = "2025-10-10 12:00:00"
SELECT = (
    "build", "-s",
    "+fct_waiver_eligibility +fct_penalty_lookup +rpt_penalty_billing_reconciliation",
    "--indirect-selection", "cautious",
)
ALL_REASONS = [
    "mvno", "iot_or_special", "prepaid", "forced_termination", "new_since_base_date",
    "device_change_since_base_date", "recontract_since_base_date", "rejoined",
]


class Landing:
    """Rows of the scenarios, collected per contract table."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = defaultdict(list)

    def customer(self, customer_id: str, person_key: str | None = None) -> str:
        self.tables["customers"].append(dict(
            customer_id=customer_id, person_key=person_key or f"P-{customer_id}",
            customer_type="individual", full_name="홍길동", birth_date="1980-05-05",
            created_at="2019-12-01 09:00:00"))
        return customer_id

    def line(self, line_id: str, customer_id: str | None = None, activated: str = ACTIVE,
             terminated: str | None = IN_WINDOW, termination_type: str = "termination",
             **overrides) -> str:
        """A line with its activation event and (by default) a termination inside the
        waiver window. Without customer_id the line gets its own customer."""
        if customer_id is None:
            customer_id = self.customer(f"C-{line_id}")
        row = dict(line_id=line_id, customer_id=customer_id, msisdn="010-1234-5678",
                   network="kt", line_class="phone", payment_type="postpaid",
                   activated_at=activated)
        row.update(overrides)
        if row["network"] == "mvno":
            row["mvno_brand"] = "brand"
        self.tables["lines"].append(row)
        self.event(f"{line_id}-act", line_id, "activation", activated)
        if terminated is not None:
            self.event(f"{line_id}-term", line_id, termination_type, terminated,
                       port_out_to="skt" if termination_type == "port_out" else None)
        return line_id

    def event(self, event_id: str, line_id: str, event_type: str, at: str,
              port_out_to: str | None = None) -> None:
        self.tables["contract_events"].append(dict(
            event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
            channel="store", port_out_to=port_out_to))

    def charge(self, line_id: str, component: str, billed: int, paid: int) -> None:
        number = len(self.tables["penalty_charges"])
        self.tables["penalty_charges"].append(dict(
            charge_id=f"CH-{number}", line_id=line_id, termination_event_id=f"{line_id}-term",
            component=component, billed_krw=billed, paid_krw=paid, billed_on="2026-01-20"))

    def agreement(self, agreement_id: str, line_id: str, agreement_type: str, start: str,
                  term_months: int, amount: int) -> None:
        self.tables["agreements"].append(dict(
            agreement_id=agreement_id, line_id=line_id, agreement_type=agreement_type,
            start_date=start, term_months=term_months,
            subsidy_krw=amount if agreement_type == "device_subsidy" else None,
            monthly_discount_krw=amount if agreement_type == "selective_discount" else None))

    def penalised_line(self, line_id: str, **kwargs) -> str:
        """A line terminated in the window with a waivable charge (so, unless excluded,
        `eligible`): subsidy clawback billed 100,000, paid 40,000."""
        self.line(line_id, **kwargs)
        self.charge(line_id, "subsidy_clawback", 100_000, 40_000)
        return line_id

    def write(self, root: Path) -> None:
        write_tables(root, self.tables)


def scenarios() -> Landing:
    land = Landing()

    # W1: the terminating event's KST date inside 2025-09-01 .. 2026-01-13, both sides.
    land.line("W1-0831-235959", terminated="2025-08-31 23:59:59")
    land.penalised_line("W1-0901-000000", terminated="2025-09-01 00:00:00")
    land.penalised_line("W1-0113-235959", terminated="2026-01-13 23:59:59")
    land.line("W1-0114-000000", terminated="2026-01-14 00:00:00")
    land.penalised_line("W1-PORT-OUT", termination_type="port_out")
    land.penalised_line("W1-NOT-TERMINATED", terminated=None)
    land.penalised_line("W1-SECOND-TERMINATION", terminated="2025-10-01 10:00:00")
    land.event("W1-SECOND-TERMINATION-2", "W1-SECOND-TERMINATION", "forced_termination",
               "2025-10-05 10:00:00")

    # W2: each reason alone, both sides of every cut-off, and precedence.
    land.penalised_line("W2-MVNO", network="mvno")
    land.penalised_line("W2-IOT", line_class="iot")
    land.penalised_line("W2-SPECIAL", line_class="special")
    land.penalised_line("W2-PREPAID", payment_type="prepaid")
    land.penalised_line("W2-FORCED", termination_type="forced_termination")
    land.penalised_line("W2-NEW-0901-000000", activated="2025-09-01 00:00:00")
    land.penalised_line("W2-NEW-0831-235959", activated="2025-08-31 23:59:59")
    for kind, code in (("DEVICE", "device_change"), ("RECONTRACT", "recontract")):
        land.penalised_line(f"W2-{kind}-0901-000000")
        land.event(f"W2-{kind}-0901-000000-e", f"W2-{kind}-0901-000000", code,
                   "2025-09-01 00:00:00")
        land.penalised_line(f"W2-{kind}-0831-235959")
        land.event(f"W2-{kind}-0831-235959-e", f"W2-{kind}-0831-235959", code,
                   "2025-08-31 23:59:59")
        # An event at the termination instant is not before the termination.
        land.penalised_line(f"W2-{kind}-AT-TERMINATION")
        land.event(f"W2-{kind}-AT-TERMINATION-e", f"W2-{kind}-AT-TERMINATION", code,
                   IN_WINDOW)
    land.penalised_line("W2-DEVICE-1-SECOND-BEFORE")
    land.event("W2-DEVICE-1-SECOND-BEFORE-e", "W2-DEVICE-1-SECOND-BEFORE", "device_change",
               "2025-10-10 11:59:59")

    # W2.8 re-joiners: another KT line of the same person (any customer record),
    # activated after the termination and by 2026-01-13 (KST day).
    def rejoin(name: str, activated: str, same_customer: bool = False, **overrides) -> None:
        person = f"PERSON-{name}"
        first = land.customer(f"C-{name}", person)
        land.penalised_line(name, customer_id=first)
        second = first if same_customer else land.customer(f"C-{name}-NEW", person)
        land.line(f"{name}-NEW-LINE", customer_id=second, activated=activated,
                  terminated=None, **overrides)

    rejoin("W2-REJOIN-NEW-CUSTOMER", "2025-11-01 10:00:00")
    rejoin("W2-REJOIN-SAME-CUSTOMER", "2025-11-01 10:00:00", same_customer=True)
    rejoin("W2-REJOIN-0113-235959", "2026-01-13 23:59:59")
    rejoin("W2-REJOIN-0114-000000", "2026-01-14 00:00:00")
    rejoin("W2-REJOIN-BEFORE-TERMINATION", "2025-10-10 11:59:59")
    rejoin("W2-REJOIN-MVNO", "2025-11-01 10:00:00", network="mvno")

    # W2 precedence: every reason at once, and two reasons at once.
    person = "PERSON-W2-ALL"
    land.penalised_line("W2-ALL", customer_id=land.customer("C-W2-ALL", person),
                        network="mvno", line_class="iot", payment_type="prepaid",
                        termination_type="forced_termination",
                        activated="2025-09-05 10:00:00")
    land.event("W2-ALL-dc", "W2-ALL", "device_change", "2025-09-10 10:00:00")
    land.event("W2-ALL-rc", "W2-ALL", "recontract", "2025-09-11 10:00:00")
    land.line("W2-ALL-NEW-LINE", customer_id=land.customer("C-W2-ALL-NEW", person),
              activated="2025-10-20 10:00:00", terminated=None)
    land.penalised_line("W2-PREPAID-AND-RECONTRACT", payment_type="prepaid")
    land.event("W2-PREPAID-AND-RECONTRACT-rc", "W2-PREPAID-AND-RECONTRACT", "recontract",
               "2025-09-20 10:00:00")

    # W3: phones, tablets and wearables are all covered.
    land.penalised_line("W3-TABLET", line_class="tablet")
    land.penalised_line("W3-WEARABLE", line_class="wearable")

    # W4 / A7: waivable billed above zero -> eligible, else eligible_no_penalty.
    land.line("W4-WAIVABLE-AND-NOT")
    land.charge("W4-WAIVABLE-AND-NOT", "subsidy_clawback", 300_000, 300_000)
    land.charge("W4-WAIVABLE-AND-NOT", "selective_discount_clawback", 50_000, 0)
    land.charge("W4-WAIVABLE-AND-NOT", "device_installment", 500_000, 100_000)
    land.charge("W4-WAIVABLE-AND-NOT", "monthly_fee", 30_000, 30_000)
    land.line("W4-ONLY-NOT-WAIVABLE")
    for component in ("bundle_clawback", "device_installment", "plan_change_settlement",
                      "monthly_fee"):
        land.charge("W4-ONLY-NOT-WAIVABLE", component, 10_000, 5_000)
    land.line("W4-NO-CHARGES")
    land.line("W4-ZERO-BILLED")
    land.charge("W4-ZERO-BILLED", "subsidy_clawback", 0, 0)
    land.penalised_line("W4-EXCLUDED-WITH-PENALTY", payment_type="prepaid")

    # P5 / N1: the lookup as of 2025-12-31 (24:00 KST = 2026-01-01 00:00).
    land.line("P5-SUBSIDY", terminated=None)
    land.agreement("P5-SUBSIDY-A", "P5-SUBSIDY", "device_subsidy", "2024-03-15", 24, 600_000)
    land.line("P5-SELECTIVE", terminated=None)
    land.agreement("P5-SELECTIVE-A", "P5-SELECTIVE", "selective_discount", "2024-03-15", 24,
                   17_250)
    land.line("P5-NO-AGREEMENT", terminated=None)
    land.line("P5-ACT-1231-235959", activated="2025-12-31 23:59:59", terminated=None)
    land.line("P5-ACT-0101-000000", activated="2026-01-01 00:00:00", terminated=None)
    land.line("P5-TERM-1231-235959", terminated="2025-12-31 23:59:59")
    land.line("P5-TERM-0101-000000", terminated="2026-01-01 00:00:00")
    land.line("P5-MVNO", network="mvno", terminated=None)
    land.line("P5-IOT", line_class="iot", terminated=None)
    land.line("P5-PREPAID", payment_type="prepaid", terminated=None)
    land.line("P5-SUSPENDED", terminated=None)
    land.event("P5-SUSPENDED-s", "P5-SUSPENDED", "suspension", "2025-11-01 10:00:00")
    land.line("P5-DEVICE-1231-235959", terminated=None)
    land.event("P5-DEVICE-1231-235959-e", "P5-DEVICE-1231-235959", "device_change",
               "2025-12-31 23:59:59")
    land.line("P5-DEVICE-0101-000000", terminated=None)
    land.event("P5-DEVICE-0101-000000-e", "P5-DEVICE-0101-000000", "device_change",
               "2026-01-01 00:00:00")
    land.line("P5-RECONTRACT", terminated=None)
    land.event("P5-RECONTRACT-e", "P5-RECONTRACT", "recontract", "2025-09-01 00:00:00")

    # P1-P3 against billing. Outside the window only these three lines and
    # W1-0831-235959 / W1-0114-000000 (no agreement, no charge) terminate.
    for name, terminated, billed in (("P-RECON-AGREE", "2025-06-15 10:00:00", 297_818),
                                     ("P-RECON-ABOVE", "2025-06-15 10:00:00", 300_000),
                                     ("P-RECON-BELOW", "2025-06-17 10:00:00", 200_000)):
        land.line(name, terminated=terminated)
        land.agreement(f"{name}-A", name, "device_subsidy", "2024-03-15", 24, 600_000)
        land.charge(name, "subsidy_clawback", billed, billed)
    # D is the KST date: 2026-01-01 00:30 KST is still 2025-12-31 in UTC.
    land.line("P-RECON-KST-DATE", terminated="2026-01-01 00:30:00")
    land.agreement("P-RECON-KST-DATE-A", "P-RECON-KST-DATE", "device_subsidy", "2024-03-15",
                   24, 600_000)
    land.charge("P-RECON-KST-DATE", "subsidy_clawback", 79_636, 0)
    return land


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, build) -> Path:
    root = tmp_path_factory.mktemp("waiver")
    scenarios().write(root / "raw")
    return build(root / "raw", root, args=SELECT)


@pytest.fixture(scope="module")
def eligibility(warehouse, sql) -> dict[str, dict]:
    rows = sql(warehouse, """
        select line_id, termination_event_id, termination_type, terminated_at_kst,
            waiver_status, exclusion_reason, exclusion_reasons, waivable_billed_krw,
            waivable_paid_krw, line_class
        from main.fct_waiver_eligibility
    """)
    keys = ("line_id", "termination_event_id", "termination_type", "terminated_at_kst",
            "waiver_status", "exclusion_reason", "exclusion_reasons", "waivable_billed_krw",
            "waivable_paid_krw", "line_class")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


@pytest.fixture(scope="module")
def lookup(warehouse, sql) -> dict[str, dict]:
    rows = sql(warehouse, """
        select line_id, as_of_date, would_be_eligible, exclusion_reason, agreement_id,
            expected_subsidy_clawback_krw, expected_selective_discount_clawback_krw,
            expected_waivable_penalty_krw
        from main.fct_penalty_lookup
    """)
    keys = ("line_id", "as_of_date", "would_be_eligible", "exclusion_reason", "agreement_id",
            "subsidy", "selective", "total")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


def status(eligibility, line_id: str) -> tuple:
    row = eligibility[line_id]
    return row["waiver_status"], row["exclusion_reason"], row["exclusion_reasons"]


# W1 -----------------------------------------------------------------------------------

def test_w1_window_start_both_sides(eligibility):
    assert "W1-0831-235959" not in eligibility
    row = eligibility["W1-0901-000000"]
    assert row["terminated_at_kst"] == dt.datetime(2025, 9, 1, 0, 0, 0)
    assert row["waiver_status"] == "eligible"


def test_w1_window_end_both_sides(eligibility):
    assert eligibility["W1-0113-235959"]["terminated_at_kst"] == dt.datetime(
        2026, 1, 13, 23, 59, 59)
    assert "W1-0114-000000" not in eligibility


def test_w1_port_out_is_terminating(eligibility):
    assert eligibility["W1-PORT-OUT"]["termination_type"] == "port_out"
    assert status(eligibility, "W1-PORT-OUT") == ("eligible", None, [])


def test_w1_lines_in_service_are_not_in_population(eligibility):
    assert "W1-NOT-TERMINATED" not in eligibility
    assert "W2-REJOIN-NEW-CUSTOMER-NEW-LINE" not in eligibility


def test_w1_second_terminating_event_is_quarantined_first_stands(eligibility):
    row = eligibility["W1-SECOND-TERMINATION"]
    assert row["termination_event_id"] == "W1-SECOND-TERMINATION-term"
    assert row["termination_type"] == "termination"
    assert row["terminated_at_kst"] == dt.datetime(2025, 10, 1, 10, 0, 0)


def test_w1_population_is_exactly_the_window_terminations(eligibility, warehouse, sql):
    expected = {row[0] for row in sql(warehouse, """
        select line_id from restricted.intermediate.int_lines_joined_to_customers
        where terminated_date between date '2025-09-01' and date '2026-01-13'
    """)}
    assert set(eligibility) == expected
    assert len(eligibility) == 36


# W2 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("line_id", "reason"), [
    ("W2-MVNO", "mvno"),
    ("W2-IOT", "iot_or_special"),
    ("W2-SPECIAL", "iot_or_special"),
    ("W2-PREPAID", "prepaid"),
    ("W2-FORCED", "forced_termination"),
    ("W2-NEW-0901-000000", "new_since_base_date"),
    ("W2-DEVICE-0901-000000", "device_change_since_base_date"),
    ("W2-DEVICE-1-SECOND-BEFORE", "device_change_since_base_date"),
    ("W2-RECONTRACT-0901-000000", "recontract_since_base_date"),
    ("W2-REJOIN-NEW-CUSTOMER", "rejoined"),
    ("W2-REJOIN-SAME-CUSTOMER", "rejoined"),
    ("W2-REJOIN-0113-235959", "rejoined"),
])
def test_w2_each_reason_alone(eligibility, line_id, reason):
    assert status(eligibility, line_id) == ("excluded", reason, [reason])


@pytest.mark.parametrize("line_id", [
    "W2-NEW-0831-235959",
    "W2-DEVICE-0831-235959",
    "W2-RECONTRACT-0831-235959",
    "W2-DEVICE-AT-TERMINATION",
    "W2-RECONTRACT-AT-TERMINATION",
    "W2-REJOIN-0114-000000",
    "W2-REJOIN-BEFORE-TERMINATION",
    "W2-REJOIN-MVNO",
])
def test_w2_other_side_of_each_cut_off_is_not_excluded(eligibility, line_id):
    assert status(eligibility, line_id) == ("eligible", None, [])


def test_w2_precedence_all_eight_reasons(eligibility):
    assert status(eligibility, "W2-ALL") == ("excluded", "mvno", ALL_REASONS)


def test_w2_precedence_first_reason_wins(eligibility):
    assert status(eligibility, "W2-PREPAID-AND-RECONTRACT") == (
        "excluded", "prepaid", ["prepaid", "recontract_since_base_date"])


# W3 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("line_id", "line_class"), [
    ("W3-TABLET", "tablet"), ("W3-WEARABLE", "wearable"), ("W1-0901-000000", "phone")])
def test_w3_second_devices_are_covered(eligibility, line_id, line_class):
    assert eligibility[line_id]["line_class"] == line_class
    assert status(eligibility, line_id) == ("eligible", None, [])


# W4 / A7 ------------------------------------------------------------------------------

def test_w4_eligible_counts_only_waivable_components(eligibility):
    row = eligibility["W4-WAIVABLE-AND-NOT"]
    assert row["waiver_status"] == "eligible"
    assert (row["waivable_billed_krw"], row["waivable_paid_krw"]) == (350_000, 300_000)


@pytest.mark.parametrize("line_id",
                         ["W4-ONLY-NOT-WAIVABLE", "W4-NO-CHARGES", "W4-ZERO-BILLED"])
def test_w4_nothing_waivable_billed_is_eligible_no_penalty(eligibility, line_id):
    row = eligibility[line_id]
    assert status(eligibility, line_id) == ("eligible_no_penalty", None, [])
    assert (row["waivable_billed_krw"], row["waivable_paid_krw"]) == (0, 0)


def test_w4_excluded_line_keeps_its_amounts(eligibility):
    row = eligibility["W4-EXCLUDED-WITH-PENALTY"]
    assert row["waiver_status"] == "excluded"
    assert (row["waivable_billed_krw"], row["waivable_paid_krw"]) == (100_000, 40_000)


def test_w4_population_identity(eligibility, warehouse, sql):
    counts = dict(sql(warehouse, """
        select waiver_status, count(*) from main.fct_waiver_eligibility group by 1
    """))
    assert sum(counts.values()) == len(eligibility)
    assert counts == {"eligible": 16, "eligible_no_penalty": 5, "excluded": 15}


# P5 / N1 ------------------------------------------------------------------------------

def test_n1_lookup_defaults_to_2025_12_31(lookup):
    assert {row["as_of_date"] for row in lookup.values()} == {dt.date(2025, 12, 31)}


def test_p5_expected_subsidy_clawback_on_the_as_of_date(lookup):
    # 24 months from 2024-03-15, D = 2025-12-31: U = 656, R = 74 -> floor(600000*74/550).
    assert lookup["P5-SUBSIDY"] == dict(
        line_id="P5-SUBSIDY", as_of_date=dt.date(2025, 12, 31), would_be_eligible=True,
        exclusion_reason=None, agreement_id="P5-SUBSIDY-A", subsidy=80_727, selective=0,
        total=80_727)


def test_p5_expected_selective_discount_clawback_on_the_as_of_date(lookup):
    # floor(17250 * 12 * 656 * 74 / (365 * 550)) = 50,055.
    row = lookup["P5-SELECTIVE"]
    assert (row["agreement_id"], row["subsidy"], row["selective"], row["total"]) == (
        "P5-SELECTIVE-A", 0, 50_055, 50_055)


def test_p5_no_agreement_means_no_penalty(lookup):
    row = lookup["P5-NO-AGREEMENT"]
    assert (row["agreement_id"], row["total"], row["would_be_eligible"]) == (None, 0, True)


def test_p5_population_activation_both_sides_of_2400(lookup):
    assert lookup["P5-ACT-1231-235959"]["exclusion_reason"] == "new_since_base_date"
    assert lookup["P5-ACT-1231-235959"]["would_be_eligible"] is False
    assert "P5-ACT-0101-000000" not in lookup


def test_p5_population_termination_both_sides_of_2400(lookup):
    assert "P5-TERM-1231-235959" not in lookup
    assert lookup["P5-TERM-0101-000000"]["would_be_eligible"] is True


def test_p5_population_kt_network_in_service_only(lookup):
    assert "P5-MVNO" not in lookup
    assert lookup["P5-SUSPENDED"]["would_be_eligible"] is True
    assert "W1-0901-000000" not in lookup


@pytest.mark.parametrize(("line_id", "reason"), [
    ("P5-IOT", "iot_or_special"),
    ("P5-PREPAID", "prepaid"),
    ("P5-DEVICE-1231-235959", "device_change_since_base_date"),
    ("P5-RECONTRACT", "recontract_since_base_date"),
    ("P5-DEVICE-0101-000000", None),
])
def test_p5_exclusions_as_of_the_end_of_the_day(lookup, line_id, reason):
    assert lookup[line_id]["exclusion_reason"] == reason
    assert lookup[line_id]["would_be_eligible"] is (reason is None)


# P1-P3 against billing ----------------------------------------------------------------

def test_p2_computed_penalty_uses_the_kst_termination_date(warehouse, sql):
    # D = 2026-01-01 (KST): U = 657, R = 73 -> floor(600000 * 73 / 550) = 79,636.
    assert sql(warehouse, """
        select terminated_date, days_used, remaining_days, expected_subsidy_clawback_krw,
            billed_subsidy_clawback_krw, is_in_waiver_window
        from restricted.intermediate.int_termination_penalties_compared
        where line_id = 'P-RECON-KST-DATE'
    """) == [(dt.date(2026, 1, 1), 657, 73, 79_636, 79_636, True)]


def test_p1_reconciliation_counts_and_amounts(warehouse, sql):
    rows = sql(warehouse, """
        select component, scope, lines_compared, lines_disagreeing,
            lines_billed_above_computed, lines_billed_below_computed, billed_krw,
            computed_krw, difference_krw, absolute_difference_krw,
            max_absolute_difference_krw
        from main.rpt_penalty_billing_reconciliation
    """)
    report = {(row[0], row[1]): row[2:] for row in rows}
    assert len(report) == 6

    def outside_window(component: str) -> tuple:
        everything = report[(component, "all_terminations")]
        window = report[(component, "waiver_window")]
        return tuple(a - b for a, b in zip(everything[:8], window[:8], strict=True))

    # 24 months from 2024-03-15; D = 2025-06-15: U = 457, R = 273 ->
    # floor(600000 * 273 / 550) = 297,818; D = 2025-06-17: U = 459, R = 271 -> 295,636.
    # Billed: 297,818 (agree), 300,000 (+2,182), 200,000 (-95,636); two W1 lines, 0 / 0.
    assert outside_window("subsidy_clawback") == (
        5, 2, 1, 1, 297_818 + 300_000 + 200_000, 297_818 * 2 + 295_636,
        2_182 - 95_636, 2_182 + 95_636)
    assert outside_window("waivable_total") == outside_window("subsidy_clawback")
    assert outside_window("selective_discount_clawback") == (5, 0, 0, 0, 0, 0, 0, 0)
