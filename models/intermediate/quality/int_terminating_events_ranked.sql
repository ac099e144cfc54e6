{#- W1: a line terminates at most once. One row per terminating event that passed every
    other contract check, ranked within its line by event_at, then event_id: rank 1
    stands, every later one is quarantined as second_terminating_event. -#}
with

checked as (
    select * from {{ ref('int_contract_events_checked') }}
),

ranked as (
    select
        event_id,
        line_id,
        row_number() over (
            partition by line_id order by event_at, event_id
        ) as termination_rank
    from checked
    where is_terminating and quarantine_reason is null
),

final as (
    select
        *,
        termination_rank > 1 as is_second_terminating_event
    from ranked
)

select * from final
