"""Reward entitlements (issue 4, rules R1-R6) on one hand-written landing directory.

Every scenario has its own line and customer ids (prefixed with its rule), so the
scenarios are independent. The directory is built twice: with the default program
`kt_2025_12` (population as of 2026-01-14 00:00 KST) and with its revision
`kt_2025_12_rev1` (as of 2026-02-01 00:00 KST). All times below are KST wall-clock
strings; write_table stores them as UTC instants, as upstream systems deliver them.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from remedy.landing import write_tables

ACTIVE = "2025-06-01 10:00:00"
# The reward marts and their ancestors; `cautious` leaves out tests that also read
# models outside the selection (e.g. relationships to other seeds).
SELECT = ("build", "-s", "+fct_reward_entitlement_summary", "--indirect-selection", "cautious")

GRANT_MONTHS = {2: ("2026-02-01", "2026-02-28"), 3: ("2026-03-01", "2026-03-31"),
                4: ("2026-04-01", "2026-04-30"), 5: ("2026-05-01", "2026-05-31"),
                6: ("2026-06-01", "2026-06-30"), 7: ("2026-07-01", "2026-07-31")}
ALL_MONTHS = (2, 3, 4, 5, 6, 7)


class Landing:
    """Rows of the scenarios, collected per contract table."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = defaultdict(list)

    def customer(self, customer_id: str, birth_date: str | None = "1980-05-05",
                 customer_type: str = "individual") -> str:
        self.tables["customers"].append(dict(
            customer_id=customer_id, person_key=f"P-{customer_id}",
            customer_type=customer_type, full_name="홍길동", birth_date=birth_date,
            created_at="2019-12-01 09:00:00"))
        return customer_id

    def line(self, line_id: str, customer_id: str | None = None, activated: str = ACTIVE,
             suspensions: tuple[tuple[str, str | None], ...] = (),
             terminated: str | None = None, **overrides) -> str:
        """A line with its activation event, suspensions (start, end or None) and an
        optional termination. Without customer_id the line gets its own customer."""
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
        for number, (start, end) in enumerate(suspensions):
            self.event(f"{line_id}-susp-{number}", line_id, "suspension", start)
            if end is not None:
                self.event(f"{line_id}-resume-{number}", line_id, "suspension_end", end)
        if terminated is not None:
            self.event(f"{line_id}-term", line_id, "termination", terminated)
        return line_id

    def event(self, event_id: str, line_id: str, event_type: str, at: str) -> None:
        self.tables["contract_events"].append(dict(
            event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
            channel="store"))

    def roaming(self, purchase_id: str, line_id: str, at: str, base_data_mb: int) -> None:
        self.tables["roaming_passes"].append(dict(
            purchase_id=purchase_id, line_id=line_id, pass_code="RM", base_data_mb=base_data_mb,
            purchased_at=at))

    def ott(self, choice_id: str, line_id: str, service: str, at: str) -> None:
        self.tables["ott_choices"].append(dict(
            choice_id=choice_id, line_id=line_id, service=service, chosen_at=at))

    def insurance(self, application_id: str, customer_id: str, at: str) -> None:
        self.tables["insurance_applications"].append(dict(
            application_id=application_id, customer_id=customer_id, applied_at=at))

    def write(self, root: Path) -> None:
        write_tables(root, self.tables)


