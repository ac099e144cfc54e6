"""Refund applications, waves and amounts (A1-A7) and reminder notices (N2) on one
hand-written landing directory (issue 3), plus the program switch: building the same
directory with kt_2025_12_rev1 (which only moves the reward date) changes none of the
waiver marts.

Every scenario has its own line (prefixed with the rule it exercises). Unless a scenario
says otherwise a line is a KT postpaid phone in service since 2024-01-01, terminated
2025-10-10 12:00 KST, billed a waivable 100,000 won of which 40,000 paid (so `eligible`).
Times are KST wall-clock strings; write_table stores them as UTC instants.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from remedy.landing import write_tables

ACTIVE = "2024-01-01 10:00:00"
TERMINATED = "2025-10-10 12:00:00"
ON_TIME = "2026-01-20 10:00:00"
MARTS = ("fct_waiver_eligibility", "fct_penalty_lookup", "fct_refund_application_outcomes",
         "fct_refund_assignments", "fct_refund_notices", "rpt_penalty_billing_reconciliation")
SELECT = ("build", "-s", " ".join(f"+{mart}" for mart in MARTS),
          "--indirect-selection", "cautious")
NOTICE_DATES = {1: dt.date(2026, 2, 9), 2: dt.date(2026, 2, 23), 3: dt.date(2026, 3, 9)}


class Landing:
    """Rows of the scenarios, collected per contract table."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = defaultdict(list)

    def line(self, line_id: str, terminated: str | None = TERMINATED,
             charges: tuple[tuple[str, int, int], ...] = (("subsidy_clawback", 100_000,
                                                           40_000),),
             **overrides) -> str:
        """A line of its own customer, terminated (by default in the waiver window), with
        its penalty charges as (component, billed, paid)."""
        customer_id = f"C-{line_id}"
        self.tables["customers"].append(dict(
            customer_id=customer_id, person_key=f"P-{line_id}", customer_type="individual",
            full_name="홍길동", birth_date="1980-05-05", created_at="2019-12-01 09:00:00"))
        row = dict(line_id=line_id, customer_id=customer_id, msisdn="010-1234-5678",
                   network="kt", line_class="phone", payment_type="postpaid",
                   activated_at=ACTIVE)
        row.update(overrides)
        self.tables["lines"].append(row)
        self.event(f"{line_id}-act", line_id, "activation", ACTIVE)
        if terminated is not None:
            self.event(f"{line_id}-term", line_id, "termination", terminated)
            for number, (component, billed, paid) in enumerate(charges):
                self.tables["penalty_charges"].append(dict(
                    charge_id=f"{line_id}-ch-{number}", line_id=line_id,
                    termination_event_id=f"{line_id}-term", component=component,
                    billed_krw=billed, paid_krw=paid, billed_on="2026-01-05"))
        return line_id

    def event(self, event_id: str, line_id: str, event_type: str, at: str) -> None:
        self.tables["contract_events"].append(dict(
            event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
            channel="store"))

    def apply(self, application_id: str, line_id: str | None, at: str,
              channel: str = "web", holder_matches: bool | None = True,
              holder_exception: str | None = None, hardship: str | None = None,
              hardship_ended_on: str | None = None) -> None:
        self.tables["refund_applications"].append(dict(
            application_id=application_id, line_id=line_id, channel=channel, applied_at=at,
            account_holder_matches=holder_matches, holder_exception=holder_exception,
            hardship_reason=hardship, hardship_ended_on=hardship_ended_on,
            bank_account_token=f"TOKEN-{application_id}"))

    def write(self, root: Path) -> None:
        write_tables(root, self.tables)


