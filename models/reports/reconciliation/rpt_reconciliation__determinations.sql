{#- Determination controls (issue 11; A6, A7, R1-R6; integrity): every owed won of an
    eligible line ends in one state (waivable paid = refunds scheduled + held in manual
    review + unclaimed); the unclaimed register holds every owed line that never
    applied; and per benefit, every reward decision is accounted for
    (`reward_determinations__<benefit>__..._accounted`): what the rules had to decide
    (grant dates x data-eligible lines, accepted passes, choices and applications, the
    membership population) equals what was granted (fct_reward_entitlements) plus what
    granted nothing (fct_reward_determinations lists only those). -#}
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

reward_determinations as (
    select * from {{ ref('fct_reward_determinations') }}
),

reward_entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
),

reward_population_lines as (
    select * from {{ ref('int_reward_population_selected') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

source_row_counts as (
    select * from {{ ref('rpt_source_row_counts') }}
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

reward_decision_lines as (
    -- the lines each benefit decides on (R2-R5); the class exclusions are dim_lines
    -- flags, so they are counted here rather than listed as determinations
    select
        count(*) filter (where not is_iot_or_special and not is_prepaid)
            as data_eligible_lines,
        count(*) filter (where not is_iot_or_special) as benefit_lines
    from reward_population_lines
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

integrity_controls as (
    select
        check_name,
        expected,
        actual,
        cast(null as boolean) as passed,
        'integrity' as severity
    from controls
),

final as (
    {{ control_figures('integrity_controls') }}
)

select * from final
