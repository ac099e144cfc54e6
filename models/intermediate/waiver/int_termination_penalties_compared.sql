{#- P1-P3 against billing: for every line with an accepted terminating event, the
    warehouse's own penalty arithmetic with D = the termination's KST date next to what
    billing charged for the same components. Billing stays the truth for refunds (A7);
    this model only measures how far the two disagree. Incremental by line. -#}
{{ replaces_partitions() }}

with

lines as (
    select * from {{ affected_rows(ref('int_lines_timed'), 'line_id') }}
),

agreements as (
    select * from {{ affected_rows(ref('stg_landing__agreements'), 'line_id') }}
),

penalty_charges_summed as (
    select * from {{ affected_rows(ref('int_penalty_charges_summed'), 'line_id') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

terminated_lines as (
    select
        line_id,
        termination_event_id,
        terminated_date as penalty_date
    from lines
    where termination_event_id is not null
),

{{ expected_penalties('terminated_lines', 'agreements') }},

compared as (
    select
        expected_penalties.line_id,
        expected_penalties.termination_event_id,
        expected_penalties.penalty_date as terminated_date,
        expected_penalties.penalty_date
        between program_parameters.waiver_window_start_date
        and program_parameters.waiver_window_end_date as is_in_waiver_window,
        expected_penalties.agreement_id,
        expected_penalties.agreement_type,
        expected_penalties.agreement_start_date,
        expected_penalties.term_months,
        expected_penalties.subsidy_krw,
        expected_penalties.monthly_discount_krw,
        expected_penalties.agreement_end_date,
        expected_penalties.contract_days,
        expected_penalties.days_used,
        expected_penalties.remaining_days,
        expected_penalties.grace_days,
        expected_penalties.expected_subsidy_clawback_krw,
        expected_penalties.expected_selective_discount_clawback_krw,
        expected_penalties.expected_waivable_penalty_krw,
        coalesce(penalty_charges_summed.billed_subsidy_clawback_krw, 0)
            as billed_subsidy_clawback_krw,
        coalesce(penalty_charges_summed.billed_selective_discount_clawback_krw, 0)
            as billed_selective_discount_clawback_krw,
        coalesce(penalty_charges_summed.waivable_billed_krw, 0) as waivable_billed_krw
    from expected_penalties
    cross join program_parameters
    left join penalty_charges_summed
        on expected_penalties.line_id = penalty_charges_summed.line_id
)

select * from compared