def scenarios() -> Landing:
    land = Landing()

    # A1: the three channels.
    for channel in ("web", "call_center", "store"):
        land.line(f"A1-{channel}")
        land.apply(f"A1-{channel}-app", f"A1-{channel}", ON_TIME, channel=channel)

    # A2: the application window 2026-01-14 09:00 .. 2026-01-31 22:00, both sides.
    for name, at in (("A2-0114-085959", "2026-01-14 08:59:59"),
                     ("A2-0114-090000", "2026-01-14 09:00:00"),
                     ("A2-0131-220000", "2026-01-31 22:00:00"),
                     ("A2-0131-220001", "2026-01-31 22:00:01")):
        land.line(name)
        land.apply(f"{name}-app", name, at)

    # A3: account holder.
    for name, matches, exception in (("A3-MISMATCH", False, None),
                                     ("A3-NULL-MATCH", None, None),
                                     ("A3-MINOR", False, "minor"),
                                     ("A3-CORPORATE", False, "corporate")):
        land.line(name)
        land.apply(f"{name}-app", name, ON_TIME, holder_matches=matches,
                   holder_exception=exception)

    # A4: late applications; hardship grace = ended_on + 14 days (KST date).
    for name, at, reason, ended in (
            ("A4-MILITARY-PLUS-14", "2026-02-20 23:59:59", "military", "2026-02-06"),
            ("A4-MILITARY-PLUS-15", "2026-02-21 00:00:00", "military", "2026-02-06"),
            ("A4-ABROAD", "2026-02-15 10:00:00", "abroad", "2026-02-10"),
            ("A4-NO-HARDSHIP", "2026-02-15 10:00:00", None, None)):
        land.line(name)
        land.apply(f"{name}-app", name, at, hardship=reason, hardship_ended_on=ended)

    # A5: waves by termination date (KST) and application time (KST).
    for name, terminated, at in (
            ("A5-1231-W1-LAST", "2025-12-31 23:59:59", "2026-01-18 23:59:59"),
            ("A5-1231-W2-FIRST", "2025-12-31 10:00:00", "2026-01-19 00:00:00"),
            ("A5-0901-W1", "2025-09-01 00:00:00", "2026-01-14 09:00:00"),
            ("A5-0101-W3", "2026-01-01 00:00:00", "2026-01-14 09:00:00"),
            ("A5-0113-W3-LAST", "2026-01-13 23:59:59", "2026-01-31 22:00:00")):
        land.line(name, terminated=terminated)
        land.apply(f"{name}-app", name, at)

    # A6: outcome order and one refund per line.
    land.apply("A6-UNKNOWN-app", "A6-NO-SUCH-LINE", ON_TIME)
    land.apply("A6-NULL-LINE-app", None, ON_TIME)
    land.line("A6-EXCLUDED", payment_type="prepaid")
    land.apply("A6-EXCLUDED-app", "A6-EXCLUDED", ON_TIME)
    land.line("A6-NO-PENALTY", charges=())
    land.apply("A6-NO-PENALTY-app", "A6-NO-PENALTY", ON_TIME)
    land.line("A6-IN-SERVICE", terminated=None)
    land.apply("A6-IN-SERVICE-app", "A6-IN-SERVICE", ON_TIME)
    land.line("A6-EXCLUDED-BEFORE-WINDOW", payment_type="prepaid")
    land.apply("A6-EXCLUDED-BEFORE-WINDOW-app", "A6-EXCLUDED-BEFORE-WINDOW",
               "2026-01-10 10:00:00")
    land.line("A6-DUPLICATES")
    land.apply("A6-DUPLICATES-1-before", "A6-DUPLICATES", "2026-01-13 10:00:00")
    land.apply("A6-DUPLICATES-2-first", "A6-DUPLICATES", "2026-01-15 10:00:00")
    land.apply("A6-DUPLICATES-3-second", "A6-DUPLICATES", "2026-01-16 10:00:00")
    land.apply("A6-DUPLICATES-4-late", "A6-DUPLICATES", "2026-02-16 10:00:00")
    land.line("A6-TIE")
    land.apply("A6-TIE-b", "A6-TIE", ON_TIME)
    land.apply("A6-TIE-a", "A6-TIE", ON_TIME)
    land.line("A6-PAYABLE-LATER")
    land.apply("A6-PAYABLE-LATER-1-mismatch", "A6-PAYABLE-LATER", "2026-01-15 10:00:00",
               holder_matches=False)
    land.apply("A6-PAYABLE-LATER-2-ok", "A6-PAYABLE-LATER", "2026-01-20 10:00:00",
               channel="store")
    land.line("A6-NONE-PAYABLE")
    land.apply("A6-NONE-PAYABLE-1-late", "A6-NONE-PAYABLE", "2026-02-05 10:00:00")
    land.apply("A6-NONE-PAYABLE-0-mismatch", "A6-NONE-PAYABLE", "2026-01-20 10:00:00",
               holder_matches=False)
    land.line("A6-BEFORE-THEN-LATE")
    land.apply("A6-BEFORE-THEN-LATE-1", "A6-BEFORE-THEN-LATE", "2026-01-14 08:00:00")
    land.apply("A6-BEFORE-THEN-LATE-2", "A6-BEFORE-THEN-LATE", "2026-02-02 10:00:00",
               hardship="abroad", hardship_ended_on="2026-01-25")

    # A7: refund = waivable paid, cancel = waivable billed - paid; other components ignored.
    land.line("A7-AMOUNTS", charges=(("subsidy_clawback", 100_000, 40_000),
                                     ("selective_discount_clawback", 50_000, 50_000),
                                     ("device_installment", 300_000, 300_000),
                                     ("bundle_clawback", 20_000, 0)))
    land.apply("A7-AMOUNTS-app", "A7-AMOUNTS", ON_TIME)
    land.line("A7-NOT-APPLIED", charges=(("selective_discount_clawback", 70_000, 25_000),))

    # N2: reminders on 2026-02-09, 02-23, 03-09 to eligible lines without an application
    # dated (KST) on or before the reminder date; before_window ones do not count.
    land.line("N2-NEVER")
    for name, at in (("N2-0209-235959", "2026-02-09 23:59:59"),
                     ("N2-0210-000000", "2026-02-10 00:00:00"),
                     ("N2-0223-235959", "2026-02-23 23:59:59"),
                     ("N2-0224-000000", "2026-02-24 00:00:00"),
                     ("N2-0309-235959", "2026-03-09 23:59:59"),
                     ("N2-0310-000000", "2026-03-10 00:00:00"),
                     ("N2-BEFORE-WINDOW", "2026-01-14 08:59:59")):
        land.line(name)
        land.apply(f"{name}-app", name, at)
    land.line("N2-NOT-ELIGIBLE", charges=())
    return land


