{#- Reward controls (R1-R6; integrity): the data grants of each seeded grant date
    stay within the reward population (`data_grants__<date>__within_population`), the
    granted quantity is the seeded quantity times the grants, and no customer holds
    two insurance policies; and per benefit, every reward decision is accounted for
    (`reward_determinations__<benefit>__..._accounted`): what the rules had to decide
    (grant dates x data-eligible lines, accepted passes, choices and applications, the
    membership population) equals what was granted (fct_reward_entitlements) plus what
    granted nothing (fct_reward_determinations lists only those). R1 has one
    implementation (int_reward_population_selected); `remedy reconcile` recounts it
    independently in Python. -#}
with

reward_entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
),

reward_population_lines as (
    select * from {{ ref('int_reward_population_selected') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

reward_determinations as (
    select * from {{ ref('fct_reward_determinations') }}
),

source_row_counts as (
    select * from {{ ref('rpt_source_row_counts') }}
),

reward_population as (
    select count(*) as population_lines
    from reward_population_lines
),

entitlements_by_start as (
    -- fct_reward_entitlements read once for the grant and per-benefit figures (90 M
    -- rows at scale 1.0 become one row per benefit and start date); the insurance
    -- figures read only the policies
    select
        benefit,
        period_start,
        count(*) as entitlements,
        sum(quantity) as quantity,
        count(*) filter (where detail = 'application') as by_application
    from reward_entitlements
    group by 1, 2
),

data_grants_by_date as (
    select
        program_data_grants.grant_date,
        program_data_grants.quantity,
        coalesce(sum(entitlements_by_start.entitlements), 0) as grant_count,
        coalesce(sum(entitlements_by_start.quantity), 0) as granted_quantity
    from program_data_grants
    left join entitlements_by_start
        on
            program_data_grants.grant_date = entitlements_by_start.period_start
            and entitlements_by_start.benefit = 'data_bonus'
    group by 1, 2
),

insurance_figures as (
    select
        count(*) as policies,
        count(distinct customer_id) as insured_customers
    from reward_entitlements
    where benefit = 'safety_insurance'
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
        coalesce(sum(entitlements) filter (where benefit = 'data_bonus'), 0)
            as data_grants,
        coalesce(sum(entitlements) filter (where benefit = 'roaming_bonus'), 0)
            as roaming_bonuses,
        coalesce(sum(entitlements) filter (where benefit = 'ott_voucher'), 0)
            as ott_vouchers,
        coalesce(sum(entitlements) filter (where benefit = 'membership_discount'), 0)
            as memberships,
        coalesce(
            sum(by_application) filter (where benefit = 'safety_insurance'), 0
        ) as policies_by_application
    from entitlements_by_start
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

decision_figures as (
    -- every reward decision, granted or not, against what was decided on (one row)
    select
        reward_decision_lines.data_eligible_lines,
        reward_decision_lines.benefit_lines,
        grant_dates.grant_count,
        entitlement_figures.data_grants,
        entitlement_figures.roaming_bonuses,
        entitlement_figures.ott_vouchers,
        entitlement_figures.memberships,
        entitlement_figures.policies_by_application,
        determination_figures.missed_data_grants,
        determination_figures.rejected_passes,
        determination_figures.rejected_choices,
        determination_figures.rejected_applications,
        accepted_requests.roaming_passes,
        accepted_requests.ott_choices,
        accepted_requests.insurance_applications
    from reward_decision_lines
    cross join grant_dates
    cross join entitlement_figures
    cross join determination_figures
    cross join accepted_requests
),

controls as (
    select
        'data_grants__' || strftime(data_grants_by_date.grant_date, '%Y_%m_%d')
        || '__within_population' as check_name,
        reward_population.population_lines as expected,
        data_grants_by_date.grant_count as actual,
        data_grants_by_date.grant_count <= reward_population.population_lines as passed
    from data_grants_by_date
    cross join reward_population

    union all

    select
        'data_grants__total_quantity_equals_seed_times_grants' as check_name,
        cast(coalesce(sum(quantity * grant_count), 0) as bigint) as expected,
        cast(coalesce(sum(granted_quantity), 0) as bigint) as actual,
        null as passed
    from data_grants_by_date

    union all

    select
        'insurance__at_most_one_policy_per_customer' as check_name,
        insured_customers as expected,
        policies as actual,
        null as passed
    from insurance_figures

    union all

    select
        'reward_determinations__data_bonus__grants_accounted' as check_name,
        data_eligible_lines * grant_count as expected,
        data_grants + missed_data_grants as actual,
        null as passed
    from decision_figures

    union all

    select
        'reward_determinations__roaming_bonus__passes_accounted' as check_name,
        roaming_passes as expected,
        roaming_bonuses + rejected_passes as actual,
        null as passed
    from decision_figures

    union all

    select
        'reward_determinations__ott_voucher__choices_accounted' as check_name,
        ott_choices as expected,
        ott_vouchers + rejected_choices as actual,
        null as passed
    from decision_figures

    union all

    select
        'reward_determinations__safety_insurance__applications_accounted'
            as check_name,
        insurance_applications as expected,
        policies_by_application + rejected_applications as actual,
        null as passed
    from decision_figures

    union all

    select
        'reward_determinations__membership_discount__population_accounted'
            as check_name,
        benefit_lines as expected,
        memberships as actual,
        null as passed
    from decision_figures
),

final as (
    {{ control_figures('controls', severity='integrity', has_verdicts=true) }}
)

select * from final
