"""Issue 11, "explain every decision": fct_waiver_determinations (rule trace),
fct_unclaimed_refunds, fct_reward_determinations and `remedy explain`, on the edge-case
catalogue (src/remedy/edge_cases.py) plus a few hand-made lines (prefix `X-`).

Lines used, by what they show:
- waiver statuses: eligible (N2-NONE), eligible_no_penalty (W4-NO-AGREEMENT), excluded
  by each W2 rule (W2-MVNO-ALL, W2-IOT, W2-PREPAID, W2-FORCED, W25-0901, W26-0901,
  W27-RECONTRACT, W28-REJOIN);
- assignment statuses and review reasons: scheduled (A5-1231-W2), account_holder_mismatch
  (A3-MISMATCH), hardship_extension (A4-MILITARY-D14), late_application (A4-LATE-0210),
  not_applied and unclaimed (N2-NONE), not applied with nothing paid (A7-UNPAID);
- outside the waiver population: an active line with a rejected application
  (A6-ACTIVE-LINE), reward-only lines with a missed grant (R2-SUSPENDED, X-SUSP-0301) or a
  first OTT choice for another service (X-NETFLIX-ONLY);
- reward decisions (since the redesign at scale): granted ones are entitlements, missed
  grants and turned-down passes, choices and insurance applications are determinations,
  class exclusions and the R1 gate are dim_lines columns (R2-PREPAID, R2-IOT, R1-*, R6-*);
- unknown ids: one that only applications named (the A6 ghost) and one nobody named.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from remedy.cli import main
from remedy.edge_cases import edge_rows
from remedy.explain import UnknownLine, explain_line, format_text
from remedy.landing import write_tables
from remedy.published import open_published

TRACE_ORDER = ["W1", "W2.1", "W2.2", "W2.3", "W2.4", "W2.5", "W2.6", "W2.7", "W2.8", "W4",
               "A2", "A3", "A4", "A5", "A6", "A7", "N2", "P1", "P2", "P3"]
W2_RULE = {"mvno": "W2.1", "iot_or_special": "W2.2", "prepaid": "W2.3",
           "forced_termination": "W2.4", "new_since_base_date": "W2.5",
           "device_change_since_base_date": "W2.6", "recontract_since_base_date": "W2.7",
           "rejoined": "W2.8"}


def edge(case_id: str, suffix: int = 1) -> str:
    return f"L-EDGE-{case_id}-{suffix}"


def extra_rows() -> dict[str, list[dict]]:
    """Hand-made lines the catalogue lacks (KST wall-clock strings)."""
    tables: dict[str, list[dict]] = defaultdict(list)

    def line(line_id: str, activated: str, *, line_record: str | None = None) -> None:
        tables["customers"].append(dict(
            customer_id=f"C-{line_id}", person_key=f"P-{line_id}", customer_type="individual",
            full_name="홍길동", birth_date="1980-05-05", created_at="2015-01-01 09:00:00"))
        tables["lines"].append(dict(
            line_id=line_id, customer_id=f"C-{line_id}", msisdn="010-0000-0000", network="kt",
            line_class="phone", payment_type="postpaid",
            activated_at=line_record or activated))
        event(line_id, "act", "activation", activated)

    def event(line_id: str, suffix: str, event_type: str, at: str) -> None:
        tables["contract_events"].append(dict(
            event_id=f"{line_id}-{suffix}", line_id=line_id, event_type=event_type, event_at=at,
            channel="store", port_out_to=None))

    # W2.5 decided by the activation event, which overrides lines.activated_at (2025-08-15).
    line("X-ACT-MISMATCH", "2025-09-05 10:00:00", line_record="2025-08-15 10:00:00")
    event("X-ACT-MISMATCH", "term", "termination", "2025-11-01 10:00:00")
    # R2: suspended at 2026-03-01 00:00:00 KST, resumed 2026-03-20: misses the March grant.
    line("X-SUSP-0301", "2020-01-01 10:00:00")
    event("X-SUSP-0301", "susp", "suspension", "2026-03-01 00:00:00")
    event("X-SUSP-0301", "resume", "suspension_end", "2026-03-20 10:00:00")
    # R4: the only choice is a service outside the program.
    line("X-NETFLIX-ONLY", "2020-01-01 10:00:00")
    tables["ott_choices"].append(dict(choice_id="X-OC-1", line_id="X-NETFLIX-ONLY",
                                      service="netflix", chosen_at="2026-02-03 10:00:00"))
    return tables


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, build) -> Path:
    root = tmp_path_factory.mktemp("explain")
    tables = {table: list(rows) for table, rows in edge_rows().items()}
    for table, rows in extra_rows().items():
        tables.setdefault(table, []).extend(rows)
    write_tables(root / "raw", tables)
    return build(root / "raw", root)


@pytest.fixture(scope="module")
def determinations(warehouse, sql) -> dict[str, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute("select * from main.fct_waiver_determinations")
        names = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _explain_json(warehouse: Path, line_id: str) -> dict:
    result = CliRunner().invoke(main, ["explain", line_id, "--duckdb", str(warehouse),
                                       "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _explain_text(warehouse: Path, line_id: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["explain", line_id, "--duckdb", str(warehouse), *args])
    assert result.exit_code == 0, result.output
    return result.output


# --- the rule trace -----------------------------------------------------------------------


def test_every_trace_is_in_rule_order_and_names_the_deciding_rules(determinations):
    assert len(determinations) > 60
    for line_id, row in determinations.items():
        steps = {step["rule_id"]: step for step in row["rule_trace"]}
        order = [step["rule_id"] for step in row["rule_trace"]]
        assert order == [rule for rule in TRACE_ORDER if rule in steps], line_id
        assert {"W1", *W2_RULE.values(), "W4", "P1", "P2", "P3"} <= set(steps), line_id
        applying = [rule for rule in W2_RULE.values() if steps[rule]["outcome"] == "applies"]
        assert applying == [W2_RULE[reason] for reason in row["exclusion_reasons"]], line_id
        decided = steps[row["waiver_decided_by"]]
        if row["waiver_status"] == "excluded":
            assert row["waiver_decided_by"] == applying[0], line_id
            assert decided["outcome"] == "applies"
            assert steps["W4"]["outcome"] == "not_applicable"
        else:
            assert row["waiver_decided_by"] == "W4"
            assert decided["outcome"] == row["waiver_status"], line_id
        if row["waiver_status"] != "eligible":
            assert row["assignment_decided_by"] is None
            assert not {"A2", "A3", "A4", "A5", "A7", "N2"} & set(steps), line_id
            continue
        expected = {"scheduled": ("A5", "scheduled"), "not_applied": ("A6", "not_applied")}.get(
            row["assignment_status"])
        if expected is None:
            rule = "A3" if row["review_reason"] == "account_holder_mismatch" else "A4"
            expected = (rule, row["review_reason"])
        assert (row["assignment_decided_by"], steps[expected[0]]["outcome"]) == expected, line_id
        assert steps["A7"]["outcome"] == row["remediation_state"]
        assert steps["N2"]["outcome"] == ("reminded" if row["reminders_sent"] else
                                          "not_reminded")


def test_trace_details_carry_no_identifiers(determinations):
    for line_id, row in determinations.items():
        for step in row["rule_trace"]:
            for value in (line_id, row["termination_event_id"], row["application_id"],
                          row["agreement_id"], row["rejoined_line_id"]):
                assert value is None or value not in step["detail"], (line_id, step)


@pytest.mark.parametrize(("line_id", "rule", "evidence"), [
    (edge("W2-MVNO-ALL"), "W2.1", "network=mvno"),
    (edge("W2-IOT"), "W2.2", "line_class=iot"),
    (edge("W2-PREPAID"), "W2.3", "payment_type=prepaid"),
    (edge("W2-FORCED"), "W2.4", "termination_type=forced_termination"),
    (edge("W25-0901"), "W2.5", "activated_at_kst=2025-09-01 00:00:00"),
    (edge("W26-0901"), "W2.6", "first_device_change_at_kst=2025-09-01 00:00:00"),
    (edge("W27-RECONTRACT"), "W2.7", "first_recontract_at_kst=2025-10-01"),
    (edge("W28-REJOIN"), "W2.8", "rejoined_activated_at_kst=2025-12-20 11:00:00"),
])
def test_each_exclusion_is_decided_by_its_rule_with_evidence(determinations, line_id, rule,
                                                              evidence):
    row = determinations[line_id]
    assert row["waiver_status"] == "excluded" and row["waiver_decided_by"] == rule
    step = next(step for step in row["rule_trace"] if step["rule_id"] == rule)
    assert step["outcome"] == "applies" and evidence in step["detail"]


def test_the_excluding_events_and_the_rejoining_line_are_named(determinations):
    rows = edge_rows()
    device_change = next(e for e in rows["contract_events"]
                         if e["line_id"] == edge("W26-0901") and e["event_type"] == "device_change")
    row = determinations[edge("W26-0901")]
    assert row["device_change_event_id"] == device_change["event_id"]
    assert str(row["device_change_at_kst"]) == "2025-09-01 00:00:00"
    recontract = next(e for e in rows["contract_events"]
                      if e["line_id"] == edge("W27-RECONTRACT")
                      and e["event_type"] == "recontract")
    assert determinations[edge("W27-RECONTRACT")]["recontract_event_id"] == recontract["event_id"]
    rejoined = determinations[edge("W28-REJOIN")]
    assert rejoined["rejoined_line_id"] == edge("W28-REJOIN", 2)
    assert str(rejoined["rejoined_activated_at_kst"]) == "2025-12-20 11:00:00"
    eligible = determinations[edge("N2-NONE")]
    assert eligible["device_change_event_id"] is None and eligible["rejoined_line_id"] is None


def test_the_activation_event_overriding_lines_is_shown(determinations):
    row = determinations["X-ACT-MISMATCH"]
    assert row["has_activation_mismatch"]
    assert str(row["activated_at_kst"]) == "2025-09-05 10:00:00"
    assert str(row["line_activated_at_kst"]) == "2025-08-15 10:00:00"
    assert row["waiver_decided_by"] == "W2.5"
    step = next(step for step in row["rule_trace"] if step["rule_id"] == "W2.5")
    assert "activation_source=activation_event_overrides_lines" in step["detail"]
    assert "lines_activated_at_kst=2025-08-15 10:00:00" in step["detail"]


def test_penalty_arithmetic_sits_next_to_billing(determinations):
    row = determinations[edge("P-BILLING-DIFFERS")]
    assert (row["agreement_start_date"].isoformat(), row["term_months"], row["contract_days"],
            row["grace_days"], row["penalty_basis"]) == ("2025-03-01", 24, 730, 180, "prorated")
    assert row["billed_subsidy_clawback_krw"] == row["expected_subsidy_clawback_krw"] + 3_000
    assert not row["is_subsidy_clawback_matched"] and row["is_selective_discount_clawback_matched"]
    step = next(step for step in row["rule_trace"] if step["rule_id"] == "P2")
    assert step["outcome"] == "differs_from_billing"
    mixed = determinations[edge("A7-MIXED")]
    components = {charge["component"]: charge for charge in mixed["penalty_charges"]}
    assert {c for c, charge in components.items() if charge["is_waivable"]} <= {
        "subsidy_clawback", "selective_discount_clawback"}
    assert sum(charge["billed_krw"] for charge in components.values()
               if charge["is_waivable"]) == mixed["waivable_billed_krw"]


def test_applications_carry_their_outcome_and_reason(determinations):
    row = determinations[edge("A6-BEFORE-THEN-ON-TIME")]
    reasons = [(app["timing"], app["outcome"], app["outcome_reason"])
               for app in row["applications"]]
    assert reasons[0] == ("before_window", "before_window", "applied_before_window")
    assert ("on_time", "accepted", "earliest_payable") in reasons
    excluded = determinations[edge("A6-EXCLUDED-LINE")]
    assert {app["outcome_reason"] for app in excluded["applications"]} == {"line_excluded"}
    assert [step["outcome"] for step in excluded["rule_trace"]
            if step["rule_id"] == "A6"] == ["not_eligible"]


def test_scheduled_lines_show_the_wave_rule(determinations):
    row = determinations[edge("A5-1231-W2")]
    assert (row["refund_wave"], str(row["payout_date"])) == (2, "2026-02-05")
    assert (str(row["wave_terminated_from_date"]), str(row["wave_terminated_to_date"])) == (
        "2025-09-01", "2025-12-31")
    assert str(row["wave_applied_from_kst"]) == "2026-01-19 00:00:00"
    assert row["wave_applied_before_kst"] is None


# --- the unclaimed register ---------------------------------------------------------------


def test_unclaimed_register_holds_owed_lines_without_a_payable_application(warehouse, sql):
    register = {row[0]: row[1:] for row in sql(warehouse, """
        select line_id, refund_krw, reminders_sent, reminder_dates, before_window_applications,
            is_window_closed, cast(data_as_of_kst as varchar)
        from main.fct_unclaimed_refunds
    """)}
    owed = {row[0] for row in sql(warehouse, """
        select line_id from main.fct_refund_assignments
        where assignment_status = 'not_applied' and refund_krw > 0
    """)}
    assert set(register) == owed
    never = register[edge("N2-NONE")]
    assert never[1] == 3 and [d.isoformat() for d in never[2]] == [
        "2026-02-09", "2026-02-23", "2026-03-09"]
    assert never[4] is True
    early = register[edge("A2-0859")]
    assert early[3] == 1
    assert edge("A7-UNPAID") not in register  # nothing paid: nothing owed
    latest = sql(warehouse, """
        select cast(greatest(
            (select max(event_at_kst) from main.fct_contract_events),
            (select max(applied_at_kst) from main.fct_refund_application_outcomes)) as varchar)
    """)[0][0]
    assert never[5] == latest
    [(identity,)] = sql(warehouse, """
        select passed from main.rpt_reconciliation
        where check_name = 'refunds__paid_equal_scheduled_review_unclaimed'
    """)
    assert identity


def test_the_window_is_judged_by_the_data_not_a_clock(tmp_path, build, sql):
    """The same owed line is in the register either way; is_window_closed follows the latest
    instant in the landing data."""
    tables: dict[str, list[dict]] = defaultdict(list)
    tables["customers"].append(dict(customer_id="C-1", person_key="P-1",
                                    customer_type="individual", full_name="홍길동",
                                    birth_date="1980-05-05", created_at="2015-01-01 09:00:00"))
    tables["lines"].append(dict(line_id="L-1", customer_id="C-1", msisdn="010-0000-0000",
                                network="kt", line_class="phone", payment_type="postpaid",
                                activated_at="2020-01-01 10:00:00"))
    for event_id, event_type, at in (("E-1", "activation", "2020-01-01 10:00:00"),
                                     ("E-2", "termination", "2025-10-10 10:00:00")):
        tables["contract_events"].append(dict(event_id=event_id, line_id="L-1",
                                              event_type=event_type, event_at=at,
                                              channel="store"))
    tables["penalty_charges"].append(dict(
        charge_id="PC-1", line_id="L-1", termination_event_id="E-2",
        component="subsidy_clawback", billed_krw=100_000, paid_krw=40_000,
        billed_on="2025-10-10"))
    selection = ("build", "-s", "+fct_unclaimed_refunds", "--indirect-selection", "cautious")
    closed = {}
    for name, last_seen in (("open", "2026-01-31 22:00:00"), ("closed", "2026-01-31 22:00:01")):
        rows = {table: list(items) for table, items in tables.items()}
        rows["contract_events"].append(dict(event_id="E-3", line_id="L-9", event_type="plan_change",
                                            event_at=last_seen, channel="web"))
        rows["lines"].append(dict(rows["lines"][0], line_id="L-9"))
        rows["contract_events"].append(dict(event_id="E-4", line_id="L-9",
                                            event_type="activation",
                                            event_at="2020-01-01 10:00:00", channel="store"))
        write_tables(tmp_path / name / "raw", rows)
        database = build(tmp_path / name / "raw", tmp_path / name, args=selection)
        closed[name] = sql(database, "select line_id, refund_krw, is_window_closed "
                                     "from main.fct_unclaimed_refunds")
    assert closed == {"open": [("L-1", 40_000, False)], "closed": [("L-1", 40_000, True)]}


# --- reward determinations ----------------------------------------------------------------


def test_every_reward_decision_is_an_entitlement_or_a_determination(warehouse, sql):
    """What was granted is an entitlement, what was scheduled or asked for and not
    granted is a determination, and the two never overlap: every data grant of a
    data-eligible population line, and every roaming pass, OTT choice and insurance
    application, is exactly one of them."""
    [(grants,)] = sql(warehouse, "select count(*) from program.stg_program__data_grants")
    [(data_lines,)] = sql(warehouse, """
        select count(*) from main.dim_lines
        where is_reward_population and not is_iot_or_special and not is_prepaid
    """)
    decided = dict(sql(warehouse, """
        select benefit, count(*) from (
            select benefit from main.fct_reward_entitlements
            where benefit <> 'safety_insurance' or detail = 'application'
            union all
            select benefit from main.fct_reward_determinations
        ) group by 1
    """))
    requests = dict(sql(warehouse, "select source_table, accepted_rows "
                                   "from main.rpt_source_row_counts"))
    assert decided["data_bonus"] == data_lines * grants
    assert decided["roaming_bonus"] == requests["roaming_passes"]
    assert decided["ott_voucher"] == requests["ott_choices"]
    assert decided["safety_insurance"] == requests["insurance_applications"]
    key = "benefit, coalesce(line_id, customer_id), period_start"
    assert sql(warehouse, f"""
        select {key} from main.fct_reward_entitlements where benefit = 'data_bonus'
        intersect
        select {key} from main.fct_reward_determinations where benefit = 'data_bonus'
    """) == []
    assert sql(warehouse, """
        select request_id from main.fct_reward_determinations
        intersect
        select detail from main.fct_reward_entitlements where benefit = 'roaming_bonus'
    """) == []


def test_class_exclusions_are_line_attributes_not_rows(warehouse, sql):
    """An iot/special or prepaid line has no row per month: its exclusion is a dim_lines
    flag, and nothing granted is listed again."""
    assert sql(warehouse, """
        select count(*) from main.fct_reward_determinations as determinations
        inner join main.dim_lines as lines
            on determinations.line_id = lines.line_id
        where determinations.benefit = 'data_bonus'
            and (lines.is_iot_or_special or lines.is_prepaid)
    """) == [(0,)]
    assert sql(warehouse, "select count(*) from main.fct_reward_determinations "
                          "where is_granted") == [(0,)]
    [(lines,)] = sql(warehouse, "select count(*) from main.dim_lines")
    [(accepted,)] = sql(warehouse, "select accepted_rows from main.rpt_source_row_counts "
                                   "where source_table = 'lines'")
    assert lines == accepted


@pytest.mark.parametrize(("line_id", "benefit", "period_start", "reason", "stored"), [
    (edge("R2-SUSPENDED"), "data_bonus", "2026-03-01", "suspended_at_grant", True),
    ("X-SUSP-0301", "data_bonus", "2026-03-01", "suspended_at_grant", True),
    (edge("R2-TERMINATED-0315"), "data_bonus", "2026-04-01", "terminated_at_grant", True),
    (edge("R2-PREPAID"), "data_bonus", None, "prepaid", False),
    (edge("R2-IOT"), "data_bonus", None, "iot_or_special", False),
    (edge("R2-IOT"), "membership_discount", None, "iot_or_special", False),
    (edge("R3-ROAMING-EDGES"), "roaming_bonus", "2026-02-28", "outside_roaming_window", True),
    (edge("R2-TERMINATED-0315"), "roaming_bonus", "2026-04-02", "not_in_service_at_purchase",
     True),
    ("X-NETFLIX-ONLY", "ott_voucher", None, "unknown_service", True),
    (edge("R4-AFTER-DEADLINE"), "ott_voucher", None, "after_deadline", True),
    (edge("R2-SUSPENDED"), "ott_voucher", None, "no_choice", False),
])
def test_each_missed_reward_has_its_reason(warehouse, sql, line_id, benefit, period_start,
                                           reason, stored):
    """Every missed reward is explained; the ones a published attribute does not already
    decide are rows of fct_reward_determinations."""
    explained = [(reward["period_start"], reward["reason"], reward["granted"])
                 for reward in _explain_json(warehouse, line_id)["rewards"]
                 if reward["benefit"] == benefit]
    assert (period_start, reason, False) in explained
    rows = sql(warehouse, """
        select cast(period_start as varchar), reason, is_granted
        from main.fct_reward_determinations
        where line_id = ? and benefit = ?
    """, [line_id, benefit])
    assert ((period_start, reason, False) in rows) == stored


@pytest.mark.parametrize(("line_id", "reason"), [
    (edge("R1-MVNO"), "mvno"),
    (edge("R1-ACT-0114"), "activated_after_population_instant"),
    (edge("W1-0113"), "terminated_before_population_instant"),
    (edge("W1-0114"), "in_population"),
])
def test_every_line_has_its_population_decision(warehouse, sql, line_id, reason):
    assert sql(warehouse, "select reward_population_reason, is_reward_population, "
                          "cast(reward_population_as_of_kst as varchar) "
                          "from main.dim_lines where line_id = ?",
               [line_id]) == [(reason, reason == "in_population", "2026-01-14 00:00:00")]
    population = _explain_json(warehouse, line_id)["reward_population"]
    assert (population["reason"], population["granted"]) == (reason,
                                                             reason == "in_population")


@pytest.mark.parametrize(("case_id", "granted", "reason"), [
    ("R6-19610113", True, "auto_enrolled_by_age"),
    ("R6-APPLY-0315", True, "applied"),
    ("R6-19610114", False, "under_auto_age_no_application"),
    ("R6-BUSINESS", False, "business_customer"),
])
def test_insurance_reasons(warehouse, case_id, granted, reason):
    insurance = _explain_json(warehouse, edge(case_id))["insurance"]
    assert (insurance["granted"], insurance["reason"]) == (granted, reason)


@pytest.mark.parametrize(("case_id", "reason"), [
    ("R6-APPLY-TWICE", "not_first_application"),
    ("R6-SENIOR-APPLIES", "insured_automatically"),
    ("R6-NO-POPULATION-LINE", "no_population_line"),
])
def test_insurance_applications_that_gave_no_policy(warehouse, sql, case_id, reason):
    assert sql(warehouse, "select reason, line_id from main.fct_reward_determinations "
                          "where benefit = 'safety_insurance' and customer_id = ?",
               [f"C-EDGE-{case_id}-1"]) == [(reason, None)]


# --- remedy explain -----------------------------------------------------------------------

WAIVER_LINES = {
    "eligible": edge("N2-NONE"),
    "eligible_no_penalty": edge("W4-NO-AGREEMENT"),
    "excluded": edge("W2-MVNO-ALL"),
}
ASSIGNMENT_LINES = {
    ("scheduled", None): edge("A5-1231-W2"),
    ("manual_review", "account_holder_mismatch"): edge("A3-MISMATCH"),
    ("manual_review", "hardship_extension"): edge("A4-MILITARY-D14"),
    ("manual_review", "late_application"): edge("A4-LATE-0210"),
    ("not_applied", None): edge("N2-NONE"),
}


def _mart_row(warehouse: Path, mart: str, line_id: str) -> dict | None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from main.{mart} where line_id = ?", [line_id])
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def _text(value) -> str | None:
    return None if value is None else str(value)


@pytest.mark.parametrize("status", sorted(WAIVER_LINES))
def test_explain_every_waiver_status(warehouse, status):
    line_id = WAIVER_LINES[status]
    explanation = _explain_json(warehouse, line_id)
    eligibility = _mart_row(warehouse, "fct_waiver_eligibility", line_id)
    waiver = explanation["waiver"]
    assert waiver["status"] == eligibility["waiver_status"] == status
    assert waiver["exclusion_reasons"] == eligibility["exclusion_reasons"]
    assert waiver["rule_trace"][0]["rule_id"] == "W1"
    assert (explanation["refund"] is None) == (status != "eligible")
    labels = {"eligible": ("면제 대상", "eligible"),
              "eligible_no_penalty": ("면제 대상 (위약금 없음)", "eligible (no penalty)"),
              "excluded": ("제외", "excluded")}[status]
    korean = _explain_text(warehouse, line_id)
    english = _explain_text(warehouse, line_id, "--lang", "en")
    assert f"판정: {labels[0]}" in korean and f"결정 규칙 {waiver['decided_by']}" in korean
    assert f"Decision: {labels[1]}" in english and f"decided by {waiver['decided_by']}" in english
    assert korean == format_text(explanation, "ko")


@pytest.mark.parametrize(("status", "reason"), sorted(ASSIGNMENT_LINES,
                                                       key=lambda key: (key[0], key[1] or "")))
def test_explain_every_assignment_status_and_review_reason(warehouse, status, reason):
    line_id = ASSIGNMENT_LINES[(status, reason)]
    refund = _explain_json(warehouse, line_id)["refund"]
    assignment = _mart_row(warehouse, "fct_refund_assignments", line_id)
    for key in ("assignment_status", "review_reason", "refund_wave", "refund_krw", "cancel_krw",
                "application_id"):
        assert refund[key] == assignment[key], key
    assert refund["payout_date"] == _text(assignment["payout_date"])
    assert (refund["assignment_status"], refund["review_reason"]) == (status, reason)
    notices = _mart_row(warehouse, "fct_unclaimed_refunds", line_id)
    assert (refund["unclaimed"] is None) == (notices is None)
    korean = _explain_text(warehouse, line_id)
    assert f"결정 규칙 {refund['decided_by']}" in korean
    assert f"환급액 {assignment['refund_krw']:,}원" in korean
    english = _explain_text(warehouse, line_id, "--lang", "en")
    assert f"Refund KRW {assignment['refund_krw']:,}" in english
    if reason:
        labels = {"account_holder_mismatch": "예금주 불일치",
                  "hardship_extension": "군복무·해외체류 연장", "late_application": "기한 후 신청"}
        assert labels[reason] in korean


def test_explain_a_scheduled_line_names_its_wave(warehouse):
    text = _explain_text(warehouse, edge("A5-1231-W2"))
    assert "환급 2차, 지급일 2026-02-05" in text
    english = _explain_text(warehouse, edge("A5-1231-W2"), "--lang", "en")
    assert "Wave 2, payout 2026-02-05" in english


def test_explain_an_unclaimed_line(warehouse):
    explanation = _explain_json(warehouse, edge("N2-NONE"))
    assert explanation["refund"]["remediation_state"] == "unclaimed"
    assert explanation["refund"]["unclaimed"]["is_window_closed"] is True
    assert explanation["refund"]["reminders"]["dates"] == ["2026-02-09", "2026-02-23",
                                                          "2026-03-09"]
    assert "미청구 환급" in _explain_text(warehouse, edge("N2-NONE"))


def test_explain_a_line_outside_the_population(warehouse):
    line_id = edge("A6-ACTIVE-LINE")
    explanation = _explain_json(warehouse, line_id)
    assert explanation["waiver"] is None and explanation["refund"] is None
    lookup = _mart_row(warehouse, "fct_penalty_lookup", line_id)
    assert explanation["lookup"]["would_be_eligible"] == lookup["would_be_eligible"]
    assert explanation["lookup"]["expected_waivable_penalty_krw"] == lookup[
        "expected_waivable_penalty_krw"]
    assert [app["outcome"] for app in explanation["applications"]] == ["not_eligible"]
    assert explanation["reward_population"]["reason"] == "in_population"
    text = _explain_text(warehouse, line_id)
    assert "면제 모집단 아님" in text and "면제 대상 아님" in text
    assert "면제 가능 여부: " + ("예" if lookup["would_be_eligible"] else "아니오") in text


def test_explain_a_reward_only_line_with_a_missed_grant(warehouse, sql):
    line_id = "X-SUSP-0301"
    explanation = _explain_json(warehouse, line_id)
    data = {reward["period_start"]: reward for reward in explanation["rewards"]
            if reward["benefit"] == "data_bonus"}
    assert len(data) == 6
    assert (data["2026-03-01"]["granted"], data["2026-03-01"]["reason"]) == (
        False, "suspended_at_grant")
    assert data["2026-04-01"]["granted"] and data["2026-04-01"]["quantity"] == 100
    entitled = {row[0].isoformat() for row in sql(warehouse, """
        select period_start from main.fct_reward_entitlements
        where line_id = ? and benefit = 'data_bonus'
    """, [line_id])}
    assert entitled == {day for day, reward in data.items() if reward["granted"]}
    korean = _explain_text(warehouse, line_id)
    assert "데이터 보너스 2026-03-01: 미지급 — 지급일 00:00 KST에 일시정지 상태" in korean
    english = _explain_text(warehouse, line_id, "--lang", "en")
    assert "2026-03-01: not granted - suspended at 00:00 KST on the grant date" in english
    assert explanation["insurance"]["reason"] == "under_auto_age_no_application"


def test_explain_an_ott_choice_for_another_service(warehouse):
    explanation = _explain_json(warehouse, "X-NETFLIX-ONLY")
    [ott] = [reward for reward in explanation["rewards"] if reward["benefit"] == "ott_voucher"]
    assert (ott["granted"], ott["reason"], ott["detail"]) == (False, "unknown_service", "netflix")
    assert "첫 선택이 대상이 아닌 서비스" in _explain_text(warehouse, "X-NETFLIX-ONLY")


@pytest.mark.parametrize("line_id", ["X-NO-SUCH-LINE", "L-EDGE-A6-UNKNOWN-LINE-GHOST"])
def test_explain_an_unknown_line_fails_clearly(warehouse, line_id):
    result = CliRunner().invoke(main, ["explain", line_id, "--duckdb", str(warehouse)])
    assert result.exit_code == 2
    assert f"line {line_id!r} is not in the published marts" in result.output
    if "GHOST" in line_id:
        assert "rejected as unknown_line" in result.output


def test_explain_reads_only_the_published_marts(warehouse, tmp_path):
    only_main = tmp_path / "main-only.duckdb"
    with duckdb.connect(str(only_main)) as con:
        con.execute(f"attach '{warehouse}' as built (read_only)")
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'built' and table_schema = 'main'"
        ).fetchall():
            con.execute(f"create table main.{name} as select * from built.main.{name}")
    with open_published(only_main) as con:
        assert explain_line(con, edge("A3-MISMATCH"))["refund"]["review_reason"] == (
            "account_holder_mismatch")
        with pytest.raises(UnknownLine):
            explain_line(con, "X-NO-SUCH-LINE")
