{#- W2.6-7 and P5: the first device change and the first re-contract of each line at or
    after base_cutoff, with its event id (the evidence fct_waiver_determinations shows).
    Only those two event types since the cut-off are read from the large events table;
    the earliest one decides whether any fell before a given instant (the termination,
    or the end of the lookup date). Ties on the instant go to the smaller event_id. -#}
with

events as (
    select * from {{ ref('int_contract_events_accepted') }}
),

program_parameters as (
    select * from {{ ref('program_parameters') }}
    where program_id = '{{ var("program_id") }}'
),

changes_since_base_date as (
    select
        events.line_id,
        events.event_id,
        events.event_type,
        events.event_at_kst
    from events
    inner join program_parameters
        on events.event_at_kst >= program_parameters.base_cutoff_kst
    where events.event_type in ('device_change', 'recontract')
),

aggregated as (
    select
        line_id,
        min(case when event_type = 'device_change' then event_at_kst end)
            as first_device_change_at_kst,
        min(case when event_type = 'recontract' then event_at_kst end)
            as first_recontract_at_kst,
        min_by(
            case when event_type = 'device_change' then event_id end,
            case when event_type = 'device_change' then (event_at_kst, event_id) end
        ) as first_device_change_event_id,
        min_by(
            case when event_type = 'recontract' then event_id end,
            case when event_type = 'recontract' then (event_at_kst, event_id) end
        ) as first_recontract_event_id
    from changes_since_base_date
    group by 1
)

select * from aggregated
