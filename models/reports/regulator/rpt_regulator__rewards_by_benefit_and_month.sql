{#- Regulator package table `rewards_by_benefit_and_month` (R1-R6): entitlements and the
    quantity granted by benefit, month of the period start (`YYYY-MM`) and unit. Read
    from fct_reward_entitlement_summary, which already counts the entitlements by
    benefit, month and unit: the 100 M entitlements of scale 1.0 are aggregated once. -#}
with

entitlement_summary as (
    select * from {{ ref('fct_reward_entitlement_summary') }}
),

final as (
    select
        cast(benefit as varchar) as benefit,
        strftime(entitlement_month, '%Y-%m') as month,
        cast(unit as varchar) as unit,
        cast(entitlement_count as bigint) as entitlements,
        cast(coalesce(total_quantity, 0) as bigint) as total_quantity
    from entitlement_summary
)

select * from final
