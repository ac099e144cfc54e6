{#- One row per line with accepted events: everything the rules need from the 135 M
    events, read once. Its activation (the earliest activation event), its single
    terminating event (W1: the staging layer quarantines any second one), its first
    device change and first re-contract at or after base_cutoff (W2.6-7, P5), and its
    suspension history (R2) as an ordered list. KST times keep nanoseconds. -#}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
{{ assert_incremental_mode() }}

with

events as (
    select
        event_id,
        line_id,
        event_type,
        port_out_to,
        {{ local_time_ns('event_at_kst', 'event_at_nanoseconds') }} as event_at_kst
    from {{ ref('fct_contract_events') }}
    where
        event_type not in ('plan_change')
        and {{ in_affected_partitions('line_id') }}
),

event_types as (
    select * from {{ ref('ref_event_types') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

classified as (
    select
        events.*,
        event_types.is_terminating,
        events.event_at_kst >= program_parameters.base_cutoff_kst as is_since_base_date
    from events
    inner join event_types
        on events.event_type = event_types.event_type
    cross join program_parameters
),

summarised as (
    select
        line_id,
        arg_min(event_id, (event_at_kst, event_id))
            filter (where event_type = 'activation') as activation_event_id,
        min(event_at_kst) filter (where event_type = 'activation')
            as activation_event_at_kst,
        any_value(event_id) filter (where is_terminating) as termination_event_id,
        any_value(event_type) filter (where is_terminating) as termination_type,
        any_value(port_out_to) filter (where is_terminating) as port_out_to,
        any_value(event_at_kst) filter (where is_terminating) as terminated_at_kst,
        arg_min(event_id, (event_at_kst, event_id))
            filter (where event_type = 'device_change' and is_since_base_date)
            as first_device_change_event_id,
        min(event_at_kst)
            filter (where event_type = 'device_change' and is_since_base_date)
            as first_device_change_at_kst,
        arg_min(event_id, (event_at_kst, event_id))
            filter (where event_type = 'recontract' and is_since_base_date)
            as first_recontract_event_id,
        min(event_at_kst) filter (where event_type = 'recontract' and is_since_base_date)
            as first_recontract_at_kst,
        list(
            {'event_type': event_type, 'event_at_kst': event_at_kst}
            order by event_at_kst, event_id
        ) filter (where event_type in ('suspension', 'suspension_end'))
            as suspension_changes
    from classified
    group by 1
)

select * from summarised
