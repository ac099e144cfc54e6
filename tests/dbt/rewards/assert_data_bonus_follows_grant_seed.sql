-- R2 identity: every data grant carries its grant date's seed quantity and unit, and
-- the total granted equals the sum over grant dates of seed quantity x grants (100 GB
-- x grants for kt_2025_12). Fails on every grant date that differs, and on the total
-- (which also catches data grants dated outside the seed).
with

entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
    where benefit = 'data_bonus'
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

grants_per_date as (
    select
        program_data_grants.grant_date,
        program_data_grants.quantity as seed_quantity,
        program_data_grants.unit as seed_unit,
        count(entitlements.entitlement_id) as grant_count,
        cast(coalesce(sum(entitlements.quantity), 0) as bigint) as granted_quantity,
        count(*) filter (
            where entitlements.unit is distinct from program_data_grants.unit
            and entitlements.entitlement_id is not null
        ) as unit_mismatches
    from program_data_grants
    left join entitlements
        on program_data_grants.grant_date = entitlements.period_start
    group by 1, 2, 3
),

per_grant_date as (
    select
        cast(grant_date as varchar) as check_name,
        cast(seed_quantity * grant_count as bigint) as expected_quantity,
        granted_quantity,
        unit_mismatches
    from grants_per_date
),

all_data_grants as (
    select cast(coalesce(sum(quantity), 0) as bigint) as granted_quantity
    from entitlements
),

total as (
    select
        'total' as check_name,
        cast(sum(per_grant_date.expected_quantity) as bigint) as expected_quantity,
        any_value(all_data_grants.granted_quantity) as granted_quantity,
        cast(sum(per_grant_date.unit_mismatches) as bigint) as unit_mismatches
    from per_grant_date
    cross join all_data_grants
),

checks as (
    select * from per_grant_date
    union all
    select * from total
)

select * from checks
where granted_quantity <> expected_quantity or unit_mismatches > 0
