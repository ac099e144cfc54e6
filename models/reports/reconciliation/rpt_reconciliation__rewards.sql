{#- Reward controls (R1, R2, R6; integrity): the data grants of each seeded grant date
    stay within the reward population (`data_grants__<date>__within_population`), the
    granted quantity is the seeded quantity times the grants, and no customer holds
    two insurance policies. R1 has one implementation (int_reward_population_selected);
    `remedy reconcile` recounts it independently in Python. -#}
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

reward_population as (
    select count(*) as population_lines
    from reward_population_lines
),

data_grants_by_date as (
    select
        program_data_grants.grant_date,
        program_data_grants.quantity,
        count(reward_entitlements.entitlement_id) as grant_count,
        coalesce(sum(reward_entitlements.quantity), 0) as granted_quantity
    from program_data_grants
    left join reward_entitlements
        on
            program_data_grants.grant_date = reward_entitlements.period_start
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
),

integrity_controls as (
    select
        check_name,
        expected,
        actual,
        passed,
        'integrity' as severity
    from controls
),

final as (
    {{ control_figures('integrity_controls') }}
)

select * from final
