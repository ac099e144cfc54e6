{#- fct_reward_entitlements per customer, benefit, KST month of period_start and unit:
    entitlements, distinct lines and quantity. A line belongs to one customer, so the
    dashboard's distinct line and customer counts (fct_reward_entitlement_summary) are
    sums and counts of these rows, and a daily build re-derives only the customers it
    touched (every customer of an affected line is an affected customer,
    stg_landing__affected_customers) instead of two distinct counts over every
    entitlement. Incremental by customer. -#}
{{ replaces_partitions('customers') }}

with

entitlements as (
    select * from {{ ref('fct_reward_entitlements') }}
    where {{ in_affected_partitions('customer_id', 'customers') }}
),

by_customer as (
    select
        customer_id,
        benefit,
        cast(date_trunc('month', period_start) as date) as entitlement_month,
        unit,
        count(*) as entitlement_count,
        count(distinct line_id) as line_count,
        cast(sum(quantity) as bigint) as total_quantity
    from entitlements
    group by 1, 2, 3, 4
)

select * from by_customer
