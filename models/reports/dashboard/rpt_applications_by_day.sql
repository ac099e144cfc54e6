{#- Refund applications per KST day, every outcome together, and their running total
    (the dashboard's daily curve): the days of rpt_applications_by_day_and_outcome. -#}
with

applications_by_outcome as (
    select * from {{ ref('rpt_applications_by_day_and_outcome') }}
),

daily as (
    select
        applied_date,
        sum(applications) as applications
    from applications_by_outcome
    group by 1
),

final as (
    select
        cast(applied_date as date) as applied_date,
        cast(applications as bigint) as applications,
        cast(sum(applications) over (order by applied_date) as bigint)
            as cumulative_applications
    from daily
)

select * from final
