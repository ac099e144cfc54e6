{#- W2.6-7 and P5: the first device change and the first re-contract of each line at or
    after base_cutoff, with the events that carry them (evidence for determinations). -#}
{{ partition_view('lines') }}

with

lines as (
    select * from {{ ref('int_lines_timed') }}
),

changed as (
    select
        line_id,
        first_device_change_event_id,
        first_recontract_event_id,
        first_device_change_at_kst,
        first_recontract_at_kst
    from lines
    where
        first_device_change_event_id is not null
        or first_recontract_event_id is not null
)

select * from changed