def scenarios() -> Landing:
    land = Landing()

    # R1: the population instant, both sides (2026-01-14 00:00 KST; rev1 2026-02-01 00:00).
    land.line("R1-ACT-235959", activated="2026-01-13 23:59:59")
    land.line("R1-ACT-000000", activated="2026-01-14 00:00:00")
    land.line("R1-TERM-235959", terminated="2026-01-13 23:59:59")
    land.line("R1-TERM-000000", terminated="2026-01-14 00:00:00")
    land.line("R1-TERM-0120", terminated="2026-01-20 10:00:00")
    land.line("R1-MVNO", network="mvno")
    land.line("R1-REV-ACT-235959", activated="2026-01-31 23:59:59")
    land.line("R1-REV-ACT-000000", activated="2026-02-01 00:00:00")
    land.line("R1-REV-TERM-235959", terminated="2026-01-31 23:59:59")
    land.line("R1-REV-TERM-000000", terminated="2026-02-01 00:00:00")

    # R2: grants on the 1st of 2026-02..07 at 00:00 KST.
    land.line("R2-FULL")
    land.line("R2-TABLET", line_class="tablet")
    land.line("R2-TWO-SUSP", suspensions=(("2026-02-15 10:00:00", "2026-04-10 10:00:00"),))
    land.line("R2-SUSP-0228-235959",
              suspensions=(("2026-02-28 23:59:59", "2026-03-10 10:00:00"),))
    land.line("R2-SUSP-0301-000000",
              suspensions=(("2026-03-01 00:00:00", "2026-03-10 10:00:00"),))
    land.line("R2-SUSP-0301-000001",
              suspensions=(("2026-03-01 00:00:01", "2026-03-10 10:00:00"),))
    land.line("R2-RESUME-0301-000000",
              suspensions=(("2026-02-10 10:00:00", "2026-03-01 00:00:00"),))
    land.line("R2-RESUME-0301-000001",
              suspensions=(("2026-02-10 10:00:00", "2026-03-01 00:00:01"),))
    land.line("R2-SUSP-OPEN", suspensions=(("2026-05-20 10:00:00", None),))
    land.line("R2-SUSP-AT-POPULATION",
              suspensions=(("2026-01-10 10:00:00", "2026-02-15 10:00:00"),))
    land.line("R2-TERM-0228-235959", terminated="2026-02-28 23:59:59")
    land.line("R2-TERM-0301-000000", terminated="2026-03-01 00:00:00")
    land.line("R2-TERM-0301-000001", terminated="2026-03-01 00:00:01")
    land.line("R2-IOT", line_class="iot")
    land.line("R2-SPECIAL", line_class="special")
    land.line("R2-PREPAID", payment_type="prepaid")
    land.line("R2-LATE-ACTIVATION", activated="2026-01-20 10:00:00")

    # R3: passes bought 2026-03-01 .. 2026-08-31 (KST days) earn floor(50 %) MB.
    land.line("R3-LINE")
    land.roaming("R3-P-0228-235959", "R3-LINE", "2026-02-28 23:59:59", 1000)
    land.roaming("R3-P-0301-000000", "R3-LINE", "2026-03-01 00:00:00", 1000)
    land.roaming("R3-P-0831-235959", "R3-LINE", "2026-08-31 23:59:59", 333)
    land.roaming("R3-P-0901-000000", "R3-LINE", "2026-09-01 00:00:00", 1000)
    land.roaming("R3-P-SAME-DAY-A", "R3-LINE", "2026-05-05 10:00:00", 3072)
    land.roaming("R3-P-SAME-DAY-B", "R3-LINE", "2026-05-05 18:00:00", 3)
    land.line("R3-IOT", line_class="iot")
    land.roaming("R3-P-IOT", "R3-IOT", "2026-04-01 10:00:00", 1000)
    land.line("R3-TERM", terminated="2026-04-01 00:00:00")
    land.roaming("R3-P-TERM-BEFORE", "R3-TERM", "2026-03-31 23:59:59", 1000)
    land.roaming("R3-P-TERM-AT", "R3-TERM", "2026-04-01 00:00:00", 1000)
    land.line("R3-SUSPENDED", suspensions=(("2026-03-01 10:00:00", "2026-06-01 10:00:00"),))
    land.roaming("R3-P-SUSPENDED", "R3-SUSPENDED", "2026-04-01 10:00:00", 2000)
    land.line("R3-LATE-ACTIVATION", activated="2026-01-20 10:00:00")
    land.roaming("R3-P-LATE-ACTIVATION", "R3-LATE-ACTIVATION", "2026-04-01 10:00:00", 1000)
    land.line("R3-PREPAID", payment_type="prepaid")
    land.roaming("R3-P-PREPAID", "R3-PREPAID", "2026-04-01 10:00:00", 1000)
    land.line("R3-MVNO", network="mvno")
    land.roaming("R3-P-MVNO", "R3-MVNO", "2026-04-01 10:00:00", 1000)

    # R4: one of tving / disney_plus by 2026-07-31 (KST day); first valid choice wins.
    land.line("R4-JAN")
    land.ott("R4-C-JAN", "R4-JAN", "tving", "2026-01-20 10:00:00")
    land.line("R4-MAR")
    land.ott("R4-C-MAR", "R4-MAR", "disney_plus", "2026-03-15 10:00:00")
    land.line("R4-DEADLINE-IN")
    land.ott("R4-C-DEADLINE-IN", "R4-DEADLINE-IN", "tving", "2026-07-31 23:59:59")
    land.line("R4-DEADLINE-OUT")
    land.ott("R4-C-DEADLINE-OUT", "R4-DEADLINE-OUT", "tving", "2026-08-01 00:00:00")
    land.line("R4-FIRST-WINS")
    land.ott("R4-C-FIRST", "R4-FIRST-WINS", "disney_plus", "2026-02-10 10:00:00")
    land.ott("R4-C-SECOND", "R4-FIRST-WINS", "tving", "2026-02-20 10:00:00")
    land.line("R4-UNKNOWN-FIRST")
    land.ott("R4-C-NETFLIX", "R4-UNKNOWN-FIRST", "netflix", "2026-02-01 10:00:00")
    land.ott("R4-C-AFTER-NETFLIX", "R4-UNKNOWN-FIRST", "tving", "2026-02-05 10:00:00")
    land.line("R4-LATE-THEN-NOTHING")
    land.ott("R4-C-LATE", "R4-LATE-THEN-NOTHING", "disney_plus", "2026-08-05 10:00:00")
    land.line("R4-TIE")
    land.ott("R4-C-TIE-B", "R4-TIE", "tving", "2026-02-10 10:00:00")
    land.ott("R4-C-TIE-A", "R4-TIE", "disney_plus", "2026-02-10 10:00:00")
    land.line("R4-TERMINATED", terminated="2026-02-01 12:00:00")
    land.ott("R4-C-TERMINATED", "R4-TERMINATED", "tving", "2026-03-01 10:00:00")
    land.line("R4-IOT", line_class="iot")
    land.ott("R4-C-IOT", "R4-IOT", "tving", "2026-02-10 10:00:00")
    land.line("R4-NOT-POPULATION", activated="2026-01-20 10:00:00")
    land.ott("R4-C-NOT-POPULATION", "R4-NOT-POPULATION", "tving", "2026-02-10 10:00:00")
    land.line("R4-BEFORE-PROGRAM")
    land.ott("R4-C-BEFORE-PROGRAM", "R4-BEFORE-PROGRAM", "tving", "2025-12-31 10:00:00")
    land.line("R4-MONTH-END")
    land.ott("R4-C-MONTH-END", "R4-MONTH-END", "tving", "2026-03-31 23:59:59")
    land.line("R4-MONTH-START")
    land.ott("R4-C-MONTH-START", "R4-MONTH-START", "tving", "2026-04-01 00:00:00")

    # R6: one policy per customer record; automatic at 65+ completed years on 2026-01-13.
    land.line("R6-65-L", land.customer("R6-65", "1961-01-13"))
    land.line("R6-64-L", land.customer("R6-64", "1961-01-14"))
    land.line("R6-64-APPLIED-L", land.customer("R6-64-APPLIED", "1961-01-14"))
    land.insurance("R6-A-64", "R6-64-APPLIED", "2026-03-15 10:00:00")
    land.line("R6-LEAP-L", land.customer("R6-LEAP", "1960-02-29"))
    land.line("R6-LEAP-64-L", land.customer("R6-LEAP-64", "1961-03-01"))
    multi = land.customer("R6-MULTI", "1950-07-07")
    for suffix, line_class in (("P", "phone"), ("T", "tablet"), ("W", "wearable")):
        land.line(f"R6-MULTI-{suffix}", multi, line_class=line_class)
    business = land.customer("R6-BUSINESS", None, customer_type="business")
    land.line("R6-BUSINESS-1", business)
    land.line("R6-BUSINESS-2", business)
    land.insurance("R6-A-BUSINESS", business, "2026-03-15 10:00:00")
    land.line("R6-TWICE-L", land.customer("R6-TWICE"))
    land.insurance("R6-A-TWICE-LATER", "R6-TWICE", "2026-05-10 10:00:00")
    land.insurance("R6-A-TWICE-FIRST", "R6-TWICE", "2026-03-15 10:00:00")
    land.line("R6-FEB-END-L", land.customer("R6-FEB-END"))
    land.insurance("R6-A-FEB-END", "R6-FEB-END", "2026-02-28 23:59:59")
    land.line("R6-MAR-START-L", land.customer("R6-MAR-START"))
    land.insurance("R6-A-MAR-START", "R6-MAR-START", "2026-03-01 00:00:00")
    land.line("R6-MVNO-ONLY-L", land.customer("R6-MVNO-ONLY", "1940-01-01"), network="mvno")
    land.line("R6-GONE-L", land.customer("R6-GONE", "1940-01-01"),
              terminated="2026-01-10 10:00:00")
    land.line("R6-AUTO-APPLIED-L", land.customer("R6-AUTO-APPLIED", "1940-01-01"))
    land.insurance("R6-A-AUTO-APPLIED", "R6-AUTO-APPLIED", "2026-03-15 10:00:00")
    land.line("R6-IOT-ONLY-L", land.customer("R6-IOT-ONLY", "1940-01-01"), line_class="iot")
    land.line("R6-REV-AGE-L", land.customer("R6-REV-AGE", "1961-01-20"))
    land.customer("R6-NO-LINE")
    land.insurance("R6-A-NO-LINE", "R6-NO-LINE", "2026-01-20 10:00:00")
    return land


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rewards") / "raw"
    scenarios().write(root)
    return root


