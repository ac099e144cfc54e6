"""Issue 12: the figures moved into dbt are the figures of before.

The regulator package's tables and the dashboard's figures used to be SQL in
src/remedy/extract.py and src/remedy/dashboard/queries.py. They are now rpt_ models the
extract and the dashboard select from; the queries below are the ones they ran before
(commit 6c99f3d), kept as the oracle: on a built warehouse, the package's tables (as
remedy.extract fetches them, pseudonymised) and the dashboard's frames must be exactly
what those queries give. The reconciliation keeps its check names and severities.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from published_sample import published_sample
from remedy import extract
from remedy.dashboard import queries
from remedy.program import load_program
from remedy.pseudonymise import DEVELOPMENT_KEY, Pseudonymiser
from remedy.publish import open_published

pytestmark = pytest.mark.slow

# The package's queries before issue 12, by table (the audit sample has none: it is drawn
# from the register).
LEGACY_EXTRACT = {
    "waiver_population_by_status_and_reason": """
        select waiver_status, exclusion_reason, count(*) as lines,
            coalesce(sum(waivable_billed_krw), 0) as waivable_billed_krw,
            coalesce(sum(waivable_paid_krw), 0) as waivable_paid_krw
        from main.fct_waiver_eligibility
        group by 1, 2
        order by 1 nulls first, 2 nulls first
    """,
    "refunds_by_wave_and_channel": """
        select assignment_status, refund_wave, payout_date, channel, review_reason,
            count(*) as lines, coalesce(sum(refund_krw), 0) as refund_krw,
            coalesce(sum(cancel_krw), 0) as cancel_krw
        from main.fct_refund_assignments
        group by 1, 2, 3, 4, 5
        order by 1 nulls first, 2 nulls first, 3 nulls first, 4 nulls first,
            5 nulls first
    """,
    "refund_notices_by_date": """
        select notice_number, notice_date, count(*) as lines
        from main.fct_refund_notices
        group by 1, 2
        order by 1 nulls first, 2 nulls first
    """,
    "rewards_by_benefit_and_month": """
        select benefit, strftime(period_start, '%Y-%m') as month, unit,
            count(*) as entitlements, coalesce(sum(quantity), 0) as total_quantity
        from main.fct_reward_entitlements
        group by 1, 2, 3
        order by 1 nulls first, 2 nulls first, 3 nulls first
    """,
    "refund_assignments_detail": """
        select assignments.line_id as line_pseudonym,
            eligibility.customer_id as customer_pseudonym,
            assignments.application_id as application_pseudonym,
            eligibility.termination_type,
            cast(eligibility.terminated_at_kst as date) as terminated_date,
            assignments.channel, assignments.applied_at_kst,
            assignments.assignment_status, assignments.review_reason,
            assignments.refund_wave, assignments.payout_date,
            assignments.refund_krw, assignments.cancel_krw
        from main.fct_refund_assignments as assignments
        left join main.fct_waiver_eligibility as eligibility
            on assignments.line_id = eligibility.line_id
    """,
    "remediation_status_by_state": """
        select waiver_status, coalesce(remediation_state, 'none') as remediation_state,
            review_reason, count(*) as lines,
            coalesce(sum(waivable_billed_krw), 0) as waivable_billed_krw,
            coalesce(sum(waivable_paid_krw), 0) as waivable_paid_krw,
            coalesce(sum(refund_krw), 0) as refund_krw,
            coalesce(sum(cancel_krw), 0) as cancel_krw
        from main.fct_waiver_determinations
        group by 1, 2, 3
        order by 1 nulls first, 2 nulls first, 3 nulls first
    """,
    "unclaimed_refunds_totals": """
        select case when is_window_closed then 'closed' else 'open' end
                as application_window,
            reminders_sent, count(*) as lines,
            coalesce(sum(refund_krw), 0) as refund_krw,
            coalesce(sum(cancel_krw), 0) as cancel_krw,
            max(data_as_of_kst) as data_as_of_kst
        from main.fct_unclaimed_refunds
        group by 1, 2
        order by 1, 2
    """,
    "waiver_population_register": """
        select line_id as line_pseudonym, waiver_status,
            coalesce(assignment_status, 'none') as assignment_status
        from main.fct_waiver_determinations
    """,
}
LEGACY_REGISTER = """
    select line_id, waiver_status, coalesce(assignment_status, 'none') as assignment_status
    from main.fct_waiver_determinations
