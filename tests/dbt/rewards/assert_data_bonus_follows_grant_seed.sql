-- R2 identity, row by row: every data grant is dated on a grant date of the seed and
-- carries that date's seed quantity and unit. The total granted then equals the sum
-- over grant dates of seed quantity x grants (100 GB x grants for kt_2025_12), and a
-- grant dated outside the seed fails here. Being per row, it reads the lines a build
-- re-derived on an incremental build (every other grant was tested when it was
-- written and has not changed since), every grant on a build from scratch: the
-- table's own partitions, through get_where_subquery like its generic tests.
with

entitlements as (
    select * from {{ get_where_subquery(ref('fct_reward_entitlements')) }}
    where benefit = 'data_bonus'
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
)

select
    entitlements.entitlement_id,
    entitlements.period_start,
    entitlements.quantity,
    entitlements.unit,
    program_data_grants.quantity as seed_quantity,
    program_data_grants.unit as seed_unit
from entitlements
left join program_data_grants
    on entitlements.period_start = program_data_grants.grant_date
where
    program_data_grants.grant_date is null
    or entitlements.quantity is distinct from program_data_grants.quantity
    or entitlements.unit is distinct from program_data_grants.unit