@pytest.fixture(scope="module")
def warehouse(landing, tmp_path_factory, build) -> Path:
    return build(landing, tmp_path_factory.mktemp("rewards-wh"), args=SELECT)


@pytest.fixture(scope="module")
def warehouse_rev1(landing, tmp_path_factory, build) -> Path:
    return build(landing, tmp_path_factory.mktemp("rewards-wh-rev1"),
                 dbt_vars={"program_id": "kt_2025_12_rev1"}, args=SELECT, name="rev1")


def population(db, sql) -> set[str]:
    rows = sql(db, "select line_id from restricted.intermediate.int_reward_population_selected")
    return {row[0] for row in rows}


def entitlements(db, sql, benefit: str) -> set[tuple]:
    """(line_id or customer_id, period_start, period_end, quantity, unit, detail) as text."""
    owner = "customer_id" if benefit == "safety_insurance" else "line_id"
    return set(sql(db, f"""
        select {owner}, strftime(period_start, '%Y-%m-%d'), strftime(period_end, '%Y-%m-%d'),
            quantity, unit, detail
        from main.fct_reward_entitlements where benefit = ?
    """, [benefit]))


def months_granted(db, sql, line_id: str) -> tuple[int, ...]:
    rows = sql(db, """
        select month(period_start) from main.fct_reward_entitlements
        where benefit = 'data_bonus' and line_id = ? order by 1
    """, [line_id])
    return tuple(row[0] for row in rows)