def build_marts(tmp_path_factory, build, sql, program_id: str | None) -> dict[str, list]:
    root = tmp_path_factory.mktemp(f"refunds-{program_id or 'default'}")
    scenarios().write(root / "raw")
    dbt_vars = {"program_id": program_id} if program_id else None
    db_path = build(root / "raw", root, dbt_vars=dbt_vars, args=SELECT)
    return {mart: sql(db_path, f"select * from main.{mart} order by all") for mart in MARTS} | {
        "_db_path": db_path}


@pytest.fixture(scope="module")
def marts(tmp_path_factory, build, sql) -> dict[str, list]:
    return build_marts(tmp_path_factory, build, sql, None)


@pytest.fixture(scope="module")
def warehouse(marts) -> Path:
    return marts["_db_path"]


@pytest.fixture(scope="module")
def outcomes(warehouse, sql) -> dict[str, tuple]:
    rows = sql(warehouse, """
        select application_id, outcome, review_reason
        from main.fct_refund_application_outcomes
    """)
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def assignments(warehouse, sql) -> dict[str, dict]:
    keys = ("line_id", "application_id", "channel", "applied_at_kst", "assignment_status",
            "review_reason", "refund_wave", "payout_date", "refund_krw", "cancel_krw")
    rows = sql(warehouse, f"select {', '.join(keys)} from main.fct_refund_assignments")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


