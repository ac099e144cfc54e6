{#- Each line's service history as consecutive intervals in KST: in_service from
    activation, suspended between a suspension and its end, terminated from the
    terminating event on (open-ended). An instant t is covered by the interval with
    valid_from_kst <= t < valid_to_kst (valid_to_kst null = still open). State changes
    before activation or after termination are ignored. -#}
with

lines as (
    select * from {{ ref('int_lines_joined_to_customers') }}
),

lifecycle as (
    select * from {{ ref('int_line_lifecycle_events') }}
),

state_changes as (
    select
        line_id,
        'in_service' as status,
        0 as change_order,
        activated_at_kst as changed_at_kst
    from lines
    where activated_at_kst is not null

    union all

    select
        lifecycle.line_id,
        case lifecycle.event_type
            when 'suspension' then 'suspended'
            else 'in_service'
        end as status,
        case lifecycle.event_type
            when 'suspension_end' then 1
            else 2
        end as change_order,
        lifecycle.event_at_kst as changed_at_kst
    from lifecycle
    inner join lines
        on lifecycle.line_id = lines.line_id
    where
        lifecycle.event_type in ('suspension', 'suspension_end')
        and lifecycle.event_at_kst > lines.activated_at_kst
        and (
            lines.terminated_at_kst is null
            or lifecycle.event_at_kst < lines.terminated_at_kst
        )

    union all

    select
        line_id,
        'terminated' as status,
        3 as change_order,
        terminated_at_kst as changed_at_kst
    from lines
    where terminated_at_kst is not null
),

sequenced as (
    select
        line_id,
        status,
        changed_at_kst as valid_from_kst,
        lead(changed_at_kst) over (
            partition by line_id order by changed_at_kst, change_order
        ) as valid_to_kst
    from state_changes
),

intervals as (
    select
        line_id,
        status,
        valid_from_kst,
        valid_to_kst
    from sequenced
    where valid_to_kst is null or valid_to_kst > valid_from_kst
)

select * from intervals
