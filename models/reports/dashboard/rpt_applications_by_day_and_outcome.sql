{#- Refund applications per KST day and A6 outcome (the dashboard's application curve;
    A2, A6). -#}
with

application_outcomes as (
    select * from {{ ref('fct_refund_application_outcomes') }}
),

summarised as (
    select
        applied_date,
        outcome,
        count(*) as applications
    from application_outcomes
    group by 1, 2
),

final as (
    select
        cast(applied_date as date) as applied_date,
        cast(outcome as varchar) as outcome,
        cast(applications as bigint) as applications
    from summarised
)

select * from final
