{#- Refund and application controls (A5-A7; integrity), on the published refund figures:
    refunds in a seeded wave + unscheduled refunds = waivable paid of eligible lines;
    cancellations = billed but unpaid; every scheduled line in exactly one seeded wave
    (wave and payout date); one A6 outcome per accepted application; accepted
    outcomes = scheduled lines. A refund counts under a wave only when the wave is
    seeded, so a line in an unknown wave breaks the first and third controls. -#}
with

waiver_population as (
    select * from {{ ref('rpt_regulator__waiver_population_by_status_and_reason') }}
),

wave_refunds as (
    select * from {{ ref('rpt_regulator__refunds_by_wave_and_channel') }}
),

assignments_by_status as (
    select * from {{ ref('rpt_refund_assignments_by_status') }}
),

program_refund_waves as (
    select * from {{ ref('stg_program__refund_waves') }}
),

applications_by_outcome as (
    select * from {{ ref('rpt_applications_by_day_and_outcome') }}
),

source_row_counts as (
    select * from {{ ref('rpt_source_row_counts') }}
),

eligible_figures as (
    select
        coalesce(sum(waivable_paid_krw), 0) as eligible_paid_krw,
        coalesce(sum(waivable_billed_krw - waivable_paid_krw), 0) as eligible_unpaid_krw
    from waiver_population
    where waiver_status = 'eligible'
),

assignment_figures as (
    select
        coalesce(sum(lines) filter (where assignment_status = 'scheduled'), 0)
            as scheduled,
        coalesce(
            sum(refund_krw) filter (
                where assignment_status in ('manual_review', 'not_applied')
            ),
            0
        ) as unscheduled_refund_krw,
        coalesce(sum(cancel_krw), 0) as cancel_krw
    from assignments_by_status
),

refunds_in_seeded_waves as (
    select coalesce(sum(wave_refunds.refund_krw), 0) as scheduled_refund_krw
    from wave_refunds
    inner join program_refund_waves
        on wave_refunds.refund_wave = program_refund_waves.refund_wave
    where wave_refunds.assignment_status = 'scheduled'
),

scheduled_in_waves as (
    select coalesce(sum(wave_refunds.lines), 0) as scheduled_in_a_wave
    from wave_refunds
    inner join program_refund_waves
        on
            wave_refunds.refund_wave = program_refund_waves.refund_wave
            and wave_refunds.payout_date = program_refund_waves.payout_date
    where wave_refunds.assignment_status = 'scheduled'
),

outcome_figures as (
    select
        coalesce(sum(applications), 0) as outcomes,
        coalesce(sum(applications) filter (where outcome = 'accepted'), 0) as accepted
    from applications_by_outcome
),

refund_applications_accepted as (
    select coalesce(sum(accepted_rows), 0) as accepted_rows
    from source_row_counts
    where source_table = 'refund_applications'
),

controls as (
    select
        'refunds__waves_plus_unscheduled_equal_paid' as check_name,
        eligible_figures.eligible_paid_krw as expected,
        refunds_in_seeded_waves.scheduled_refund_krw
        + assignment_figures.unscheduled_refund_krw as actual
    from eligible_figures
    cross join assignment_figures
    cross join refunds_in_seeded_waves

    union all

    select
        'cancellations__equal_billed_unpaid' as check_name,
        eligible_figures.eligible_unpaid_krw as expected,
        assignment_figures.cancel_krw as actual
    from eligible_figures
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

final as (
    {{ control_figures('controls', severity='integrity') }}
)

select * from final