@pytest.fixture(scope="module")
def notices(warehouse, sql) -> dict[str, dict[int, dt.date]]:
    result: dict[str, dict[int, dt.date]] = defaultdict(dict)
    for line_id, number, date in sql(warehouse, """
        select line_id, notice_number, notice_date from main.fct_refund_notices
    """):
        result[line_id][number] = date
    return result


def assignment(assignments, line_id: str) -> tuple:
    row = assignments[line_id]
    return (row["application_id"], row["assignment_status"], row["review_reason"],
            row["refund_wave"], row["payout_date"])


# A1 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["web", "call_center", "store"])
def test_a1_every_channel_is_accepted(outcomes, assignments, channel):
    assert outcomes[f"A1-{channel}-app"] == ("accepted", None)
    assert assignments[f"A1-{channel}"]["channel"] == channel


# A2 -----------------------------------------------------------------------------------

def test_a2_before_window_is_rejected(outcomes, assignments):
    assert outcomes["A2-0114-085959-app"] == ("before_window", None)
    assert assignment(assignments, "A2-0114-085959") == (
        None, "not_applied", None, None, None)


def test_a2_window_opens_at_0900(outcomes, assignments):
    assert outcomes["A2-0114-090000-app"] == ("accepted", None)
    assert assignment(assignments, "A2-0114-090000") == (
        "A2-0114-090000-app", "scheduled", None, 1, dt.date(2026, 1, 22))
    assert assignments["A2-0114-090000"]["applied_at_kst"] == dt.datetime(2026, 1, 14, 9)


def test_a2_window_closes_at_2200_inclusive(outcomes, assignments):
    assert outcomes["A2-0131-220000-app"] == ("accepted", None)
    assert assignment(assignments, "A2-0131-220000") == (
        "A2-0131-220000-app", "scheduled", None, 2, dt.date(2026, 2, 5))


def test_a2_one_second_after_the_window_is_late(outcomes, assignments):
    assert outcomes["A2-0131-220001-app"] == ("manual_review", "late_application")
    assert assignment(assignments, "A2-0131-220001") == (
        "A2-0131-220001-app", "manual_review", "late_application", None, None)


# A3 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["A3-MISMATCH", "A3-NULL-MATCH"])
def test_a3_holder_mismatch_goes_to_manual_review(outcomes, assignments, name):
    assert outcomes[f"{name}-app"] == ("manual_review", "account_holder_mismatch")
    assert assignment(assignments, name) == (
        f"{name}-app", "manual_review", "account_holder_mismatch", None, None)


@pytest.mark.parametrize("name", ["A3-MINOR", "A3-CORPORATE"])
def test_a3_minor_and_corporate_accounts_are_paid(outcomes, assignments, name):
    assert outcomes[f"{name}-app"] == ("accepted", None)
    assert assignment(assignments, name) == (
        f"{name}-app", "scheduled", None, 2, dt.date(2026, 2, 5))


# A4 -----------------------------------------------------------------------------------

def test_a4_hardship_ended_plus_14_days_is_an_extension(outcomes, assignments):
    assert outcomes["A4-MILITARY-PLUS-14-app"] == ("manual_review", "hardship_extension")
    assert assignments["A4-MILITARY-PLUS-14"]["review_reason"] == "hardship_extension"


def test_a4_hardship_ended_plus_15_days_is_late(outcomes):
    # 2026-02-21 00:00 KST is still 2026-02-20 in UTC: the KST date decides.
    assert outcomes["A4-MILITARY-PLUS-15-app"] == ("manual_review", "late_application")


def test_a4_abroad_is_a_hardship(outcomes):
    assert outcomes["A4-ABROAD-app"] == ("manual_review", "hardship_extension")


def test_a4_late_without_hardship(outcomes, assignments):
    assert outcomes["A4-NO-HARDSHIP-app"] == ("manual_review", "late_application")
    assert assignments["A4-NO-HARDSHIP"]["assignment_status"] == "manual_review"


