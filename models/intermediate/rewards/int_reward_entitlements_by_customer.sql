{#- fct_reward_entitlements per customer, benefit, KST month of period_start and unit:
    entitlements, distinct lines and quantity. A line belongs to one customer, so the
    dashboard's distinct line and customer counts (fct_reward_entitlement_summary) are
    sums and counts of these rows, and a daily build re-derives only the customers it
    touched (every customer of an affected line is an affected customer,
    stg_landing__affected_customers) instead of two distinct counts over every
    entitlement. Incremental by customer.
    The distinct lines are counted in two plain aggregations (per line, then per
    customer) rather than with count(distinct): on 90 M entitlements DuckDB's distinct
    aggregate spilled 7 GB and took 288 s alone, the two stages 3 GB and 198 s
    (docs/benchmarks.md). -#}
{{ replaces_partitions('customers') }}

with

entitlements as (
    select * from {{ affected_rows(
        ref('fct_reward_entitlements'), 'customer_id', 'customers'
    ) }}
),

by_line as (
    -- a customer-level entitlement (no line) is one group per customer here, and
    -- count(line_id) below does not count it as a line
    select
        customer_id,
        benefit,
        cast(date_trunc('month', period_start) as date) as entitlement_month,
        unit,
        line_id,
        count(*) as entitlement_count,
        sum(quantity) as total_quantity
    from entitlements
    group by 1, 2, 3, 4, 5
),

by_customer as (
    select
        customer_id,
        benefit,
        entitlement_month,
        unit,
        cast(sum(entitlement_count) as bigint) as entitlement_count,
        count(line_id) as line_count,
        cast(sum(total_quantity) as bigint) as total_quantity
    from by_line
    group by 1, 2, 3, 4
)

select * from by_customer
