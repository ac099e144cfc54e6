"""`remedy validate`: the GX suites pass on a valid warehouse and each one can fail.

Every mutation corrupts one row of a copy of the sample warehouse (tests/test_validate_sample.py)
and asserts that `remedy validate` exits non-zero and names the expectation that caught it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from remedy.cli import main
from remedy.program import load_program, template_parameters
from remedy.validate import Renderer, TemplateError, load_templates
from test_validate_sample import build_sample_warehouse, copy_warehouse


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("sample") / "sample.duckdb")


def _mutated(sample: Path, tmp_path: Path, *statements: str) -> Path:
    path = copy_warehouse(sample, tmp_path / "mutated.duckdb")
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def _validate(path: Path, run_dir: Path, *args: str):
    return CliRunner().invoke(
        main, ["validate", "--duckdb", str(path), "--run-dir", str(run_dir), *args]
    )


def test_valid_warehouse_passes_every_suite(sample_warehouse: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = _validate(sample_warehouse, run_dir)
    assert result.exit_code == 0, result.output
    assert "VALIDATION PASSED" in result.output
    templates = load_templates()
    for name, template in templates.items():
        assert name in result.output
        for expectation in template["expectations"]:
            assert f"PASS  {expectation['meta']['check']}" in result.output
    assert (run_dir / "report.txt").read_text(encoding="utf-8") == result.output
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["success"] is True
    assert (run_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").is_file()
    stored = list((run_dir / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert len(stored) == len(templates)
    rendered = json.loads(
        (run_dir / "gx" / "expectations" / "fct_refund_assignments.json").read_text()
    )
    payout = next(e for e in rendered["expectations"]
                  if e["meta"]["check"] == "payout_date_is_a_wave_date")
    assert payout["kwargs"]["value_set"] == ["2026-01-22", "2026-02-05", "2026-02-19"]


MUTATIONS = [
    pytest.param(
        "fct_waiver_eligibility", "terminated_inside_waiver_window",
        ["update main.fct_waiver_eligibility set terminated_at_kst = "
         "timestamp '2026-01-14 00:00:00' where line_id = 'L03'"],
        id="W1-termination-one-second-after-window",
    ),
    pytest.param(
        "fct_waiver_eligibility", "terminated_inside_waiver_window",
        ["update main.fct_waiver_eligibility set terminated_at_kst = "
         "timestamp '2025-08-31 23:59:59' where line_id = 'L09'"],
        id="W1-termination-one-second-before-window",
    ),
    pytest.param(
        "fct_waiver_eligibility", "mvno_iot_prepaid_lines_excluded",
        ["update main.fct_waiver_eligibility set waiver_status = 'eligible', "
         "exclusion_reason = null, exclusion_reasons = [] where line_id = 'L05'"],
        id="W2-mvno-line-eligible",
    ),
    pytest.param(
        "fct_waiver_eligibility", "forced_termination_excluded",
        ["update main.fct_waiver_eligibility set waiver_status = 'eligible', "
         "exclusion_reason = null, exclusion_reasons = [] where line_id = 'L08'"],
        id="W2-forced-termination-eligible",
    ),
    pytest.param(
        "fct_refund_assignments", "payout_date_is_a_wave_date",
        ["update main.fct_refund_assignments set payout_date = date '2026-01-23' "
         "where line_id = 'L01'"],
        id="A5-wrong-payout-date",
    ),
    pytest.param(
        "fct_refund_assignments", "wave_consistent_with_termination_and_application",
        ["update main.fct_refund_assignments set refund_wave = 1, "
         "payout_date = date '2026-01-22' where line_id = 'L02'"],
        id="A5-applied-2026-01-20-paid-in-wave-1",
    ),
    pytest.param(
        "fct_refund_assignments", "scheduled_applied_inside_application_window",
        ["update main.fct_refund_assignments set applied_at_kst = "
         "timestamp '2026-01-31 22:00:01' where line_id = 'L02'"],
        id="A2-scheduled-application-one-second-late",
    ),
    pytest.param(
        "fct_refund_assignments", "no_mvno_iot_prepaid_or_forced_line",
        ["insert into main.fct_refund_assignments values ('L05', 'A07', 'web', "
         "timestamp '2026-01-15 10:00:00', 'scheduled', null, 1, date '2026-01-22', 0, 0)"],
        id="W2-mvno-line-gets-a-refund",
    ),
    pytest.param(
        "fct_refund_application_outcomes", "accepted_inside_application_window",
        ["update main.fct_refund_application_outcomes set applied_at_kst = "
         "timestamp '2026-01-14 08:59:59' where application_id = 'A01'"],
        id="A2-accepted-one-second-before-window",
    ),
    pytest.param(
        "fct_refund_notices", "notice_date_is_a_reminder_date",
        ["update main.fct_refund_notices set notice_date = date '2026-02-10' "
         "where notice_number = 1"],
        id="N2-unseeded-reminder-date",
    ),
    pytest.param(
        "fct_refund_notices", "no_notice_after_application",
        ["insert into main.fct_refund_notices values ('L01', 1, date '2026-02-09')"],
        id="N2-reminder-after-application",
    ),
    pytest.param(
        "fct_penalty_lookup", "lookup_lines_are_kt_lines_in_service",
        ["insert into main.fct_penalty_lookup values ('L14', date '2025-12-31', true, null, "
         "null, 0, 0, 0)"],
        id="P5-mvno-line-in-lookup",
    ),
    pytest.param(
        "fct_contract_events", "one_terminating_event_per_line",
        ["insert into main.fct_contract_events values ('EV-L01-3', 'L01', 'C1', 'port_out', "
         "timestamp '2025-11-01 10:00:00', date '2025-11-01')"],
        id="W1-second-terminating-event",
    ),
    pytest.param(
        "fct_reward_entitlements", "line_benefits_only_to_qualifying_lines",
        ["insert into main.fct_reward_entitlements values ('E-x', 'data_bonus', 'L14', 'C5', "
         "date '2026-02-01', date '2026-02-28', 100, 'GB', null)"],
        id="R2-mvno-line-gets-a-grant",
    ),
    pytest.param(
        "fct_reward_entitlements", "line_benefits_only_to_qualifying_lines",
        ["insert into main.fct_reward_entitlements values ('E-x', 'data_bonus', 'L13', 'C3', "
         "date '2026-02-01', date '2026-02-28', 100, 'GB', null)"],
        id="R2-iot-line-gets-a-grant",
    ),
    pytest.param(
        "fct_reward_entitlements", "data_bonus_on_grant_dates",
        ["update main.fct_reward_entitlements set period_start = date '2026-08-01', "
         "period_end = date '2026-08-31' where entitlement_id = 'E-data-L11-7'"],
        id="R2-grant-after-last-grant-date",
    ),
    pytest.param(
        "fct_reward_entitlements", "data_bonus_quantity_from_seed",
        ["update main.fct_reward_entitlements set quantity = 50 "
         "where entitlement_id = 'E-data-L11-2'"],
        id="R2-quantity-not-from-seed",
    ),
    pytest.param(
        "fct_reward_entitlements", "roaming_bonus_inside_roaming_window",
        ["update main.fct_reward_entitlements set period_start = date '2026-02-28', "
         "period_end = date '2026-02-28' where entitlement_id = 'E-roam-1'"],
        id="R3-roaming-purchase-before-window",
    ),
    pytest.param(
        "fct_reward_entitlements", "ott_service_allowed",
        ["update main.fct_reward_entitlements set detail = 'netflix' "
         "where entitlement_id = 'E-ott-1'"],
        id="R4-ott-service-not-allowed",
    ),
    pytest.param(
        "fct_reward_entitlements", "insurance_auto_only_for_65_plus",
        ["update main.dim_customers set age_band = '60_to_64', is_insurance_auto_age = false "
         "where customer_id = 'C4'"],
        id="R6-automatic-insurance-at-64",
    ),
]


@pytest.mark.parametrize(("suite", "check", "statements"), MUTATIONS)
def test_each_suite_can_fail(
    sample_warehouse: Path, tmp_path: Path, suite: str, check: str, statements: list[str]
) -> None:
    path = _mutated(sample_warehouse, tmp_path, *statements)
    result = _validate(path, tmp_path / "run", "--suite", suite, "--no-data-docs")
    assert result.exit_code == 1, result.output
    assert f"FAIL  {check}" in result.output
    assert "VALIDATION FAILED" in result.output
    assert f"{suite}.{check}" in result.output.splitlines()[-1]


def test_every_suite_has_a_mutation() -> None:
    mutated = {param.values[0] for param in MUTATIONS}
    templates = load_templates()
    assert mutated == set(templates)
    for template in templates.values():
        assert all(expectation["meta"].get("rules") for expectation in template["expectations"])


def test_parameters_come_from_the_program_seed(sample_warehouse: Path, tmp_path: Path) -> None:
    """Moving a payout date in the seed makes the unchanged marts fail: nothing is copied."""
    path = _mutated(
        sample_warehouse, tmp_path,
        "update program.program_refund_waves set payout_date = date '2026-01-23' "
        "where program_id = 'kt_2025_12' and refund_wave = 1",
    )
    result = _validate(path, tmp_path / "run", "--suite", "fct_refund_assignments",
                       "--no-data-docs")
    assert result.exit_code == 1
    assert "FAIL  payout_date_is_a_wave_date" in result.output
    assert "2026-01-22" in result.output


def test_revision_renders_its_own_reference_date(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        original = load_program(con, "kt_2025_12")
        revision = load_program(con, "kt_2025_12_rev1")
    template = load_templates()["fct_reward_entitlements"]
    rendered = {
        program.program_id: Renderer(program, template_parameters(program)).render(template)
        for program in (original, revision)
    }
    descriptions = {
        program_id: next(e["description"] for e in suite["expectations"]
                         if e["meta"]["check"] == "insurance_auto_only_for_65_plus")
        for program_id, suite in rendered.items()
    }
    assert "on 2026-01-13" in descriptions["kt_2025_12"]
    assert "on 2026-01-31" in descriptions["kt_2025_12_rev1"]


def test_unknown_program_and_missing_mart_are_reported(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["validate", "--duckdb", str(sample_warehouse),
                                       "--program-id", "nope", "--run-dir", str(tmp_path / "a")])
    assert result.exit_code == 1
    assert "kt_2025_12_rev1" in result.output
    path = _mutated(sample_warehouse, tmp_path, "drop table main.fct_refund_notices")
    result = _validate(path, tmp_path / "b", "--no-data-docs")
    assert result.exit_code == 1
    assert "FAIL  mart_exists" in result.output


def test_template_with_unknown_parameter_is_rejected(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        program = load_program(con, "kt_2025_12")
    renderer = Renderer(program, template_parameters(program))
    with pytest.raises(TemplateError, match="no_such_parameter"):
        renderer.render({"kwargs": {"value_set": "{{ no_such_parameter }}"}})