# A5 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "wave", "payout"), [
    ("A5-1231-W1-LAST", 1, dt.date(2026, 1, 22)),
    ("A5-1231-W2-FIRST", 2, dt.date(2026, 2, 5)),
    ("A5-0901-W1", 1, dt.date(2026, 1, 22)),
    ("A5-0101-W3", 3, dt.date(2026, 2, 19)),
    ("A5-0113-W3-LAST", 3, dt.date(2026, 2, 19)),
])
def test_a5_waves(assignments, name, wave, payout):
    assert assignment(assignments, name) == (f"{name}-app", "scheduled", None, wave, payout)


def test_a5_wave_table_is_read_from_the_program_seed(warehouse, sql):
    waves = sql(warehouse, """
        select refund_wave, payout_date from program.program_refund_waves
        where program_id = 'kt_2025_12' order by 1
    """)
    scheduled = sql(warehouse, """
        select distinct refund_wave, payout_date from main.fct_refund_assignments
        where assignment_status = 'scheduled' order by 1
    """)
    assert scheduled == waves


# A6 -----------------------------------------------------------------------------------

def test_a6_unknown_line(outcomes):
    assert outcomes["A6-UNKNOWN-app"] == ("unknown_line", None)
    assert outcomes["A6-NULL-LINE-app"] == ("unknown_line", None)


@pytest.mark.parametrize("name", ["A6-EXCLUDED", "A6-NO-PENALTY", "A6-IN-SERVICE",
                                  "A6-EXCLUDED-BEFORE-WINDOW"])
def test_a6_not_eligible_comes_before_before_window(outcomes, assignments, name):
    assert outcomes[f"{name}-app"] == ("not_eligible", None)
    assert name not in assignments


def test_a6_earliest_payable_is_accepted_the_rest_duplicate(outcomes, assignments):
    assert [outcomes[f"A6-DUPLICATES-{suffix}"] for suffix in
            ("1-before", "2-first", "3-second", "4-late")] == [
        ("before_window", None), ("accepted", None), ("duplicate", None),
        ("duplicate", None)]
    assert assignment(assignments, "A6-DUPLICATES") == (
        "A6-DUPLICATES-2-first", "scheduled", None, 1, dt.date(2026, 1, 22))


def test_a6_tie_on_applied_at_breaks_by_application_id(outcomes):
    assert outcomes["A6-TIE-a"] == ("accepted", None)
    assert outcomes["A6-TIE-b"] == ("duplicate", None)


def test_a6_later_payable_application_beats_earlier_unpayable(outcomes, assignments):
    assert outcomes["A6-PAYABLE-LATER-1-mismatch"] == ("duplicate", None)
    assert outcomes["A6-PAYABLE-LATER-2-ok"] == ("accepted", None)
    row = assignments["A6-PAYABLE-LATER"]
    assert (row["application_id"], row["channel"], row["applied_at_kst"],
            row["refund_wave"]) == (
        "A6-PAYABLE-LATER-2-ok", "store", dt.datetime(2026, 1, 20, 10), 2)


def test_a6_no_payable_application_reviews_the_earliest(outcomes, assignments):
    assert outcomes["A6-NONE-PAYABLE-0-mismatch"] == (
        "manual_review", "account_holder_mismatch")
    assert outcomes["A6-NONE-PAYABLE-1-late"] == ("duplicate", None)
    assert assignment(assignments, "A6-NONE-PAYABLE") == (
        "A6-NONE-PAYABLE-0-mismatch", "manual_review", "account_holder_mismatch", None,
        None)


def test_a6_before_window_does_not_take_the_review(outcomes, assignments):
    assert outcomes["A6-BEFORE-THEN-LATE-1"] == ("before_window", None)
    assert outcomes["A6-BEFORE-THEN-LATE-2"] == ("manual_review", "hardship_extension")
    assert assignments["A6-BEFORE-THEN-LATE"]["application_id"] == "A6-BEFORE-THEN-LATE-2"