def of(rows: set[tuple], owner: str) -> set[tuple]:
    return {row for row in rows if row[0] == owner}


# R1 ----------------------------------------------------------------------------------

R1_CASES = {
    "R1-ACT-235959": True, "R1-ACT-000000": False, "R1-TERM-235959": False,
    "R1-TERM-000000": True, "R1-TERM-0120": True, "R1-MVNO": False,
    "R1-REV-ACT-235959": False, "R1-REV-ACT-000000": False, "R1-REV-TERM-235959": True,
    "R1-REV-TERM-000000": True, "R2-LATE-ACTIVATION": False, "R2-IOT": True,
    "R2-PREPAID": True, "R2-SUSP-AT-POPULATION": True,
}


@pytest.mark.parametrize(("line_id", "expected"), R1_CASES.items())
def test_r1_population_instant_both_sides(warehouse, sql, line_id, expected):
    assert (line_id in population(warehouse, sql)) is expected


def test_r1_rev1_moves_the_population_instant(warehouse, warehouse_rev1, sql):
    base, rev1 = population(warehouse, sql), population(warehouse_rev1, sql)
    assert rev1 - base == {"R1-ACT-000000", "R1-REV-ACT-235959", "R2-LATE-ACTIVATION",
                           "R3-LATE-ACTIVATION", "R4-NOT-POPULATION"}
    assert base - rev1 == {"R1-TERM-000000", "R1-TERM-0120", "R1-REV-TERM-235959"}
    assert "R1-REV-TERM-000000" in base & rev1
    assert "R1-REV-ACT-000000" not in base | rev1


