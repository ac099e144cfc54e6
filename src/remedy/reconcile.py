"""`remedy reconcile`: the control identities, computed a second time in Python.

`main.rpt_reconciliation` (dbt) computes one row per control. This module recomputes every
control independently, from the published database alone (schema `main` and the program
seeds; never the restricted database) and the landing files:

- raw rows are recounted from the Parquet footers of the files `main.rpt_deliveries` lists
  as loaded, under RAW_DIR (when RAW_DIR is not available the run says so and takes the
  rows the build read, `rpt_deliveries.rows_read`);
- accepted rows are counted from the published row-per-record marts where one exists
  (dim_customers, dim_lines, fct_contract_events, fct_refund_application_outcomes) and
  from the per-file delivery log otherwise, quarantined rows from the delivery log;
- the R1 population is recounted from dim_lines' activation and termination times;
- the P1-P3 penalty arithmetic is written again in Python (`remedy.rules`, not the
  `expected_penalties` macro), with the grace days of the program the warehouse was built
  with, on the agreement fct_waiver_determinations names for each line.

A run fails when any control fails on either side, or when the two implementations disagree
on a figure, a severity or on the list of controls.

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
import pyarrow.parquet as pq

from remedy import settings
from remedy.contract import TABLES
from remedy.program import Program, load_program, project_var
from remedy.published import column_names, open_published, relation_exists
from remedy.rules import expected_penalty_krw

SOURCE_TABLES: tuple[str, ...] = tuple(TABLES)
# Landing tables whose accepted rows are published one per row (the rest are counted from
# the delivery log).
PUBLISHED_ROWS: dict[str, str] = {
    "customers": "main.dim_customers",
    "lines": "main.dim_lines",
    "contract_events": "main.fct_contract_events",
    "refund_applications": "main.fct_refund_application_outcomes",
}
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


@dataclass(frozen=True)
class Deliveries:
    """Per landing table, what the delivery log says of its loaded files."""

    files: dict[str, list[tuple[str, int]]]
    accepted: dict[str, int]
    quarantined: dict[str, int]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Deliveries:
        if not relation_exists(con, "main", "rpt_deliveries"):
            raise LookupError("main.rpt_deliveries does not exist: build it with `remedy build`")
        files: dict[str, list[tuple[str, int]]] = {table: [] for table in SOURCE_TABLES}
        accepted = dict.fromkeys(SOURCE_TABLES, 0)
        quarantined = dict.fromkeys(SOURCE_TABLES, 0)
        for table, path, rows, accepted_rows, quarantined_rows in con.execute(
            "select source_table, file_path, coalesce(rows_read, 0), "
            "coalesce(accepted_rows, 0), coalesce(quarantined_rows, 0) "
            "from main.rpt_deliveries where file_status = 'loaded' order by 1, 2"
        ).fetchall():
            files.setdefault(table, []).append((path, int(rows)))
            accepted[table] = accepted.get(table, 0) + int(accepted_rows)
            quarantined[table] = quarantined.get(table, 0) + int(quarantined_rows)
        return cls(files, accepted, quarantined)


def recount_raw_rows(deliveries: Deliveries, raw_dir: Path | None
                     ) -> tuple[dict[str, int], list[str]]:
    """Raw rows per table from the Parquet footers of the loaded files under raw_dir, and
    notes; without a readable raw_dir (or with a listed file missing) the rows the build
    read, saying so."""
    logged = {table: sum(rows for _, rows in files) for table, files in deliveries.files.items()}
    if raw_dir is None or not raw_dir.is_dir():
        return logged, [f"raw rows not recounted from the landing files: RAW_DIR {raw_dir} is "
                        "not available; taken from main.rpt_deliveries.rows_read (what the "
                        "build read)"]
    counted: dict[str, int] = {}
    for table, files in deliveries.files.items():
        total = 0
        for path, _ in files:
            file = raw_dir / path
            if not file.is_file():
                return logged, [f"raw rows not recounted from the landing files: {file} "
                                "(listed as loaded in main.rpt_deliveries) is not under RAW_DIR "
                                f"{raw_dir}; taken from main.rpt_deliveries.rows_read"]
            total += pq.ParquetFile(file).metadata.num_rows
        counted[table] = total
    return counted, [f"raw rows recounted from the Parquet footers of "
                     f"{sum(len(files) for files in deliveries.files.values()):,} loaded files "
                     f"under {raw_dir}"]


def source_controls(con: duckdb.DuckDBPyConnection, deliveries: Deliveries,
                    raw_rows: dict[str, int]) -> list[Control]:
    """Raw rows = accepted + collapsed duplicates + quarantined, per landing table: raw rows
    from the files, accepted rows from the published records (else the delivery log),
    quarantined rows from the delivery log."""
    collapsed = dict(con.execute(
        "select source_table, collapsed_duplicate_rows from main.rpt_source_row_counts"
    ).fetchall())
    controls = []
    for table in SOURCE_TABLES:
        relation = PUBLISHED_ROWS.get(table)
        accepted = (_scalar(con, f"select count(*) from {relation}") if relation
                    else deliveries.accepted.get(table, 0))
        actual = accepted + int(collapsed.get(table) or 0) + deliveries.quarantined.get(table, 0)
        controls.append(_equal(f"source_rows__{table}", raw_rows.get(table, 0), actual))
    return controls


def waiver_controls(con: duckdb.DuckDBPyConnection, program: Program,
                    deliveries: Deliveries) -> list[Control]:
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
    applications = deliveries.accepted.get("refund_applications", 0)
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
    """Billed waivable penalty of non-excluded waiver lines vs P1-P3 at the termination date,
    recomputed here on the agreement in force that fct_waiver_determinations names (the
    agreements themselves are not published)."""
    tolerance = penalty_tolerance() if tolerance is None else tolerance
    grace_days = program.grace_days
    rows = con.execute("""
        select eligibility.terminated_date, coalesce(eligibility.waivable_billed_krw, 0),
            determinations.agreement_type, determinations.agreement_start_date,
            determinations.term_months, determinations.subsidy_krw,
            determinations.monthly_discount_krw
        from (
            select line_id, cast(terminated_at_kst as date) as terminated_date,
                waivable_billed_krw
            from main.fct_waiver_eligibility
            where waiver_status in ('eligible', 'eligible_no_penalty')
        ) as eligibility
        left join main.fct_waiver_determinations as determinations
            on eligibility.line_id = determinations.line_id
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


