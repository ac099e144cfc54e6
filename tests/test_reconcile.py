"""rpt_reconciliation (dbt SQL) and remedy.reconcile (Python) compute the same controls.

The model is rendered with a two-function Jinja stand-in for dbt (`ref`, `var`) and run on the
sample warehouse (its restricted database attached as dbt attaches it), so the SQL is tested
without building the marts with dbt. `remedy reconcile` reads the published file only, and
recounts raw rows from the sample's landing files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import jinja2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from remedy.cli import main
from remedy.program import load_program, project_var
from remedy.published import open_published
from remedy.reconcile import python_controls
from remedy.settings import PROJECT_DIR, restricted_path
from test_validate_sample import build_sample_warehouse, copy_warehouse, landing_dir

SCHEMAS = {"int_": "restricted.intermediate", "stg_program__": "program",
           "program_": "program", "ref_": "program"}


def _ref(name: str) -> str:
    schema = next((schema for prefix, schema in SCHEMAS.items() if name.startswith(prefix)),
                  "main")
    return f"{schema}.{name}"


REPORTS = PROJECT_DIR / "models" / "reports"
INLINED = ("reconciliation", "regulator", "dashboard")
MACROS = (PROJECT_DIR / "macros" / "reports" / "control_figures.sql",)


def render_model(program_id: str = "kt_2025_12", name: str = "rpt_reconciliation") -> str:
    """The model's SQL with the report models it reads (rpt_reconciliation's per-domain
    controls, the regulator and dashboard figures they take) inlined as subqueries, so a
    mutation of a mart reaches every control; everything else is read from its table."""
    variables = {"program_id": program_id,
                 "reconciliation_penalty_tolerance": project_var(
                     "reconciliation_penalty_tolerance")}
    models = {path.stem: path for folder in INLINED for path in (REPORTS / folder).glob("*.sql")}
    macros = "".join(path.read_text(encoding="utf-8") for path in MACROS)

    def ref(model: str) -> str:
        if model in models:
            return f"({render_model(program_id, model)})"
        return _ref(model)

    template = jinja2.Environment().from_string(
        macros + models[name].read_text(encoding="utf-8"))
    return template.render(ref=ref, var=lambda key, default=None: variables.get(key, default))


def _open_with_restricted(path: Path) -> duckdb.DuckDBPyConnection:
    """The published file read-write with its restricted database attached, as dbt has it."""
    con = duckdb.connect(str(path))
    con.execute(f"attach '{restricted_path(path)}' as restricted")
    return con


def materialise_reconciliation(path: Path) -> None:
    with _open_with_restricted(path) as con:
        con.execute("drop table if exists main.rpt_reconciliation")
        con.execute(f"create table main.rpt_reconciliation as {render_model()}")


@pytest.fixture(scope="session")
def reconciled_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_sample_warehouse(tmp_path_factory.mktemp("reconcile") / "sample.duckdb")
    materialise_reconciliation(path)
    return path


def _mutated(source: Path, tmp_path: Path, *statements: str, rebuild: bool = True) -> Path:
    path = copy_warehouse(source, tmp_path / "mutated.duckdb")
    with _open_with_restricted(path) as con:
        for statement in statements:
            con.execute(statement)
    if rebuild:
        materialise_reconciliation(path)
    return path


def _reconcile(path: Path, *args: str, raw_dir: Path | None = None):
    raw_dir = raw_dir or landing_dir(path)
    return CliRunner().invoke(main, ["reconcile", "--duckdb", str(path), "--raw-dir",
                                     str(raw_dir), *args])


def _python_controls(path: Path):
    with open_published(path) as con:
        controls, _ = python_controls(con, load_program(con, "kt_2025_12"), landing_dir(path))
    return controls


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
    python = _python_controls(reconciled_warehouse)
    assert {name for name, severity in severities.items() if severity == "finding"} == {
        "penalty_billing__lines_agreeing", "penalty_billing__waivable_krw"}
    assert set(severities.values()) == {"integrity", "finding"}
    assert {control.check_name: control.severity for control in python} == severities


def test_sample_reconciles_and_both_implementations_agree(reconciled_warehouse: Path) -> None:
    result = _reconcile(reconciled_warehouse)
    assert result.exit_code == 0, result.output
    assert "RECONCILIATION PASSED" in result.output
    assert "DISAGREES" not in result.output and "MISSING" not in result.output
    assert "raw rows recounted from the Parquet footers of 9 loaded files" in result.output
    with duckdb.connect(str(reconciled_warehouse), read_only=True) as con:
        sql_names = {row[0] for row in con.execute(
            "select check_name from main.rpt_reconciliation").fetchall()}
    python = _python_controls(reconciled_warehouse)
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
    assert (by_name["reward_determinations__data_bonus__grants_accounted"].expected,
            by_name["reward_determinations__roaming_bonus__passes_accounted"].expected,
            by_name["reward_determinations__ott_voucher__choices_accounted"].expected,
            by_name["reward_determinations__safety_insurance__applications_accounted"].expected,
            by_name["reward_determinations__membership_discount__population_accounted"].expected
            ) == (12, 2, 2, 3, 3)


def test_every_python_control_holds_on_the_sample(reconciled_warehouse: Path) -> None:
    """The independent side alone: every control recomputed from the published file and the
    landing files holds (whatever rpt_reconciliation lists)."""
    failed = [control for control in _python_controls(reconciled_warehouse)
              if not control.passed]
    assert failed == []


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
    pytest.param("delete from main.fct_reward_determinations where request_id = 'OC2'",
                 "reward_determinations__ott_voucher__choices_accounted",),
    pytest.param("delete from main.fct_reward_entitlements where entitlement_id = 'E-mem-L15'",
                 "reward_determinations__membership_discount__population_accounted",),
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
        "update main.fct_waiver_determinations set subsidy_krw = 310000 "
        "where line_id = 'L01'",
        "update restricted.intermediate.int_termination_penalties_compared "
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
    with _open_with_restricted(path) as con:
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
    """The delivery log's quarantined rows no longer add up to what was delivered."""
    path = _mutated(
        reconciled_warehouse, tmp_path,
        "update main.rpt_deliveries set quarantined_rows = 0 where source_table = 'lines'",
        rebuild=False,
    )
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "source_rows__lines" in result.output.splitlines()[-1]