def test_r1_rev1_changes_the_entitlements(warehouse, warehouse_rev1, sql):
    assert months_granted(warehouse, sql, "R1-REV-ACT-235959") == ()
    assert months_granted(warehouse_rev1, sql, "R1-REV-ACT-235959") == ALL_MONTHS
    assert of(entitlements(warehouse, sql, "membership_discount"), "R1-TERM-0120")
    assert not of(entitlements(warehouse_rev1, sql, "membership_discount"), "R1-TERM-0120")
    # Terminated at 2026-02-01 00:00: in both populations, but not in service at any grant.
    assert months_granted(warehouse, sql, "R1-REV-TERM-000000") == ()
    assert months_granted(warehouse_rev1, sql, "R1-REV-TERM-000000") == ()
    # The insurance age is counted on the revision's reference date (2026-01-31).
    assert not of(entitlements(warehouse, sql, "safety_insurance"), "R6-REV-AGE")
    assert of(entitlements(warehouse_rev1, sql, "safety_insurance"), "R6-REV-AGE") == {
        ("R6-REV-AGE", "2026-02-01", "2028-01-31", 1, "policy", "auto")}


# R2 ----------------------------------------------------------------------------------

R2_CASES = {
    "R2-FULL": ALL_MONTHS,
    "R2-TABLET": ALL_MONTHS,
    "R2-TWO-SUSP": (2, 5, 6, 7),
    "R2-SUSP-0228-235959": (2, 4, 5, 6, 7),
    "R2-SUSP-0301-000000": (2, 4, 5, 6, 7),
    "R2-SUSP-0301-000001": ALL_MONTHS,
    "R2-RESUME-0301-000000": ALL_MONTHS,
    "R2-RESUME-0301-000001": (2, 4, 5, 6, 7),
    "R2-SUSP-OPEN": (2, 3, 4, 5),
    "R2-SUSP-AT-POPULATION": (3, 4, 5, 6, 7),
    "R2-TERM-0228-235959": (2,),
    "R2-TERM-0301-000000": (2,),
    "R2-TERM-0301-000001": (2, 3),
    "R2-IOT": (),
    "R2-SPECIAL": (),
    "R2-PREPAID": (),
    "R2-LATE-ACTIVATION": (),
    "R1-MVNO": (),
}


@pytest.mark.parametrize(("line_id", "months"), R2_CASES.items())
def test_r2_grants_checked_at_each_grant_date(warehouse, sql, line_id, months):
    assert months_granted(warehouse, sql, line_id) == months


def test_r2_grant_rows_are_100_gb_for_the_grant_month(warehouse, sql):
    assert of(entitlements(warehouse, sql, "data_bonus"), "R2-FULL") == {
        ("R2-FULL", start, end, 100, "GB", None) for start, end in GRANT_MONTHS.values()}


def test_r2_identity_grants_per_month_within_eligible_population(warehouse, sql):
    [(eligible,)] = sql(warehouse, """
        select count(*) from restricted.intermediate.int_reward_population_selected
        where not is_iot_or_special and not is_prepaid
    """)
    per_month = sql(warehouse, """
        select period_start, count(*) from main.fct_reward_entitlements
        where benefit = 'data_bonus' group by 1
    """)
    assert len(per_month) == 6
    assert all(0 < granted <= eligible for _, granted in per_month)


def test_r2_identity_total_gb_is_seed_quantity_times_grants(warehouse, sql):
    [(total, expected, grants)] = sql(warehouse, """
        select sum(entitlements.quantity), sum(grants.quantity), count(*)
        from main.fct_reward_entitlements as entitlements
        inner join program.program_data_grants as grants
            on entitlements.period_start = grants.grant_date
            and grants.program_id = 'kt_2025_12'
        where entitlements.benefit = 'data_bonus'
    """)
    [(data_rows,)] = sql(warehouse, """
        select count(*) from main.fct_reward_entitlements where benefit = 'data_bonus'
    """)
    assert grants == data_rows
    assert total == expected == 100 * grants


