{#- Dashboard figures of fct_reward_entitlements: one row per benefit, month and unit
    (each benefit has one unit), where the month is the KST month of period_start (the
    month an entitlement is granted or begins). sum(bigint) is HUGEINT in DuckDB, hence
    the casts back to BIGINT. -#}
with

entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
),

monthly as (
    select
        benefit,
        cast(date_trunc('month', period_start) as date) as entitlement_month,
        unit,
        count(*) as entitlement_count,
        count(distinct line_id) as line_count,
        count(distinct customer_id) as customer_count,
        cast(sum(quantity) as bigint) as total_quantity
    from entitlements
    group by 1, 2, 3
),

final as (
    select
        cast(benefit as varchar) as benefit,
        cast(entitlement_month as date) as entitlement_month,
        cast(unit as varchar) as unit,
        cast(entitlement_count as bigint) as entitlement_count,
        cast(line_count as bigint) as line_count,
        cast(customer_count as bigint) as customer_count,
        cast(total_quantity as bigint) as total_quantity
    from monthly
)

select * from final
