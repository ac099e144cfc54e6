with

events as (
    select * from {{ ref('int_contract_events_accepted') }}
),

lines as (
    select * from {{ ref('int_lines_accepted') }}
),

joined as (
    select
        events.event_id,
        events.line_id,
        lines.customer_id,
        events.event_type,
        events.channel,
        events.port_out_to,
        events.event_date,
        events.event_at_kst
    from events
    inner join lines
        on events.line_id = lines.line_id
)

select * from joined