# R3 ----------------------------------------------------------------------------------

def test_r3_roaming_window_both_sides_and_floor(warehouse, sql):
    assert of(entitlements(warehouse, sql, "roaming_bonus"), "R3-LINE") == {
        ("R3-LINE", "2026-03-01", "2026-03-01", 500, "MB", "R3-P-0301-000000"),
        ("R3-LINE", "2026-08-31", "2026-08-31", 166, "MB", "R3-P-0831-235959"),
        ("R3-LINE", "2026-05-05", "2026-05-05", 1536, "MB", "R3-P-SAME-DAY-A"),
        ("R3-LINE", "2026-05-05", "2026-05-05", 1, "MB", "R3-P-SAME-DAY-B"),
    }


def test_r3_line_must_be_in_service_at_purchase(warehouse, sql):
    rows = entitlements(warehouse, sql, "roaming_bonus")
    assert {row[5] for row in of(rows, "R3-TERM")} == {"R3-P-TERM-BEFORE"}
    assert {row[5] for row in of(rows, "R3-SUSPENDED")} == {"R3-P-SUSPENDED"}
    assert {row[5] for row in of(rows, "R3-PREPAID")} == {"R3-P-PREPAID"}


@pytest.mark.parametrize("line_id", ["R3-IOT", "R3-LATE-ACTIVATION", "R3-MVNO"])
def test_r3_no_bonus_outside_population_or_for_iot(warehouse, sql, line_id):
    assert not of(entitlements(warehouse, sql, "roaming_bonus"), line_id)


# R4 ----------------------------------------------------------------------------------

R4_CASES = {
    "R4-JAN": ("2026-02-01", "2026-07-31", "tving"),
    "R4-MAR": ("2026-04-01", "2026-09-30", "disney_plus"),
    "R4-DEADLINE-IN": ("2026-08-01", "2027-01-31", "tving"),
    "R4-DEADLINE-OUT": None,
    "R4-FIRST-WINS": ("2026-03-01", "2026-08-31", "disney_plus"),
    "R4-UNKNOWN-FIRST": ("2026-03-01", "2026-08-31", "tving"),
    "R4-LATE-THEN-NOTHING": None,
    "R4-TIE": ("2026-03-01", "2026-08-31", "disney_plus"),
    "R4-TERMINATED": ("2026-04-01", "2026-09-30", "tving"),
    "R4-IOT": None,
    "R4-NOT-POPULATION": None,
    "R4-BEFORE-PROGRAM": ("2026-02-01", "2026-07-31", "tving"),
    "R4-MONTH-END": ("2026-04-01", "2026-09-30", "tving"),
    "R4-MONTH-START": ("2026-05-01", "2026-10-31", "tving"),
}


@pytest.mark.parametrize(("line_id", "voucher"), R4_CASES.items())
def test_r4_voucher_period_deadline_and_first_valid_choice(warehouse, sql, line_id, voucher):
    rows = of(entitlements(warehouse, sql, "ott_voucher"), line_id)
    expected = set() if voucher is None else {(line_id, *voucher[:2], 1, "voucher", voucher[2])}
    assert rows == expected


def test_r4_rejected_choices_are_kept_with_a_reason(warehouse, sql):
    rows = dict(sql(warehouse, """
        select choice_id, rejection_reason from restricted.intermediate.int_ott_choices_ranked
        where choice_status = 'rejected'
    """))
    assert rows == {
        "R4-C-DEADLINE-OUT": "after_deadline",
        "R4-C-LATE": "after_deadline",
        "R4-C-SECOND": "not_first_valid_choice",
        "R4-C-NETFLIX": "unknown_service",
        "R4-C-TIE-B": "not_first_valid_choice",
        "R4-C-IOT": "iot_or_special",
        "R4-C-NOT-POPULATION": "not_in_population",
    }


# R5 ----------------------------------------------------------------------------------

