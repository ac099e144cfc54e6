-- The dashboard summary adds up to the entitlement mart: per benefit, the same
-- number of entitlements and the same total quantity. Fails on every benefit that
-- differs.
with

entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
),

summary as (
    select * from {{ ref('fct_reward_entitlement_summary') }}
),

from_entitlements as (
    select
        benefit,
        count(*) as entitlement_count,
        cast(sum(quantity) as bigint) as total_quantity
    from entitlements
    group by 1
),

from_summary as (
    select
        benefit,
        cast(sum(entitlement_count) as bigint) as entitlement_count,
        cast(sum(total_quantity) as bigint) as total_quantity
    from summary
    group by 1
)

select
    coalesce(from_entitlements.benefit, from_summary.benefit) as benefit,
    from_entitlements.entitlement_count as mart_entitlements,
    from_summary.entitlement_count as summary_entitlements,
    from_entitlements.total_quantity as mart_quantity,
    from_summary.total_quantity as summary_quantity
from from_entitlements
full outer join from_summary
    on from_entitlements.benefit = from_summary.benefit
where
    from_entitlements.entitlement_count is distinct from from_summary.entitlement_count
    or from_entitlements.total_quantity is distinct from from_summary.total_quantity