def test_a6_every_application_has_exactly_one_outcome(warehouse, sql):
    landed = len(scenarios().tables["refund_applications"])
    assert sql(warehouse, """
        select count(*), count(distinct application_id), count(outcome)
        from main.fct_refund_application_outcomes
    """) == [(landed, landed, landed)]


# A7 -----------------------------------------------------------------------------------

def test_a7_refund_is_paid_cancel_is_unpaid_waivable(assignments):
    row = assignments["A7-AMOUNTS"]
    assert (row["refund_krw"], row["cancel_krw"]) == (90_000, 60_000)


def test_a7_not_applied_line_still_carries_its_amounts(assignments):
    assert assignment(assignments, "A7-NOT-APPLIED") == (
        None, "not_applied", None, None, None)
    row = assignments["A7-NOT-APPLIED"]
    assert (row["refund_krw"], row["cancel_krw"]) == (25_000, 45_000)


# Identities ---------------------------------------------------------------------------

def test_a6_identity_eligible_equals_scheduled_manual_review_not_applied(warehouse, sql):
    eligible = sql(warehouse, """
        select count(*) from main.fct_waiver_eligibility where waiver_status = 'eligible'
    """)[0][0]
    by_status = dict(sql(warehouse, """
        select assignment_status, count(*) from main.fct_refund_assignments group by 1
    """))
    assert by_status == {"scheduled": 16, "manual_review": 15, "not_applied": 4}
    assert sum(by_status.values()) == eligible


def test_a7_identity_refunds_equal_waivable_paid(warehouse, sql):
    [(refunds, paid)] = sql(warehouse, """
        select
            (select sum(refund_krw) from main.fct_refund_assignments),
            (select sum(waivable_paid_krw) from main.fct_waiver_eligibility
             where waiver_status = 'eligible')
    """)
    assert refunds == paid == 33 * 40_000 + 90_000 + 25_000


# N2 -----------------------------------------------------------------------------------

def test_n2_no_application_gets_all_three_reminders(notices):
    assert notices["N2-NEVER"] == NOTICE_DATES
    assert notices["A7-NOT-APPLIED"] == NOTICE_DATES


def test_n2_before_window_application_does_not_count(notices):
    assert notices["N2-BEFORE-WINDOW"] == NOTICE_DATES
    assert notices["A2-0114-085959"] == NOTICE_DATES


@pytest.mark.parametrize(("name", "numbers"), [
    ("N2-0209-235959", []),
    ("N2-0210-000000", [1]),
    ("N2-0223-235959", [1]),
    ("N2-0224-000000", [1, 2]),
    ("N2-0309-235959", [1, 2]),
    ("N2-0310-000000", [1, 2, 3]),
])
def test_n2_reminder_dates_both_sides(notices, name, numbers):
    assert notices.get(name, {}) == {number: NOTICE_DATES[number] for number in numbers}


def test_n2_applicants_and_ineligible_lines_get_no_reminder(notices):
    for line_id in ("A1-web", "A2-0131-220001", "A6-DUPLICATES", "N2-NOT-ELIGIBLE",
                    "A6-EXCLUDED", "A6-NO-PENALTY"):
        assert line_id not in notices


def test_n2_reminders_go_only_to_eligible_lines(warehouse, sql):
    assert sql(warehouse, """
        select count(*) from main.fct_refund_notices as notices
        left join main.fct_waiver_eligibility as eligibility
            on notices.line_id = eligibility.line_id
        where eligibility.waiver_status is distinct from 'eligible'
    """) == [(0,)]


# Program switch -----------------------------------------------------------------------

def test_program_revision_changes_nothing_in_the_waiver_marts(
        marts, tmp_path_factory, build, sql):
    revised = build_marts(tmp_path_factory, build, sql, "kt_2025_12_rev1")
    for mart in MARTS:
        assert revised[mart] == marts[mart], mart
        assert marts[mart], f"{mart} is empty: the comparison would prove nothing"