def test_r5_membership_for_every_population_line_not_iot(warehouse, sql):
    rows = entitlements(warehouse, sql, "membership_discount")
    [(expected,)] = sql(warehouse, """
        select count(*) from restricted.intermediate.int_reward_population_selected
        where not is_iot_or_special
    """)
    assert len(rows) == expected
    assert {row[1:] for row in rows} == {("2026-02-01", "2026-07-31", 1, "membership", None)}
    lines = {row[0] for row in rows}
    assert {"R2-FULL", "R2-PREPAID", "R2-SUSP-OPEN", "R4-TERMINATED", "R1-TERM-000000"} <= lines
    assert not {"R2-IOT", "R2-SPECIAL", "R1-MVNO", "R2-LATE-ACTIVATION"} & lines


# R6 ----------------------------------------------------------------------------------

AUTO = ("2026-02-01", "2028-01-31", 1, "policy", "auto")
R6_CASES = {
    "R6-65": AUTO,
    "R6-64": None,
    "R6-64-APPLIED": ("2026-04-01", "2028-03-31", 1, "policy", "application"),
    "R6-LEAP": AUTO,
    "R6-LEAP-64": None,
    "R6-MULTI": AUTO,
    "R6-BUSINESS": None,
    "R6-TWICE": ("2026-04-01", "2028-03-31", 1, "policy", "application"),
    "R6-FEB-END": ("2026-03-01", "2028-02-29", 1, "policy", "application"),
    "R6-MAR-START": ("2026-04-01", "2028-03-31", 1, "policy", "application"),
    "R6-MVNO-ONLY": None,
    "R6-GONE": None,
    "R6-AUTO-APPLIED": AUTO,
    "R6-IOT-ONLY": AUTO,
    "R6-REV-AGE": None,
    "R6-NO-LINE": None,
}


@pytest.mark.parametrize(("customer_id", "policy"), R6_CASES.items())
def test_r6_insurance_per_customer(warehouse, sql, customer_id, policy):
    rows = of(entitlements(warehouse, sql, "safety_insurance"), customer_id)
    assert rows == (set() if policy is None else {(customer_id, *policy)})


def test_r6_policy_has_no_line_and_one_per_customer(warehouse, sql):
    [(policies, customers, with_line)] = sql(warehouse, """
        select count(*), count(distinct customer_id), count(line_id)
        from main.fct_reward_entitlements where benefit = 'safety_insurance'
    """)
    assert policies == customers > 0
    assert with_line == 0


# The marts ---------------------------------------------------------------------------

def test_entitlement_id_is_the_natural_key_as_text(warehouse, sql):
    """Deterministic and readable: benefit|line (or customer)|period start|detail."""
    rows = sql(warehouse, """
        select entitlement_id, benefit, coalesce(line_id, customer_id),
            strftime(period_start, '%Y-%m-%d'), detail
        from main.fct_reward_entitlements
    """)
    for entitlement_id, *key in rows:
        assert entitlement_id == "|".join(part for part in key if part is not None)
    assert len({row[0] for row in rows}) == len(rows)

def test_entitlement_id_is_stable_across_builds(warehouse, warehouse_rev1, sql):
    query = """
        select line_id, period_start, entitlement_id from main.fct_reward_entitlements
        where line_id = 'R2-FULL'
    """
    assert len(sql(warehouse, query)) == 7
    assert set(sql(warehouse, query)) == set(sql(warehouse_rev1, query))


def test_summary_counts_per_benefit_and_month(warehouse, sql):
    summary = {
        (benefit, month.isoformat()): rest
        for benefit, month, *rest in sql(warehouse, """
            select benefit, entitlement_month, unit, entitlement_count, line_count,
                customer_count, total_quantity
            from main.fct_reward_entitlement_summary
        """)
    }
    expected = {
        (benefit, month.isoformat()): [unit, count, lines, customers, total]
        for benefit, month, unit, count, lines, customers, total in sql(warehouse, """
            select benefit, date_trunc('month', period_start)::date, unit, count(*),
                count(distinct line_id), count(distinct customer_id), sum(quantity)
            from main.fct_reward_entitlements group by all
        """)
    }
    assert summary == expected
    [unit, count, lines, customers, total] = summary[("data_bonus", "2026-02-01")]
    assert (unit, total) == ("GB", 100 * count)
    assert lines == count
    assert summary[("safety_insurance", "2026-02-01")][2] == 0
