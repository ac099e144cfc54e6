{#- MetricFlow's daily time spine: one row per calendar day. The range is a generic
    calendar, not a program parameter: it only has to hold every day a metric can fall
    on (activations since the 2000s, insurance cover to 2028). -#}
with

days as (
    select cast(range as date) as date_day
    from range(date '2000-01-01', date '2041-01-01', interval 1 day)
),

final as (
    select date_day
    from days
)

select * from final