def test_a_landing_row_the_build_did_not_count_is_caught(reconciled_warehouse: Path,
                                                        tmp_path: Path) -> None:
    """The raw rows are recounted from the files: a file holding one more row than the build
    read makes the two sides disagree on that table."""
    landing = tmp_path / "landing"
    shutil.copytree(landing_dir(reconciled_warehouse), landing)
    pq.write_table(pa.table({"row_number": pa.array(range(20), pa.int64())}),
                   landing / "lines" / "part-0000.parquet")
    result = _reconcile(reconciled_warehouse, raw_dir=landing)
    assert result.exit_code == 1
    failed = next(line for line in result.output.splitlines()
                  if line.startswith("source_rows__lines"))
    assert "DISAGREES" in failed
    assert "source_rows__lines" in result.output.splitlines()[-1]


def test_without_the_landing_files_it_says_so(reconciled_warehouse: Path, tmp_path: Path) -> None:
    result = _reconcile(reconciled_warehouse, raw_dir=tmp_path / "nowhere")
    assert (f"note: raw rows not recounted from the landing files: RAW_DIR {tmp_path / 'nowhere'}"
            " is not available") in result.output
    assert "source_rows__lines" not in result.output.splitlines()[-1]


def test_reconcile_reads_only_the_published_file(reconciled_warehouse: Path,
                                                 tmp_path: Path) -> None:
    """No restricted database beside it, and the figures are the same."""
    alone = tmp_path / "alone.duckdb"
    shutil.copyfile(reconciled_warehouse, alone)
    assert not restricted_path(alone).exists()
    both = _reconcile(reconciled_warehouse)
    published_only = _reconcile(alone, raw_dir=landing_dir(reconciled_warehouse))
    assert published_only.output.splitlines()[2:] == both.output.splitlines()[2:]
    assert not restricted_path(alone).exists()


def test_missing_report_is_an_error(tmp_path: Path) -> None:
    path = build_sample_warehouse(tmp_path / "bare.duckdb")
    result = _reconcile(path)
    assert result.exit_code == 1
    assert "rpt_reconciliation does not exist" in result.output