"""

# The dashboard's queries before issue 12, by function of remedy.dashboard.queries.
LEGACY_DASHBOARD = {
    "waiver_funnel": """
    with calendar as (
        select
            terminated_from_date,
            terminated_to_date,
            string_agg(cast(refund_wave as varchar), ',' order by refund_wave) as waves
        from main.rpt_refund_wave_calendar
        group by 1, 2
    ),

    lines as (
        select
            coalesce(calendar.waves, 'none') as cohort,
            eligibility.waiver_status,
            assignments.assignment_status,
            eligibility.waivable_billed_krw,
            eligibility.waivable_paid_krw
        from main.fct_waiver_eligibility as eligibility
        left join main.fct_refund_assignments as assignments
            on eligibility.line_id = assignments.line_id
        left join calendar
            on eligibility.terminated_date
            between calendar.terminated_from_date and calendar.terminated_to_date
    ),

    staged as (
        select cohort, 'terminated' as stage, waivable_billed_krw, waivable_paid_krw
        from lines
        union all
        select cohort, 'eligible', waivable_billed_krw, waivable_paid_krw
        from lines where waiver_status = 'eligible'
        union all
        select cohort, 'applied', waivable_billed_krw, waivable_paid_krw
        from lines where assignment_status in ('scheduled', 'manual_review')
        union all
        select cohort, 'scheduled', waivable_billed_krw, waivable_paid_krw
        from lines where assignment_status = 'scheduled'
    ),

    counted as (
        select
            coalesce(cohort, 'all') as cohort,
            stage,
            count(*) as lines,
            sum(waivable_billed_krw) as waivable_billed_krw,
            sum(waivable_paid_krw) as waivable_paid_krw
        from staged
        group by grouping sets ((cohort, stage), (stage))
    ),

    stages as (
        select * from (values
            ('terminated', 1), ('eligible', 2), ('applied', 3), ('scheduled', 4)
        ) as stages (stage, stage_order)
    ),

    cohorts as (
        select distinct cohort from lines
        union all
        select 'all'
    ),

    final as (
        select
            cohorts.cohort,
            stages.stage,
            coalesce(counted.lines, 0) as lines,
            cast(coalesce(counted.waivable_billed_krw, 0) as bigint)
                as waivable_billed_krw,
            cast(coalesce(counted.waivable_paid_krw, 0) as bigint)
                as waivable_paid_krw
        from cohorts
        cross join stages
        left join counted
            on cohorts.cohort = counted.cohort
            and stages.stage = counted.stage
        order by cohorts.cohort = 'all', cohorts.cohort, stages.stage_order
    )

    select * from final
    """,
    "application_curve": """
    select applied_date, outcome, count(*) as applications
    from main.fct_refund_application_outcomes
    group by 1, 2
    order by 1, 2
    """,
    "daily_applications": """
    with daily as (
        select applied_date, count(*) as applications
        from main.fct_refund_application_outcomes
        group by 1
    )

    select
        applied_date,
        applications,
        cast(sum(applications) over (order by applied_date) as bigint) as cumulative
    from daily
    order by applied_date
    """,
    "refunds_by_wave": """
    select
        refund_wave,
        payout_date,
        channel,
        count(*) as lines,
        cast(sum(refund_krw) as bigint) as refund_krw,
        cast(sum(cancel_krw) as bigint) as cancel_krw
    from main.fct_refund_assignments
    where assignment_status = 'scheduled'
    group by 1, 2, 3
    order by 1, 3
    """,
    "assignment_totals": """
    select
        assignment_status,
        count(*) as lines,
        cast(sum(refund_krw) as bigint) as refund_krw,
        cast(sum(cancel_krw) as bigint) as cancel_krw
    from main.fct_refund_assignments
    group by 1
    order by 1
    """,
    "review_summary": """
    select
        review_reason,
        count(*) as lines,
        cast(sum(refund_krw) as bigint) as refund_krw,
        cast(sum(cancel_krw) as bigint) as cancel_krw
    from main.fct_refund_assignments
    where assignment_status = 'manual_review'
    group by 1
    order by 2 desc, 1
    """,
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return published_sample(tmp_path_factory)


def test_the_package_tables_are_the_figures_of_before(sample):
    """Every table of the package, fetched as `remedy extract` fetches it (rows,
    pseudonyms, order, types), equals the table the pre-issue-12 query gave."""
    pseudonymiser = Pseudonymiser(DEVELOPMENT_KEY, True)
    compared = 0
    with open_published(sample.database) as con:
        for spec in extract.TABLES:
            if spec.fetch is not None:
                continue
            legacy = dataclasses.replace(spec, sql=LEGACY_EXTRACT[spec.name])
            now = extract.fetch_table(con, spec, pseudonymiser)
            assert now.num_rows > 0 or spec.name == "unclaimed_refunds_totals", spec.name
            assert now.equals(extract.fetch_table(con, legacy, pseudonymiser)), spec.name
            compared += 1
    assert compared == len(LEGACY_EXTRACT) == len(extract.TABLES) - 1


def test_the_audit_sample_is_drawn_as_before(sample, monkeypatch):
    pseudonymiser = Pseudonymiser(DEVELOPMENT_KEY, True)
    [spec] = [spec for spec in extract.TABLES if spec.fetch is not None]
    with open_published(sample.database) as con:
        now = extract.fetch_table(con, spec, pseudonymiser)
        monkeypatch.setattr(extract, "REGISTER_SQL", LEGACY_REGISTER)
        before = extract.fetch_table(con, spec, pseudonymiser)
    assert now.num_rows > 0 and now.equals(before)


@pytest.mark.parametrize("name", sorted(LEGACY_DASHBOARD))
def test_the_dashboard_figures_are_the_figures_of_before(sample, name):
    with open_published(sample.database) as con:
        now = getattr(queries, name)(con)
        before = con.execute(LEGACY_DASHBOARD[name]).df()
    assert list(now.columns) == list(before.columns)
    pd.testing.assert_frame_equal(now.reset_index(drop=True), before.reset_index(drop=True),
                                  check_dtype=False)


def test_the_funnel_reaches_every_stage(sample):
    with open_published(sample.database) as con:
        funnel = queries.waiver_funnel(con)
    overall = funnel[funnel["cohort"] == queries.ALL_COHORTS]
    assert list(overall["stage"]) == list(queries.STAGES)
    assert (overall["lines"] > 0).all()


def test_reconciliation_keeps_its_check_names_and_severities(sample):
    """The split into one model per domain keeps every control of before: one per landing
    table, the waiver, refund and application identities, the two billing findings, one
    per seeded grant date, and one per benefit granted."""
    import yaml

    from remedy.dbt_runner import PROJECT_DIR

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    with open_published(sample.database) as con:
        program = load_program(con, project["vars"]["program_id"])
        controls = dict(con.execute(
            "select check_name, severity from main.rpt_reconciliation").fetchall())
        domains = sorted(con.execute("""
            select check_name, severity from main.rpt_reconciliation__sources
            union all select check_name, severity from main.rpt_reconciliation__waiver
            union all select check_name, severity from main.rpt_reconciliation__refunds
            union all select check_name, severity from main.rpt_reconciliation__billing
            union all select check_name, severity from main.rpt_reconciliation__rewards
            union all select check_name, severity from main.rpt_reconciliation__determinations
        """).fetchall())
    assert sorted(controls.items()) == domains
    expected = {f"source_rows__{table}" for table in project["vars"]["landing_tables"]}
    expected |= {
        "waiver_population__terminations_in_window", "waiver_population__by_status",
        "eligible__by_assignment_status", "refunds__waves_plus_unscheduled_equal_paid",
        "cancellations__equal_billed_unpaid", "scheduled__in_exactly_one_wave",
        "applications__one_outcome_each", "applications__accepted_equal_scheduled",
        "penalty_billing__lines_agreeing", "penalty_billing__waivable_krw",
        "data_grants__total_quantity_equals_seed_times_grants",
        "insurance__at_most_one_policy_per_customer",
        "refunds__paid_equal_scheduled_review_unclaimed",
        "unclaimed__lines_equal_owed_not_applied",
    }
    expected |= {f"data_grants__{row['grant_date']:%Y_%m_%d}__within_population"
                 for row in program.tables["program_data_grants"]}
    expected |= {  # every reward decision accounted for (R2-R6)
        "reward_determinations__data_bonus__grants_accounted",
        "reward_determinations__roaming_bonus__passes_accounted",
        "reward_determinations__ott_voucher__choices_accounted",
        "reward_determinations__safety_insurance__applications_accounted",
        "reward_determinations__membership_discount__population_accounted",
    }
    assert set(controls) == expected
    assert {name for name, severity in controls.items() if severity == "finding"} == {
        "penalty_billing__lines_agreeing", "penalty_billing__waivable_krw"}
