{#- Determination controls (issue 11; A6, A7; integrity): every owed won of an
    eligible line ends in one state (waivable paid = refunds scheduled + held in manual
    review + unclaimed); the unclaimed register holds every owed line that never
    applied. -#}
with

waiver_population as (
    select * from {{ ref('rpt_regulator__waiver_population_by_status_and_reason') }}
),

assignments_by_status as (
    select * from {{ ref('rpt_refund_assignments_by_status') }}
),

refund_assignments as (
    select * from {{ ref('fct_refund_assignments') }}
),

unclaimed_totals as (
    select * from {{ ref('rpt_regulator__unclaimed_refunds_totals') }}
),

eligible_figures as (
    select coalesce(sum(waivable_paid_krw), 0) as eligible_paid_krw
    from waiver_population
    where waiver_status = 'eligible'
),

remediation_figures as (
    select
        coalesce(
            sum(refund_krw) filter (where assignment_status = 'scheduled'), 0
        ) as scheduled_refund_krw,
        coalesce(
            sum(refund_krw) filter (where assignment_status = 'manual_review'), 0
        ) as review_refund_krw
    from assignments_by_status
),

owed_not_applied as (
    select count(*) as owed_not_applied
    from refund_assignments
    where assignment_status = 'not_applied' and refund_krw > 0
),

unclaimed_figures as (
    select
        coalesce(sum(lines), 0) as unclaimed_lines,
        coalesce(sum(refund_krw), 0) as unclaimed_refund_krw
    from unclaimed_totals
),

controls as (
    select
        'refunds__paid_equal_scheduled_review_unclaimed' as check_name,
        eligible_figures.eligible_paid_krw as expected,
        remediation_figures.scheduled_refund_krw
        + remediation_figures.review_refund_krw
        + unclaimed_figures.unclaimed_refund_krw as actual
    from eligible_figures
    cross join remediation_figures
    cross join unclaimed_figures

    union all

    select
        'unclaimed__lines_equal_owed_not_applied' as check_name,
        owed_not_applied.owed_not_applied as expected,
        unclaimed_figures.unclaimed_lines as actual
    from owed_not_applied
    cross join unclaimed_figures
),

final as (
    {{ control_figures('controls', severity='integrity') }}
)

select * from final
