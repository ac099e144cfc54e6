{#- The accepted events that change a line's service state (activation, suspension,
    suspension end, termination), read once from the large events table so that the line
    dimension and the service history do not scan every event again. -#}
with

events as (
    select * from {{ ref('int_contract_events_accepted') }}
),

event_types as (
    select * from {{ ref('ref_event_types') }}
),

lifecycle as (
    select
        events.event_id,
        events.line_id,
        events.event_type,
        events.port_out_to,
        event_types.is_terminating,
        events.event_at_kst,
        events.event_date
    from events
    inner join event_types
        on events.event_type = event_types.event_type
    where
        event_types.is_terminating
        or events.event_type in ('activation', 'suspension', 'suspension_end')
)

select * from lifecycle