@dataclass(frozen=True)
class Population:
    """R1 recounted from dim_lines' times: population lines, and those the line benefits
    R2 (not iot/special, not prepaid) and R3-R5 (not iot/special) apply to."""

    lines: int
    not_iot_or_special: int
    data_eligible: int

    @classmethod
    def count(cls, con: duckdb.DuckDBPyConnection, program: Program) -> Population:
        # The instant is a whole second, so comparing the microsecond-truncated times with
        # it is exact: truncation never moves a time across a whole-microsecond bound.
        as_of = program.parameters["reward_population_as_of_kst"]
        lines, not_iot_or_special, data_eligible = con.execute("""
            select count(*),
                count(*) filter (where not is_iot_or_special),
                count(*) filter (where not is_iot_or_special and not is_prepaid)
            from main.dim_lines
            where network = 'kt' and activated_at_kst < ?
                and (terminated_at_kst is null or terminated_at_kst >= ?)
        """, [as_of, as_of]).fetchone()
        return cls(int(lines), int(not_iot_or_special), int(data_eligible))


def reward_controls(con: duckdb.DuckDBPyConnection, program: Program,
                    population: Population) -> list[Control]:
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
            population.lines, grants, grants <= population.lines,
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


def determination_controls(con: duckdb.DuckDBPyConnection, program: Program,
                           deliveries: Deliveries, population: Population) -> list[Control]:
    """Issue 11: every owed won of an eligible line is scheduled, held in manual review or
    in the unclaimed register. Every reward decision ends in one state (R2-R6) - each
    scheduled data grant of a data-eligible population line, and each roaming pass, OTT
    choice and insurance application, is an entitlement or a determination that granted
    nothing; membership goes to every population line that is not iot/special."""
    paid = _scalar(con, "select coalesce(sum(waivable_paid_krw), 0) "
                        "from main.fct_waiver_eligibility where waiver_status = 'eligible'")
    by_status = {
        status: (int(owed_lines), int(refund))
        for status, owed_lines, refund in con.execute(
            "select assignment_status, count(*) filter (where refund_krw > 0), "
            "coalesce(sum(refund_krw), 0) from main.fct_refund_assignments group by 1"
        ).fetchall()
    }
    unclaimed_lines, unclaimed_krw = con.execute(
        "select count(*), coalesce(sum(refund_krw), 0) from main.fct_unclaimed_refunds"
    ).fetchone()
    held = sum(by_status.get(status, (0, 0))[1] for status in ("scheduled", "manual_review"))
    entitlements = dict(con.execute(
        "select benefit, count(*) from main.fct_reward_entitlements group by 1"
    ).fetchall())
    by_application = _scalar(con, "select count(*) from main.fct_reward_entitlements "
                                  "where benefit = 'safety_insurance' and detail = 'application'")
    not_granted = dict(con.execute(
        "select benefit, count(*) from main.fct_reward_determinations group by 1"
    ).fetchall())

    def accounted(benefit: str, decisions: int, granted: int) -> Control:
        return _equal(f"reward_determinations__{benefit}__{ACCOUNTED[benefit]}", decisions,
                      granted + not_granted.get(benefit, 0))

    grants = len(program.tables["program_data_grants"])
    return [
        _equal("refunds__paid_equal_scheduled_review_unclaimed", paid,
               held + int(unclaimed_krw)),
        _equal("unclaimed__lines_equal_owed_not_applied",
               by_status.get("not_applied", (0, 0))[0], unclaimed_lines),
        accounted("data_bonus", population.data_eligible * grants,
                  entitlements.get("data_bonus", 0)),
        accounted("roaming_bonus", deliveries.accepted.get("roaming_passes", 0),
                  entitlements.get("roaming_bonus", 0)),
        accounted("ott_voucher", deliveries.accepted.get("ott_choices", 0),
                  entitlements.get("ott_voucher", 0)),
        accounted("safety_insurance", deliveries.accepted.get("insurance_applications", 0),
                  by_application),
        _equal("reward_determinations__membership_discount__population_accounted",
               population.not_iot_or_special, entitlements.get("membership_discount", 0)),
    ]


