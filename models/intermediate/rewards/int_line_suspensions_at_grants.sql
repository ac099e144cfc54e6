{#- R2: one row per line and data grant at whose instant (00:00 KST of the grant date)
    the line is suspended. A line's state at an instant is set by its last suspension or
    suspension end at or before it, at nanosecond precision; at one instant a suspension
    comes before its end (a suspension and its end at the same instant leave the line
    in service), and changes before the line's activation are ignored (a suspension at
    the very instant of activation suspends it). Only the last change before the first
    grant and the changes between the first and last grant are needed, each change one
    sortable BIGINT (no struct comparisons): the 35 M suspension events of scale 1.0 make
    one narrow aggregate. Incremental by line. -#}
{{ replaces_partitions() }}

with

grants as (
    -- a change at exactly the grant instant counts: keys up to instant * 2 + 1
    select
        grant_number,
        epoch_us(cast(grant_date as timestamp)) * 2000 + 1 as grant_key
    from {{ ref('stg_program__data_grants') }}
),

grant_span as (
    select
        min(grant_key) as first_grant_key,
        max(grant_key) as last_grant_key,
        make_timestamp(max(grant_key) // 2000) as last_granted_at_kst
    from grants
),

changes as (
    -- one sortable BIGINT per change: KST epoch nanoseconds * 2, plus 1 for an end, so
    -- that at one instant a suspension (even) sorts before its end (odd)
    select
        events.line_id,
        (epoch_us(events.event_at_kst) * 1000 + events.event_at_nanoseconds) * 2
        + case events.event_type when 'suspension' then 0 else 1 end as change_key
    from {{ affected_rows(ref('fct_contract_events'), 'line_id') }} as events
    cross join grant_span
    where
        events.event_type in ('suspension', 'suspension_end')
        and events.event_at_kst <= grant_span.last_granted_at_kst
),

per_line as (
    -- the last change before the first grant, and every change after it
    select
        changes.line_id,
        max(changes.change_key) filter (
            where changes.change_key <= grant_span.first_grant_key
        ) as last_before_first_grant,
        list(changes.change_key) filter (
            where changes.change_key > grant_span.first_grant_key
        ) as later_changes
    from changes
    cross join grant_span
    group by 1
),

candidates as (
    select * from per_line
    where last_before_first_grant % 2 = 0 or later_changes is not null
),

state_at_grants as (
    select
        candidates.line_id,
        grants.grant_number,
        greatest(
            candidates.last_before_first_grant,
            list_max(
                list_filter(
                    candidates.later_changes,
                    lambda later: later <= grants.grant_key  -- noqa: RF02
                )
            )
        ) as last_change_key
    from candidates
    cross join grants
),

lines as (
    select
        line_id,
        (epoch_us(activated_at_kst) * 1000 + activated_at_nanoseconds) * 2
            as activation_key
    from {{ affected_rows(ref('dim_lines'), 'line_id') }}
),

final as (
    select
        state_at_grants.line_id,
        state_at_grants.grant_number,
        make_timestamp_ns(state_at_grants.last_change_key // 2) as suspended_since_kst
    from state_at_grants
    inner join lines
        on state_at_grants.line_id = lines.line_id
    where
        state_at_grants.last_change_key % 2 = 0
        and state_at_grants.last_change_key >= lines.activation_key
)

select * from final
