{#- One row per control figure (PUBLISHED_MARTS.md): expected, actual, difference
    (actual - expected), whether the control passed, and its severity. `remedy reconcile`
    recomputes every row independently in Python (src/remedy/reconcile.py) and fails when
    the two disagree. Equality controls pass when actual = expected; `_within_` controls
    when actual <= expected; the two billing controls (P rules) within a tolerance.

    Severity: an `integrity` control is an identity the warehouse itself guarantees (every
    row accounted for, populations partitioned, money conserved); a `finding` compares the
    warehouse with a source system (billing vs the P arithmetic: billing is the truth for
    refunds, A7) and measures the source, not the warehouse. `remedy reconcile` and
    `remedy build --require-controls` fail on integrity controls; findings only fail
    `--strict`.

    Every figure is over a set that may be empty (no refund application before
    2026-01-14): counts and sums are coalesced to 0, so an empty set compares 0 with 0, and
    a null figure fails its control instead of passing as "null is not distinct from
    null". Counts use `count(*) filter (where ...)`, which is 0 over an empty set
    (DuckDB's `count_if` is null there). -#}
{%- set penalty_tolerance = var('reconciliation_penalty_tolerance') -%}

with

source_row_counts as (
    select * from {{ ref('rpt_source_row_counts') }}
),

contract_events as (
    select * from {{ ref('fct_contract_events') }}
),

waiver_eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
),

refund_assignments as (
    select * from {{ ref('fct_refund_assignments') }}
),

application_outcomes as (
    select * from {{ ref('fct_refund_application_outcomes') }}
),

reward_entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
),

penalties_compared as (
    select * from {{ ref('int_termination_penalties_compared') }}
),

unclaimed_refunds as (
    select * from {{ ref('fct_unclaimed_refunds') }}
),

reward_determinations as (
    select * from {{ ref('fct_reward_determinations') }}
),

