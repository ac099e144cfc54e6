{#- One row per line with any of the events the line-level rules read: its activation
    (the earliest activation event; ties: smallest event_id), its single terminating
    event (W1), its first device change and re-contract at or after base_cutoff
    (W2.6-7, P5), each with the event that carries it; times in KST at nanosecond
    precision. Kept apart from dim_lines so that neither query holds the 135 M events
    and the 29 M lines at once (docs/benchmarks.md). Incremental: a build re-derives
    the lines a delivery touched. -#}
{{ replaces_partitions() }}

with

event_types as (
    select * from {{ ref('ref_event_types') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

events as (
    -- the events the line-level rules read: activations, terminations, and device
    -- changes and re-contracts since base_cutoff (plan changes and suspensions, most of
    -- the 135 M, are not needed here); times as epoch nanoseconds of KST wall time
    select
        events.event_id,
        events.line_id,
        events.event_type,
        events.port_out_to,
        event_types.is_terminating,
        epoch_us(events.event_at_kst) * 1000 + events.event_at_nanoseconds
            as event_at_ns
    from {{ affected_rows(ref('fct_contract_events'), 'line_id') }} as events
    inner join event_types
        on events.event_type = event_types.event_type
    cross join program_parameters
    where
        event_types.is_terminating
        or events.event_type = 'activation'
        or (
            events.event_type in ('device_change', 'recontract')
            and events.event_at_kst >= program_parameters.base_cutoff_kst
        )
),

activation_events as (
    select * from events
    where event_type = 'activation'
),

activations as (
    -- one activation per line for almost every line: a plain aggregate, with the
    -- earliest event's id settled exactly (ties: smallest event_id) only for the few
    -- lines with more than one activation event
    select
        line_id,
        min(event_at_ns) as activation_event_at_ns,
        count(*) as activation_events,
        any_value(event_id) as any_activation_event_id
    from activation_events
    group by 1
),

repeated_activations as (
    select
        activation_events.line_id,
        min_by(
            activation_events.event_id,
            (activation_events.event_at_ns, activation_events.event_id)
        ) as activation_event_id
    from activation_events
    inner join activations
        on activation_events.line_id = activations.line_id
    where activations.activation_events > 1
    group by 1
),

other_events as (
    select
        line_id,
        any_value(event_id) filter (where is_terminating) as termination_event_id,
        any_value(event_type) filter (where is_terminating) as termination_type,
        any_value(port_out_to) filter (where is_terminating) as port_out_to,
        any_value(event_at_ns) filter (where is_terminating) as terminated_at_ns,
        min_by(event_id, (event_at_ns, event_id)) filter (
            where event_type = 'device_change'
        ) as first_device_change_event_id,
        min(event_at_ns) filter (where event_type = 'device_change')
            as first_device_change_at_ns,
        min_by(event_id, (event_at_ns, event_id)) filter (
            where event_type = 'recontract'
        ) as first_recontract_event_id,
        min(event_at_ns) filter (where event_type = 'recontract')
            as first_recontract_at_ns
    from events
    where event_type <> 'activation'
    group by 1
),

summarised as (
    select
        coalesce(activations.line_id, other_events.line_id) as line_id,
        coalesce(
            repeated_activations.activation_event_id,
            activations.any_activation_event_id
        ) as activation_event_id,
        make_timestamp_ns(activations.activation_event_at_ns)
            as activation_event_at_kst,
        other_events.termination_event_id,
        other_events.termination_type,
        other_events.port_out_to,
        make_timestamp_ns(other_events.terminated_at_ns) as terminated_at_kst,
        other_events.first_device_change_event_id,
        make_timestamp_ns(other_events.first_device_change_at_ns)
            as first_device_change_at_kst,
        other_events.first_recontract_event_id,
        make_timestamp_ns(other_events.first_recontract_at_ns)
            as first_recontract_at_kst
    from activations
    full outer join other_events
        on activations.line_id = other_events.line_id
    left join repeated_activations
        on activations.line_id = repeated_activations.line_id
)

select * from summarised
