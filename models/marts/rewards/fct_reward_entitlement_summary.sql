{#- Dashboard figures of fct_reward_entitlements: one row per benefit, month and unit
    (each benefit has one unit), where the month is the KST month of period_start (the
    month an entitlement is granted or begins). Summed from the per-customer figures of
    int_reward_entitlements_by_customer: a line belongs to one customer, so distinct
    lines add up across customers and each customer is one row per month. sum(bigint)
    is HUGEINT in DuckDB, hence the casts back to BIGINT. -#}
with

entitlements_by_customer as (
    select * from {{ ref('int_reward_entitlements_by_customer') }}
),

monthly as (
    select
        benefit,
        entitlement_month,
        unit,
        sum(entitlement_count) as entitlement_count,
        sum(line_count) as line_count,
        count(*) as customer_count,
        sum(total_quantity) as total_quantity
    from entitlements_by_customer
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