event_types as (
    select * from {{ ref('ref_event_types') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

program_refund_waves as (
    select * from {{ ref('stg_program__refund_waves') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

source_controls as (
    select
        'source_rows__' || source_table as check_name,
        raw_rows as expected,
        accepted_rows + collapsed_duplicate_rows + quarantined_rows as actual
    from source_row_counts
),

terminations_in_window as (
    select count(distinct contract_events.line_id) as lines_terminated
    from contract_events
    inner join event_types
        on contract_events.event_type = event_types.event_type
    cross join program_parameters
    where
        event_types.is_terminating
        and contract_events.event_date
        between program_parameters.waiver_window_start_date
        and program_parameters.waiver_window_end_date
),

waiver_figures as (
    select
        count(*) as population,
        count(*) filter (where waiver_status = 'eligible') as eligible,
        count(*) filter (
            where waiver_status = 'eligible_no_penalty'
        ) as eligible_no_penalty,
        count(*) filter (where waiver_status = 'excluded') as excluded,
        coalesce(sum(waivable_paid_krw) filter (where waiver_status = 'eligible'), 0)
            as eligible_paid_krw,
        coalesce(
            sum(waivable_billed_krw - waivable_paid_krw)
            filter (where waiver_status = 'eligible'),
            0
        ) as eligible_unpaid_krw
    from waiver_eligibility
),

scheduled_in_waves as (
    select count(*) as scheduled_in_a_wave
    from refund_assignments
    inner join program_refund_waves
        on refund_assignments.refund_wave = program_refund_waves.refund_wave
            and refund_assignments.payout_date = program_refund_waves.payout_date
    where refund_assignments.assignment_status = 'scheduled'
),

refunds_by_wave as (
    select coalesce(sum(refund_assignments.refund_krw), 0) as scheduled_refund_krw
    from refund_assignments
    inner join program_refund_waves
        on refund_assignments.refund_wave = program_refund_waves.refund_wave
    where refund_assignments.assignment_status = 'scheduled'
),

assignment_figures as (
    select
        count(*) filter (where assignment_status = 'scheduled') as scheduled,
        count(*) filter (where assignment_status = 'manual_review') as manual_review,
        count(*) filter (where assignment_status = 'not_applied') as not_applied,
        coalesce(
            sum(refund_krw) filter (
                where assignment_status in ('manual_review', 'not_applied')
            ),
            0
        ) as unscheduled_refund_krw,
        coalesce(sum(cancel_krw), 0) as cancel_krw
    from refund_assignments
),

outcome_figures as (
    select
        count(*) as outcomes,
        count(*) filter (where outcome = 'accepted') as accepted
    from application_outcomes
),

refund_applications_accepted as (
    select coalesce(sum(accepted_rows), 0) as accepted_rows
    from source_row_counts
    where source_table = 'refund_applications'
),

waiver_controls as (
    select
        'waiver_population__terminations_in_window' as check_name,
        terminations_in_window.lines_terminated as expected,
        waiver_figures.population as actual
    from waiver_figures
    cross join terminations_in_window

    union all

    select
        'waiver_population__by_status' as check_name,
        population as expected,
        eligible + eligible_no_penalty + excluded as actual
    from waiver_figures

    union all

    select
        'eligible__by_assignment_status' as check_name,
        waiver_figures.eligible as expected,
        assignment_figures.scheduled + assignment_figures.manual_review
        + assignment_figures.not_applied as actual
    from waiver_figures
    cross join assignment_figures

    union all

    select
        'refunds__waves_plus_unscheduled_equal_paid' as check_name,
        waiver_figures.eligible_paid_krw as expected,
        refunds_by_wave.scheduled_refund_krw
        + assignment_figures.unscheduled_refund_krw as actual
    from waiver_figures
    cross join assignment_figures
    cross join refunds_by_wave

    union all

    select
        'cancellations__equal_billed_unpaid' as check_name,
        waiver_figures.eligible_unpaid_krw as expected,
        assignment_figures.cancel_krw as actual
    from waiver_figures
    cross join assignment_figures

    union all

    select
        'scheduled__in_exactly_one_wave' as check_name,
        assignment_figures.scheduled as expected,
        scheduled_in_waves.scheduled_in_a_wave as actual
    from assignment_figures
    cross join scheduled_in_waves

    union all

    select
        'applications__one_outcome_each' as check_name,
        refund_applications_accepted.accepted_rows as expected,
        outcome_figures.outcomes as actual
    from refund_applications_accepted
    cross join outcome_figures

    union all

    select
        'applications__accepted_equal_scheduled' as check_name,
        outcome_figures.accepted as expected,
        assignment_figures.scheduled as actual
    from outcome_figures
    cross join assignment_figures
),

billing_compared as (
    select
        count(*) as lines_compared,
        count(*) filter (
            where penalties_compared.waivable_billed_krw
            = penalties_compared.expected_waivable_penalty_krw
        ) as lines_agreeing,
        coalesce(sum(penalties_compared.expected_waivable_penalty_krw), 0)
            as arithmetic_krw,
        coalesce(sum(penalties_compared.waivable_billed_krw), 0) as billed_krw
    from penalties_compared
    inner join waiver_eligibility
        on penalties_compared.line_id = waiver_eligibility.line_id
    where waiver_eligibility.waiver_status in ('eligible', 'eligible_no_penalty')
),

billing_controls as (
    select
        'penalty_billing__lines_agreeing' as check_name,
        lines_compared as expected,
        lines_agreeing as actual,
        lines_agreeing >= lines_compared * (1 - {{ penalty_tolerance }}) as passed,
        'finding' as severity
    from billing_compared

    union all

    select
        'penalty_billing__waivable_krw' as check_name,
        arithmetic_krw as expected,
        billed_krw as actual,
        abs(billed_krw - arithmetic_krw)
        <= arithmetic_krw * {{ penalty_tolerance }} as passed,
        'finding' as severity
    from billing_compared
),

reward_population as (
    -- R1 has one implementation (int_reward_population_selected); remedy reconcile
    -- recounts it independently in Python.
    select count(*) as population_lines
    from {{ ref('int_reward_population_selected') }}
),

data_grants_by_date as (
    select
        program_data_grants.grant_date,
        program_data_grants.quantity,
        count(reward_entitlements.entitlement_id) as grant_count,
        coalesce(sum(reward_entitlements.quantity), 0) as granted_quantity
    from program_data_grants
    left join reward_entitlements
        on program_data_grants.grant_date = reward_entitlements.period_start
            and reward_entitlements.benefit = 'data_bonus'
    group by 1, 2
),

insurance_figures as (
    select
        count(*) as policies,
        count(distinct customer_id) as insured_customers
    from reward_entitlements
    where benefit = 'safety_insurance'
),

reward_controls as (
    select
        'data_grants__' || strftime(data_grants_by_date.grant_date, '%Y_%m_%d')
        || '__within_population' as check_name,
        reward_population.population_lines as expected,
        data_grants_by_date.grant_count as actual,
        data_grants_by_date.grant_count <= reward_population.population_lines as passed,
        'integrity' as severity
    from data_grants_by_date
    cross join reward_population

    union all

    select
        'data_grants__total_quantity_equals_seed_times_grants' as check_name,
        cast(coalesce(sum(quantity * grant_count), 0) as bigint) as expected,
        cast(coalesce(sum(granted_quantity), 0) as bigint) as actual,
        null as passed,
        'integrity' as severity
    from data_grants_by_date

    union all

    select
        'insurance__at_most_one_policy_per_customer' as check_name,
        insured_customers as expected,
        policies as actual,
        null as passed,
        'integrity' as severity
    from insurance_figures
),

remediation_figures as (
    -- issue 11: every owed won of an eligible line ends in one state
    select
        coalesce(
            sum(refund_krw) filter (where assignment_status = 'scheduled'), 0
        ) as scheduled_refund_krw,
        coalesce(
            sum(refund_krw) filter (where assignment_status = 'manual_review'), 0
        ) as review_refund_krw,
        count(*) filter (where assignment_status = 'not_applied' and refund_krw > 0)
            as owed_not_applied
    from refund_assignments
),

unclaimed_figures as (
    select
        count(*) as unclaimed_lines,
        coalesce(sum(refund_krw), 0) as unclaimed_refund_krw
    from unclaimed_refunds
),

reward_decision_lines as (
    -- the lines each benefit decides on (R2-R5); the class exclusions are dim_lines
    -- flags, so they are counted here rather than listed as determinations
    select
        count(*) filter (where not is_iot_or_special and not is_prepaid)
            as data_eligible_lines,
        count(*) filter (where not is_iot_or_special) as benefit_lines
    from {{ ref('int_reward_population_selected') }}
),

grant_dates as (
    select count(*) as grant_count
    from program_data_grants
),

entitlement_figures as (
    select
        count(*) filter (where benefit = 'data_bonus') as data_grants,
        count(*) filter (where benefit = 'roaming_bonus') as roaming_bonuses,
        count(*) filter (where benefit = 'ott_voucher') as ott_vouchers,
        count(*) filter (where benefit = 'membership_discount') as memberships,
        count(*) filter (
            where benefit = 'safety_insurance' and detail = 'application'
        ) as policies_by_application
    from reward_entitlements
),

determination_figures as (
    -- determinations that granted nothing (fct_reward_determinations)
    select
        count(*) filter (where benefit = 'data_bonus') as missed_data_grants,
        count(*) filter (where benefit = 'roaming_bonus') as rejected_passes,
        count(*) filter (where benefit = 'ott_voucher') as rejected_choices,
        count(*) filter (where benefit = 'safety_insurance') as rejected_applications
    from reward_determinations
),

accepted_requests as (
    select
        coalesce(sum(accepted_rows) filter (where source_table = 'roaming_passes'), 0)
            as roaming_passes,
        coalesce(sum(accepted_rows) filter (where source_table = 'ott_choices'), 0)
            as ott_choices,
        coalesce(
            sum(accepted_rows) filter (where source_table = 'insurance_applications'), 0
        ) as insurance_applications
    from source_row_counts
),

determination_controls as (
    select
        'refunds__paid_equal_scheduled_review_unclaimed' as check_name,
        waiver_figures.eligible_paid_krw as expected,
        remediation_figures.scheduled_refund_krw
        + remediation_figures.review_refund_krw
        + unclaimed_figures.unclaimed_refund_krw as actual
    from waiver_figures
    cross join remediation_figures
    cross join unclaimed_figures

    union all

    select
        'unclaimed__lines_equal_owed_not_applied' as check_name,
        remediation_figures.owed_not_applied as expected,
        unclaimed_figures.unclaimed_lines as actual
    from remediation_figures
    cross join unclaimed_figures

    union all

    select
        'reward_determinations__data_bonus__grants_accounted' as check_name,
        reward_decision_lines.data_eligible_lines * grant_dates.grant_count as expected,
        entitlement_figures.data_grants + determination_figures.missed_data_grants
            as actual
    from reward_decision_lines
    cross join grant_dates
    cross join entitlement_figures
    cross join determination_figures

    union all

    select
        'reward_determinations__roaming_bonus__passes_accounted' as check_name,
        accepted_requests.roaming_passes as expected,
        entitlement_figures.roaming_bonuses + determination_figures.rejected_passes
            as actual
    from accepted_requests
    cross join entitlement_figures
    cross join determination_figures

    union all

    select
        'reward_determinations__ott_voucher__choices_accounted' as check_name,
        accepted_requests.ott_choices as expected,
        entitlement_figures.ott_vouchers + determination_figures.rejected_choices
            as actual
    from accepted_requests
    cross join entitlement_figures
    cross join determination_figures

    union all

    select
        'reward_determinations__safety_insurance__applications_accounted'
            as check_name,
        accepted_requests.insurance_applications as expected,
        entitlement_figures.policies_by_application
        + determination_figures.rejected_applications as actual
    from accepted_requests
    cross join entitlement_figures
    cross join determination_figures

    union all

    select
        'reward_determinations__membership_discount__population_accounted'
            as check_name,
        reward_decision_lines.benefit_lines as expected,
        entitlement_figures.memberships as actual
    from reward_decision_lines
    cross join entitlement_figures
),

unioned as (
    select
        check_name,
        expected,
        actual,
        cast(null as boolean) as passed,
        'integrity' as severity
    from source_controls

    union all

    select
        check_name,
        expected,
        actual,
        cast(null as boolean) as passed,
        'integrity' as severity
    from waiver_controls

    union all

    select * from billing_controls

    union all

    select * from reward_controls

    union all

    select
        check_name,
        expected,
        actual,
        cast(null as boolean) as passed,
        'integrity' as severity
    from determination_controls
),

final as (
    select
        check_name,
        cast(expected as bigint) as expected,
        cast(actual as bigint) as actual,
        cast(actual - expected as bigint) as difference,
        coalesce(
            expected is not null
            and actual is not null
            and coalesce(passed, actual = expected),
            false
        ) as passed,
        severity
    from unioned
)

select * from final
