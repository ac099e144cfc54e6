{#- R2: one row per line and data grant at whose instant (00:00 KST of the grant date)
    the line is suspended. A line's state at an instant is set by its last suspension or
    suspension end at or before it, at nanosecond precision; at one instant a suspension
    comes before its end (a suspension and its end at the same instant leave the line
    in service), and changes before the line's activation are ignored (a suspension at
    the very instant of activation suspends it). Only the last change before the first
    grant and the changes between the first and last grant are needed, which keeps the
    35 M suspension events of scale 1.0 to one aggregate. Incremental by line. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_column='line_id',
    affected_partitions='lines',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
{{ assert_incremental_mode() }}

with

grants as (
    select
        grant_number,
        cast(grant_date as timestamp) as granted_at_kst
    from {{ ref('stg_program__data_grants') }}
),

grant_span as (
    select
        min(granted_at_kst) as first_granted_at_kst,
        max(granted_at_kst) as last_granted_at_kst
    from grants
),

changes as (
    select
        events.line_id,
        events.event_type,
        {{ local_time_ns('events.event_at_kst', 'events.event_at_nanoseconds') }}
            as changed_at_kst,
        case events.event_type when 'suspension' then 1 else 2 end as change_order
    from {{ ref('fct_contract_events') }} as events
    cross join grant_span
    where
        events.event_type in ('suspension', 'suspension_end')
        and events.event_at_kst <= grant_span.last_granted_at_kst
        and {{ in_affected_partitions('events.line_id') }}
),

last_before_first_grant as (
    select
        changes.line_id,
        max_by(changes.event_type, (changes.changed_at_kst, changes.change_order))
            as event_type,
        max(changes.changed_at_kst) as changed_at_kst,
        max_by(changes.change_order, (changes.changed_at_kst, changes.change_order))
            as change_order
    from changes
    cross join grant_span
    where changes.changed_at_kst <= grant_span.first_granted_at_kst
    group by 1
),

relevant_changes as (
    select * from last_before_first_grant
    union all
    select
        changes.line_id,
        changes.event_type,
        changes.changed_at_kst,
        changes.change_order
    from changes
    cross join grant_span
    where changes.changed_at_kst > grant_span.first_granted_at_kst
),

state_at_grants as (
    select
        relevant_changes.line_id,
        grants.grant_number,
        max_by(
            relevant_changes.event_type,
            (relevant_changes.changed_at_kst, relevant_changes.change_order)
        ) as last_change,
        max(relevant_changes.changed_at_kst) as last_changed_at_kst
    from relevant_changes
    inner join grants
        on relevant_changes.changed_at_kst <= grants.granted_at_kst
    group by 1, 2
),

lines as (
    select
        line_id,
        {{ local_time_ns('activated_at_kst', 'activated_at_nanoseconds') }}
            as activated_at_kst
    from {{ ref('dim_lines') }}
    where {{ in_affected_partitions('line_id') }}
),

final as (
    select
        state_at_grants.line_id,
        state_at_grants.grant_number,
        state_at_grants.last_changed_at_kst as suspended_since_kst
    from state_at_grants
    inner join lines
        on state_at_grants.line_id = lines.line_id
    where
        state_at_grants.last_change = 'suspension'
        and state_at_grants.last_changed_at_kst >= lines.activated_at_kst
)

select * from final
