-- R2 identity: no grant date gives more data grants than there are population lines
-- that are neither iot/special nor prepaid. Fails on every grant date that does.
with

entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
),

population as (
    select * from {{ ref('int_reward_population_selected') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

eligible_population as (
    select count(*) as eligible_lines
    from population
    where not is_iot_or_special and not is_prepaid
),

grants_per_date as (
    select
        program_data_grants.grant_date,
        count(entitlements.entitlement_id) as granted_lines
    from program_data_grants
    left join entitlements
        on program_data_grants.grant_date = entitlements.period_start
            and entitlements.benefit = 'data_bonus'
    group by 1
)

select
    grants_per_date.grant_date,
    grants_per_date.granted_lines,
    eligible_population.eligible_lines
from grants_per_date
cross join eligible_population
where grants_per_date.granted_lines > eligible_population.eligible_lines
