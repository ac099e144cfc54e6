"""rpt_reconciliation (dbt SQL) and remedy.reconcile (Python) compute the same controls.

The model is rendered with a two-function Jinja stand-in for dbt (`ref`, `var`) and run on the
sample warehouse, so the SQL is tested without building the marts with dbt.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest
from click.testing import CliRunner

from remedy.cli import main
from remedy.dbt_runner import PROJECT_DIR
from remedy.program import load_program, project_var
from remedy.reconcile import python_controls
from test_validate_sample import build_sample_warehouse, copy_warehouse

MODEL = PROJECT_DIR / "models" / "reports" / "rpt_reconciliation.sql"
SCHEMAS = {"int_": "intermediate", "program_": "program", "ref_": "program"}


def _ref(name: str) -> str:
    schema = next((schema for prefix, schema in SCHEMAS.items() if name.startswith(prefix)),
                  "main")
    return f"{schema}.{name}"


def render_model(program_id: str = "kt_2025_12") -> str:
    variables = {"program_id": program_id,
                 "reconciliation_penalty_tolerance": project_var(
                     "reconciliation_penalty_tolerance")}
    template = jinja2.Environment().from_string(MODEL.read_text(encoding="utf-8"))
    return template.render(ref=_ref, var=lambda name, default=None: variables.get(name, default))


def materialise_reconciliation(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("drop table if exists main.rpt_reconciliation")
        con.execute(f"create table main.rpt_reconciliation as {render_model()}")


@pytest.fixture(scope="session")
def reconciled_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_sample_warehouse(tmp_path_factory.mktemp("reconcile") / "sample.duckdb")
    materialise_reconciliation(path)
    return path


def _mutated(source: Path, tmp_path: Path, *statements: str, rebuild: bool = True) -> Path:
    path = copy_warehouse(source, tmp_path / "mutated.duckdb")
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    if rebuild:
        materialise_reconciliation(path)
    return path


def _reconcile(path: Path, *args: str):
    return CliRunner().invoke(main, ["reconcile", "--duckdb", str(path), *args])


def test_model_has_the_published_columns(reconciled_warehouse: Path) -> None:
    with duckdb.connect(str(reconciled_warehouse), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'rpt_reconciliation' order by ordinal_position"
        ).fetchall()
    assert columns == [("check_name", "VARCHAR"), ("expected", "BIGINT"),
                       ("actual", "BIGINT"), ("difference", "BIGINT"), ("passed", "BOOLEAN"),
                       ("severity", "VARCHAR")]


def test_billing_controls_are_findings_and_the_rest_integrity(reconciled_warehouse: Path) -> None:
    with duckdb.connect(str(reconciled_warehouse), read_only=True) as con:
        severities = dict(con.execute(
            "select check_name, severity from main.rpt_reconciliation").fetchall())
        python = python_controls(con, load_program(con, "kt_2025_12"))
    assert {name for name, severity in severities.items() if severity == "finding"} == {
        "penalty_billing__lines_agreeing", "penalty_billing__waivable_krw"}
    assert set(severities.values()) == {"integrity", "finding"}
    assert {control.check_name: control.severity for control in python} == severities


def test_sample_reconciles_and_both_implementations_agree(reconciled_warehouse: Path) -> None:
    result = _reconcile(reconciled_warehouse)
    assert result.exit_code == 0, result.output
    assert "RECONCILIATION PASSED" in result.output
    assert "DISAGREES" not in result.output and "MISSING" not in result.output
    with duckdb.connect(str(reconciled_warehouse), read_only=True) as con:
        sql_names = {row[0] for row in con.execute(
            "select check_name from main.rpt_reconciliation").fetchall()}
        python = python_controls(con, load_program(con, "kt_2025_12"))
    assert sql_names == {control.check_name for control in python}
    assert {"source_rows__lines", "waiver_population__by_status",
            "eligible__by_assignment_status", "refunds__waves_plus_unscheduled_equal_paid",
            "scheduled__in_exactly_one_wave", "penalty_billing__waivable_krw",
            "data_grants__2026_02_01__within_population",
            "data_grants__total_quantity_equals_seed_times_grants",
            "insurance__at_most_one_policy_per_customer"} <= sql_names
    by_name = {control.check_name: control for control in python}
    assert by_name["waiver_population__by_status"].expected == 10
    assert by_name["refunds__waves_plus_unscheduled_equal_paid"].expected == 580_000
    assert by_name["data_grants__total_quantity_equals_seed_times_grants"].actual == 1_200
    assert by_name["refunds__paid_equal_scheduled_review_unclaimed"].actual == 580_000
    assert by_name["unclaimed__lines_equal_owed_not_applied"].actual == 1


@pytest.mark.parametrize(("statement", "check"), [
    ("update main.fct_refund_assignments set refund_krw = 299000 where line_id = 'L01'",
     "refunds__waves_plus_unscheduled_equal_paid"),
    ("update main.fct_refund_assignments set assignment_status = 'cancelled' "
     "where line_id = 'L04'", "eligible__by_assignment_status"),
    ("update main.fct_refund_assignments set refund_wave = 4 where line_id = 'L01'",
     "scheduled__in_exactly_one_wave"),
    ("delete from main.fct_waiver_eligibility where line_id = 'L09'",
     "waiver_population__terminations_in_window"),
    ("insert into main.fct_reward_entitlements values ('E-ins-C1b', 'safety_insurance', null, "
     "'C1', date '2026-03-01', date '2028-02-29', 1, 'policy', 'application')",
     "insurance__at_most_one_policy_per_customer"),
    ("insert into main.fct_reward_entitlements values ('E-x', 'data_bonus', 'L12', 'C4', "
     "date '2026-02-01', date '2026-02-28', 99, 'GB', null)",
     "data_grants__total_quantity_equals_seed_times_grants"),
    # issue 11: an owed line missing from the unclaimed register, a granted determination
    # that is no entitlement
    ("delete from main.fct_unclaimed_refunds where line_id = 'L04'",
     "refunds__paid_equal_scheduled_review_unclaimed"),
    ("delete from main.fct_unclaimed_refunds where line_id = 'L04'",
     "unclaimed__lines_equal_owed_not_applied"),
    ("update main.fct_reward_determinations set is_granted = true "
     "where benefit = 'membership_discount' and line_id = 'L13'",
     "reward_determinations__membership_discount__granted_equal_entitlements"),
])
def test_a_broken_identity_fails_on_both_sides(
    reconciled_warehouse: Path, tmp_path: Path, statement: str, check: str
) -> None:
    path = _mutated(reconciled_warehouse, tmp_path, statement)
    result = _reconcile(path)
    assert result.exit_code == 1, result.output
    failed_line = next(line for line in result.output.splitlines() if line.startswith(check))
    assert " NO " in failed_line and "agrees" in failed_line
    assert check in result.output.splitlines()[-1]
    assert "integrity" in failed_line
    strict = _reconcile(path, "--strict")
    assert strict.exit_code == 1
    assert check in strict.output.splitlines()[-1]


def test_billing_beyond_tolerance_is_a_finding(reconciled_warehouse: Path, tmp_path: Path) -> None:
    """P1-P3: one line in six billed off the arithmetic (17 % > 5 %): a finding about the
    billing system, reported with its counts and amounts; it fails only --strict."""
    path = _mutated(
        reconciled_warehouse, tmp_path,
        "update intermediate.int_agreements_checked set subsidy_krw = 310000 "
        "where agreement_id = 'AG01'",
        "update intermediate.int_termination_penalties_compared "
        "set expected_waivable_penalty_krw = 310000 where line_id = 'L01'",
    )
    result = _reconcile(path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "RECONCILIATION PASSED WITH FINDINGS: penalty_billing__lines_agreeing"
    assert "findings: 1 of 2 outside tolerance" in result.output
    assert ("penalty_billing__lines_agreeing (OUTSIDE tolerance): 1 of 6 non-excluded waiver "
            "lines are billed") in result.output
    assert ("penalty_billing__waivable_krw (within tolerance): billed 730,000 won against "
            "740,000 won by the P1-P3 arithmetic (difference -10,000 won)") in result.output
    strict = _reconcile(path, "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == (
        "RECONCILIATION FAILED: penalty_billing__lines_agreeing")


def test_severities_must_agree_between_the_implementations(
    reconciled_warehouse: Path, tmp_path: Path
) -> None:
    """A warehouse that calls an integrity control a finding cannot excuse it."""
    path = _mutated(
        reconciled_warehouse, tmp_path,
        "update main.rpt_reconciliation set severity = 'finding', passed = false "
        "where check_name = 'scheduled__in_exactly_one_wave'",
        rebuild=False,
    )
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "DISAGREES" in result.output
    assert "scheduled__in_exactly_one_wave" in result.output.splitlines()[-1]


def test_a_null_figure_fails_its_control(reconciled_warehouse: Path, tmp_path: Path) -> None:
    """Null is not 0: a figure lost over an empty set must not pass as null = null."""
    sql = render_model().replace(
        "'applications__one_outcome_each' as check_name,\n"
        "        refund_applications_accepted.accepted_rows as expected,",
        "'applications__one_outcome_each' as check_name,\n"
        "        cast(null as bigint) as expected,")
    assert "cast(null as bigint) as expected" in sql
    path = copy_warehouse(reconciled_warehouse, tmp_path / "null.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("drop table main.rpt_reconciliation")
        con.execute(f"create table main.rpt_reconciliation as {sql}")
        passed = con.execute("select passed from main.rpt_reconciliation "
                             "where check_name = 'applications__one_outcome_each'").fetchone()
    assert passed == (False,)
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "applications__one_outcome_each" in result.output.splitlines()[-1]


def test_disagreement_between_implementations_fails(
    reconciled_warehouse: Path, tmp_path: Path
) -> None:
    path = _mutated(
        reconciled_warehouse, tmp_path,
        "update main.rpt_reconciliation set actual = actual + 1, expected = expected + 1 "
        "where check_name = 'source_rows__lines'",
        rebuild=False,
    )
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "DISAGREES" in result.output
    assert "source_rows__lines" in result.output.splitlines()[-1]


def test_quarantine_losing_a_row_is_caught(reconciled_warehouse: Path, tmp_path: Path) -> None:
    path = _mutated(
        reconciled_warehouse, tmp_path,
        "delete from quarantine.quarantined_rows where source_table = 'lines'",
        rebuild=False,
    )
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "source_rows__lines" in result.output.splitlines()[-1]


def test_missing_report_is_an_error(tmp_path: Path) -> None:
    path = build_sample_warehouse(tmp_path / "bare.duckdb")
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "rpt_reconciliation does not exist" in result.output
