{#- The dashboard's waiver funnel (W1-W4, A5-A7): lines and waivable amounts at each
    stage, per termination cohort. Stages: `terminated` (the waiver population, W1),
    `eligible` (W4), `applied` (an eligible line with a winning application: scheduled
    or held in manual review, A6), `scheduled` (in a refund wave, A5). A cohort is the
    set of waves whose termination days hold the line's termination day (`1,2`: waves 1
    and 2 share their termination days, the application time splits them; `none`
    outside every wave); `all` is every line. Every stage of every cohort that has a
    line has a row, 0 when no line reached it. Amounts are the waivable penalty billed
    and already paid (= the refund, A7) of the lines at that stage. -#}
with

waiver_eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
),

refund_assignments as (
    select * from {{ ref('fct_refund_assignments') }}
),

wave_calendar as (
    select * from {{ ref('rpt_refund_wave_calendar') }}
),

cohort_calendar as (
    select
        terminated_from_date,
        terminated_to_date,
        string_agg(cast(refund_wave as varchar), ',' order by refund_wave) as cohort
    from wave_calendar
    group by 1, 2
),

population as (
    select
        coalesce(cohort_calendar.cohort, 'none') as cohort,
        waiver_eligibility.waiver_status,
        refund_assignments.assignment_status,
        waiver_eligibility.waivable_billed_krw,
        waiver_eligibility.waivable_paid_krw
    from waiver_eligibility
    left join refund_assignments
        on waiver_eligibility.line_id = refund_assignments.line_id
    left join cohort_calendar
        on
            waiver_eligibility.terminated_date
            between cohort_calendar.terminated_from_date
            and cohort_calendar.terminated_to_date
),

staged as (
    select
        cohort,
        'terminated' as stage,
        waivable_billed_krw,
        waivable_paid_krw
    from population

    union all

    select
        cohort,
        'eligible' as stage,
        waivable_billed_krw,
        waivable_paid_krw
    from population
    where waiver_status = 'eligible'

    union all

    select
        cohort,
        'applied' as stage,
        waivable_billed_krw,
        waivable_paid_krw
    from population
    where assignment_status in ('scheduled', 'manual_review')

    union all

    select
        cohort,
        'scheduled' as stage,
        waivable_billed_krw,
        waivable_paid_krw
    from population
    where assignment_status = 'scheduled'
),

counted_by_cohort as (
    select
        cohort,
        stage,
        count(*) as lines,
        sum(waivable_billed_krw) as waivable_billed_krw,
        sum(waivable_paid_krw) as waivable_paid_krw
    from staged
    group by 1, 2
),

counted_overall as (
    select
        'all' as cohort,
        stage,
        count(*) as lines,
        sum(waivable_billed_krw) as waivable_billed_krw,
        sum(waivable_paid_krw) as waivable_paid_krw
    from staged
    group by 2
),

counted as (
    select * from counted_by_cohort
    union all
    select * from counted_overall
),

funnel_stages as (
    select
        'terminated' as stage,
        1 as stage_order
    union all
    select
        'eligible' as stage,
        2 as stage_order
    union all
    select
        'applied' as stage,
        3 as stage_order
    union all
    select
        'scheduled' as stage,
        4 as stage_order
),

cohorts as (
    select distinct cohort from population

    union all

    select 'all' as cohort
),

final as (
    select
        cast(cohorts.cohort as varchar) as cohort,
        cast(funnel_stages.stage as varchar) as stage,
        cast(funnel_stages.stage_order as integer) as stage_order,
        cast(coalesce(counted.lines, 0) as bigint) as lines,
        cast(coalesce(counted.waivable_billed_krw, 0) as bigint) as waivable_billed_krw,
        cast(coalesce(counted.waivable_paid_krw, 0) as bigint) as waivable_paid_krw
    from cohorts
    cross join funnel_stages
    left join counted
        on
            cohorts.cohort = counted.cohort
            and funnel_stages.stage = counted.stage
)

select * from final
