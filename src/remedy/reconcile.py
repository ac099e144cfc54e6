"""`remedy reconcile`: the control identities, computed a second time in Python.

`main.rpt_reconciliation` (dbt) computes one row per control. This module recomputes every
control independently: its own queries on the published marts, the accepted and quarantined
landing rows (not `rpt_source_row_counts`), and the P1-P3 penalty arithmetic written again in
Python (`remedy.rules`, not the `expected_penalties` macro), with the grace days of the program
the warehouse was built with. A run fails when any control fails on either side, or when the two
implementations disagree on a figure, a severity or on the list of controls.

Every control has a severity. An `integrity` control is an identity of the warehouse itself
(every delivered row accounted for, populations partitioned, money conserved); when one fails,
the warehouse is wrong and the run fails. A `finding` compares the warehouse with a source
system (the billed penalty against the P1-P3 arithmetic); when one is outside its tolerance
the run reports it with its counts and amounts, and fails only when strict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from remedy.contract import TABLES
from remedy.program import Program, load_program, open_database, project_var, relation_exists
from remedy.rules import expected_penalty_krw

SOURCE_TABLES: tuple[str, ...] = tuple(TABLES)
WAVE_STATUSES = ("scheduled",)
UNSCHEDULED_STATUSES = ("manual_review", "not_applied")
WAIVER_STATUSES = ("eligible", "eligible_no_penalty", "excluded")
INTEGRITY = "integrity"
FINDING = "finding"
SEVERITIES = (INTEGRITY, FINDING)


@dataclass(frozen=True)
class Control:
    check_name: str
    expected: int | None
    actual: int | None
    passed: bool
    severity: str = INTEGRITY

    @property
    def difference(self) -> int | None:
        if self.expected is None or self.actual is None:
            return None
        return self.actual - self.expected


def _equal(check_name: str, expected: int, actual: int) -> Control:
    return Control(check_name, int(expected), int(actual), int(expected) == int(actual))


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0] or 0) if row else 0


def source_controls(con: duckdb.DuckDBPyConnection) -> list[Control]:
    """Raw rows = accepted + collapsed duplicates + quarantined, per landing table, counted from
    the checked, accepted and quarantined relations themselves."""
    controls = []
    for table in SOURCE_TABLES:
        raw, distinct_rows = con.execute(
            f"select coalesce(sum(delivered_rows), 0), count(*) "
            f"from intermediate.int_{table}_checked"
        ).fetchone()
        accepted = _scalar(con, f"select count(*) from intermediate.int_{table}_accepted")
        quarantined = _scalar(
            con, "select count(*) from quarantine.quarantined_rows where source_table = ?",
            [table],
        )
        collapsed = int(raw) - int(distinct_rows)
        controls.append(_equal(f"source_rows__{table}", raw, accepted + collapsed + quarantined))
    return controls


def waiver_controls(con: duckdb.DuckDBPyConnection, program: Program) -> list[Control]:
    params = program.parameters
    terminated = _scalar(
        con,
        "select count(distinct line_id) from main.fct_contract_events "
        "where list_contains(?, event_type) and event_date between ? and ?",
        [list(program.terminating_event_types), params["waiver_window_start_date"],
         params["waiver_window_end_date"]],
    )
    by_status = dict(con.execute(
        "select waiver_status, count(*) from main.fct_waiver_eligibility group by 1"
    ).fetchall())
    population = sum(by_status.values())
    eligible_paid, eligible_unpaid = con.execute(
        "select coalesce(sum(waivable_paid_krw), 0), "
        "coalesce(sum(waivable_billed_krw - waivable_paid_krw), 0) "
        "from main.fct_waiver_eligibility where waiver_status = 'eligible'"
    ).fetchone()
    assignments = con.execute(
        "select assignment_status, refund_wave, payout_date, count(*), "
        "coalesce(sum(refund_krw), 0), coalesce(sum(cancel_krw), 0) "
        "from main.fct_refund_assignments group by 1, 2, 3"
    ).fetchall()
    count_by_status: dict[str, int] = {}
    for status, _, _, rows, _, _ in assignments:
        count_by_status[status] = count_by_status.get(status, 0) + int(rows)
    waves = {(row["refund_wave"], row["payout_date"])
             for row in program.tables["program_refund_waves"]}
    scheduled_in_waves = sum(
        int(rows) for status, wave, payout, rows, _, _ in assignments
        if status in WAVE_STATUSES and (wave, payout) in waves
    )
    wave_numbers = {wave for wave, _ in waves}
    refunds_by_wave = sum(
        int(refund) for status, wave, _, _, refund, _ in assignments
        if status in WAVE_STATUSES and wave in wave_numbers
    )
    refunds_unscheduled = sum(
        int(refund) for status, _, _, _, refund, _ in assignments
        if status in UNSCHEDULED_STATUSES
    )
    cancelled = sum(int(cancel) for *_, cancel in assignments)
    outcomes = dict(con.execute(
        "select outcome, count(*) from main.fct_refund_application_outcomes group by 1"
    ).fetchall())
    applications = _scalar(
        con, "select count(*) from intermediate.int_refund_applications_accepted"
    )
    scheduled = count_by_status.get("scheduled", 0)
    return [
        _equal("waiver_population__terminations_in_window", terminated, population),
        _equal("waiver_population__by_status", population,
               sum(by_status.get(status, 0) for status in WAIVER_STATUSES)),
        _equal("eligible__by_assignment_status", by_status.get("eligible", 0),
               sum(count_by_status.get(status, 0)
                   for status in (*WAVE_STATUSES, *UNSCHEDULED_STATUSES))),
        _equal("refunds__waves_plus_unscheduled_equal_paid", eligible_paid,
               refunds_by_wave + refunds_unscheduled),
        _equal("cancellations__equal_billed_unpaid", eligible_unpaid, cancelled),
        _equal("scheduled__in_exactly_one_wave", scheduled, scheduled_in_waves),
        _equal("applications__one_outcome_each", applications, sum(outcomes.values())),
        _equal("applications__accepted_equal_scheduled", outcomes.get("accepted", 0), scheduled),
    ]


def penalty_tolerance() -> float:
    """Billing is the truth for refunds (A7) and may differ from the warehouse's arithmetic on
    a few lines; the control fails when more than this share of lines (or of the amount)
    differs. One value for both implementations: the dbt var of dbt_project.yml."""
    return float(project_var("reconciliation_penalty_tolerance"))


def penalty_controls(con: duckdb.DuckDBPyConnection, program: Program,
                     tolerance: float | None = None) -> list[Control]:
    """Billed waivable penalty of non-excluded waiver lines vs P1-P3 at the termination date."""
    tolerance = penalty_tolerance() if tolerance is None else tolerance
    grace_days = program.grace_days
    rows = con.execute("""
        with lines as (
            select line_id, cast(terminated_at_kst as date) as penalty_date,
                coalesce(waivable_billed_krw, 0) as billed_krw
            from main.fct_waiver_eligibility
            where waiver_status in ('eligible', 'eligible_no_penalty')
        )
        select lines.penalty_date, lines.billed_krw, agreements.agreement_type,
            agreements.start_date, agreements.term_months, agreements.subsidy_krw,
            agreements.monthly_discount_krw
        from lines
        left join intermediate.int_agreements_accepted as agreements
            on lines.line_id = agreements.line_id
            and agreements.start_date <= lines.penalty_date
        qualify row_number() over (
            partition by lines.line_id
            order by agreements.start_date desc, agreements.agreement_id desc
        ) = 1
    """).fetchall()
    agreeing = arithmetic_total = billed_total = 0
    for penalty_date, billed, agreement_type, start, term_months, subsidy, discount in rows:
        expected = expected_penalty_krw(agreement_type, start, term_months, subsidy, discount,
                                        penalty_date, grace_days)
        agreeing += expected == billed
        arithmetic_total += expected
        billed_total += billed
    return [
        Control("penalty_billing__lines_agreeing", len(rows), agreeing,
                agreeing >= len(rows) * (1 - tolerance), FINDING),
        Control("penalty_billing__waivable_krw", arithmetic_total, billed_total,
                abs(billed_total - arithmetic_total) <= arithmetic_total * tolerance,
                FINDING),
    ]


def reward_controls(con: duckdb.DuckDBPyConnection, program: Program) -> list[Control]:
    as_of = program.parameters["reward_population_as_of_kst"]
    population = _scalar(
        con,
        "select count(*) from intermediate.int_lines_joined_to_customers where is_kt_network "
        "and activated_at_kst < ? and (terminated_at_kst is null or terminated_at_kst >= ?)",
        [as_of, as_of],
    )
    granted = {
        day: (int(grants), int(quantity))
        for day, grants, quantity in con.execute(
            "select period_start, count(*), coalesce(sum(quantity), 0) "
            "from main.fct_reward_entitlements where benefit = 'data_bonus' group by 1"
        ).fetchall()
    }
    controls = []
    seed_total = granted_total = 0
    for grant in program.tables["program_data_grants"]:
        grants, quantity = granted.get(grant["grant_date"], (0, 0))
        controls.append(Control(
            f"data_grants__{grant['grant_date']:%Y_%m_%d}__within_population",
            population, grants, grants <= population,
        ))
        seed_total += int(grant["quantity"]) * grants
        granted_total += quantity
    controls.append(_equal(
        "data_grants__total_quantity_equals_seed_times_grants", seed_total, granted_total
    ))
    policies, customers = con.execute(
        "select count(*), count(distinct customer_id) from main.fct_reward_entitlements "
        "where benefit = 'safety_insurance'"
    ).fetchone()
    controls.append(_equal("insurance__at_most_one_policy_per_customer", customers, policies))
    return controls


def determination_controls(con: duckdb.DuckDBPyConnection) -> list[Control]:
    """Issue 11: every owed won of an eligible line is scheduled, held in manual review or
    in the unclaimed register; granted reward determinations are the entitlements."""
    paid = _scalar(con, "select coalesce(sum(waivable_paid_krw), 0) "
                        "from main.fct_waiver_eligibility where waiver_status = 'eligible'")
    by_status = {
        status: (int(owed_lines), int(refund))
        for status, owed_lines, refund in con.execute(
            "select assignment_status, count_if(refund_krw > 0), "
            "coalesce(sum(refund_krw), 0) from main.fct_refund_assignments group by 1"
        ).fetchall()
    }
    unclaimed_lines, unclaimed_krw = con.execute(
        "select count(*), coalesce(sum(refund_krw), 0) from main.fct_unclaimed_refunds"
    ).fetchone()
    held = sum(by_status.get(status, (0, 0))[1] for status in ("scheduled", "manual_review"))
    controls = [
        _equal("refunds__paid_equal_scheduled_review_unclaimed", paid,
               held + int(unclaimed_krw)),
        _equal("unclaimed__lines_equal_owed_not_applied",
               by_status.get("not_applied", (0, 0))[0], unclaimed_lines),
    ]
    entitlements = dict(con.execute(
        "select benefit, count(*) from main.fct_reward_entitlements group by 1"
    ).fetchall())
    granted = dict(con.execute(
        "select benefit, count(*) from main.fct_reward_determinations "
        "where is_granted and benefit <> 'reward_population' group by 1"
    ).fetchall())
    for benefit in sorted(set(entitlements) | set(granted)):
        controls.append(_equal(f"reward_determinations__{benefit}__granted_equal_entitlements",
                               entitlements.get(benefit, 0), granted.get(benefit, 0)))
    return controls


def python_controls(con: duckdb.DuckDBPyConnection, program: Program) -> list[Control]:
    return [
        *source_controls(con),
        *waiver_controls(con, program),
        *penalty_controls(con, program),
        *reward_controls(con, program),
        *determination_controls(con),
    ]


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)


def warehouse_controls(con: duckdb.DuckDBPyConnection) -> list[Control]:
    if not relation_exists(con, "main", "rpt_reconciliation"):
        raise LookupError("main.rpt_reconciliation does not exist: build it with `dbt build`")
    columns = {row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = 'rpt_reconciliation'"
    ).fetchall()}
    if "severity" not in columns:
        raise LookupError("main.rpt_reconciliation has no severity column: it was built by an "
                          "older version, rebuild it with `remedy build`")
    return [
        Control(name, _optional_int(expected), _optional_int(actual), bool(passed), severity)
        for name, expected, actual, passed, severity in con.execute(
            "select check_name, expected, actual, passed, severity "
            "from main.rpt_reconciliation order by check_name"
        ).fetchall()
    ]


@dataclass(frozen=True)
class Comparison:
    check_name: str
    python: Control | None
    warehouse: Control | None

    @property
    def agree(self) -> bool:
        return (
            self.python is not None and self.warehouse is not None
            and (self.python.expected, self.python.actual, self.python.severity)
            == (self.warehouse.expected, self.warehouse.actual, self.warehouse.severity)
        )

    @property
    def passed(self) -> bool:
        return self.agree and self.python.passed and self.warehouse.passed

    @property
    def severity(self) -> str:
        """The Python side's severity (the independent one); a control only the warehouse
        has, or whose severities differ, does not agree and so fails as integrity."""
        return (self.python or self.warehouse).severity

    @property
    def is_finding(self) -> bool:
        return self.agree and self.severity == FINDING


@dataclass
class Reconciliation:
    program_id: str
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def integrity_failures(self) -> list[Comparison]:
        """Failed integrity controls, and every control the two sides disagree on (an
        implementation that disagrees with the other is a defect whatever the severity)."""
        return [item for item in self.comparisons if not item.is_finding and not item.passed]

    @property
    def findings(self) -> list[Comparison]:
        return [item for item in self.comparisons if item.is_finding]

    @property
    def failed_findings(self) -> list[Comparison]:
        return [item for item in self.findings if not item.passed]

    def success(self, strict: bool = False) -> bool:
        """Every integrity control holds (and, when strict, every finding is within its
        tolerance)."""
        return (bool(self.comparisons) and not self.integrity_failures
                and not (strict and self.failed_findings))


def compare(python: Iterable[Control], warehouse: Iterable[Control]) -> list[Comparison]:
    by_python = {control.check_name: control for control in python}
    by_warehouse = {control.check_name: control for control in warehouse}
    names = list(by_python) + sorted(set(by_warehouse) - set(by_python))
    return [Comparison(name, by_python.get(name), by_warehouse.get(name)) for name in names]


def reconcile(duckdb_path: Path | str, program_id: str) -> Reconciliation:
    with open_database(duckdb_path) as con:
        program = load_program(con, program_id)
        comparisons = compare(python_controls(con, program), warehouse_controls(con))
    return Reconciliation(program_id, comparisons)


def _figure(value: int | None, signed: bool = False) -> str:
    if value is None:
        return "NULL"
    return f"{value:+,}" if signed else f"{value:,}"


def describe_finding(control: Control) -> str:
    """A finding in words, with its counts and amounts."""
    expected, actual = control.expected or 0, control.actual or 0
    if control.check_name == "penalty_billing__lines_agreeing":
        return (f"{expected - actual:,} of {expected:,} non-excluded waiver lines are billed a "
                f"waivable penalty other than the P1-P3 arithmetic gives")
    if control.check_name == "penalty_billing__waivable_krw":
        return (f"billed {actual:,} won against {expected:,} won by the P1-P3 arithmetic "
                f"(difference {actual - expected:+,} won)")
    return f"expected {expected:,}, actual {actual:,} (difference {actual - expected:+,})"


def format_reconciliation(result: Reconciliation, strict: bool = False) -> str:
    header = ("check_name", "severity", "expected", "actual", "difference", "passed",
              "warehouse")
    rows = []
    for item in result.comparisons:
        shown = item.python or item.warehouse
        if item.agree:
            warehouse = "agrees"
        elif item.warehouse is None:
            warehouse = "MISSING in rpt_reconciliation"
        elif item.python is None:
            warehouse = "not recomputed by Python"
        else:
            warehouse = (f"DISAGREES: {_figure(item.warehouse.expected)} / "
                         f"{_figure(item.warehouse.actual)} ({item.warehouse.severity})")
        if item.passed:
            verdict = "yes"
        elif item.is_finding:
            verdict = "finding"
        else:
            verdict = "NO"
        rows.append((
            item.check_name, item.severity, _figure(shown.expected), _figure(shown.actual),
            _figure(shown.difference, signed=True), verdict, warehouse,
        ))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    aligned = [
        "  ".join(
            str(cell).rjust(widths[i]) if 1 < i < 5 else str(cell).ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in [header, *rows]
    ]
    integrity = [item for item in result.comparisons if not item.is_finding]
    failed = result.integrity_failures
    lines = [f"remedy reconcile (program {result.program_id})", *aligned,
             f"integrity: {len(integrity) - len(failed)} of {len(integrity)} controls hold"]
    findings = result.findings
    lines.append(f"findings: {len(result.failed_findings)} of {len(findings)} outside tolerance"
                 + (" (--strict: they fail the run)" if strict else ""))
    lines += [
        f"  {item.check_name} ({'within' if item.passed else 'OUTSIDE'} tolerance): "
        f"{describe_finding(item.python)}"
        for item in findings
    ]
    failing = [item.check_name for item in failed]
    if strict:
        failing += [item.check_name for item in result.failed_findings]
    if failing:
        verdict = f"RECONCILIATION FAILED: {', '.join(failing)}"
    elif result.failed_findings:
        verdict = ("RECONCILIATION PASSED WITH FINDINGS: "
                   + ", ".join(item.check_name for item in result.failed_findings))
    else:
        verdict = "RECONCILIATION PASSED"
    return "\n".join([*lines, verdict]) + "\n"