# What each benefit's determination control accounts for (its check-name suffix).
ACCOUNTED = {
    "data_bonus": "grants_accounted",
    "roaming_bonus": "passes_accounted",
    "ott_voucher": "choices_accounted",
    "safety_insurance": "applications_accounted",
}


def python_controls(con: duckdb.DuckDBPyConnection, program: Program,
                    raw_dir: Path | None = None) -> tuple[list[Control], list[str]]:
    """Every control recomputed, and notes on how (whether raw rows were recounted)."""
    deliveries = Deliveries.read(con)
    raw_rows, notes = recount_raw_rows(deliveries, raw_dir)
    population = Population.count(con, program)
    controls = [
        *source_controls(con, deliveries, raw_rows),
        *waiver_controls(con, program, deliveries),
        *penalty_controls(con, program),
        *reward_controls(con, program, population),
        *determination_controls(con, program, deliveries, population),
    ]
    return controls, notes


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)


def warehouse_controls(con: duckdb.DuckDBPyConnection) -> list[Control]:
    if not relation_exists(con, "main", "rpt_reconciliation"):
        raise LookupError("main.rpt_reconciliation does not exist: build it with `dbt build`")
    if "severity" not in column_names(con, "main", "rpt_reconciliation"):
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
    notes: list[str] = field(default_factory=list)

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


def reconcile(duckdb_path: Path | str, program_id: str,
              raw_dir: Path | str | None = None) -> Reconciliation:
    """Both implementations' controls compared, from the published database at duckdb_path
    (read-only) and the landing files under raw_dir (default: RAW_DIR)."""
    raw_dir = Path(raw_dir) if raw_dir is not None else settings.raw_dir()
    with open_published(duckdb_path) as con:
        program = load_program(con, program_id)
        warehouse = warehouse_controls(con)
        python, notes = python_controls(con, program, raw_dir)
    return Reconciliation(program_id, compare(python, warehouse), notes)


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
    lines = [f"remedy reconcile (program {result.program_id})",
             *(f"note: {note}" for note in result.notes), *aligned,
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
