{#- Each line's service history as consecutive intervals in KST: in_service from
    activation, suspended from a suspension to its end, terminated from the terminating
    event on (open-ended). An instant t is covered by the interval with
    valid_from_kst <= t < valid_to_kst (valid_to_kst null = still open).

    R2 read literally: a suspension at the very instant of activation suspends the line
    from that instant; a suspension and its end at the same instant leave it in service
    (at one instant, changes apply in the order activation, suspension, suspension end,
    termination). State changes before activation or at/after termination are ignored. -#}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
{{ assert_incremental_mode() }}

with

lines as (
    select * from {{ ref('int_lines_joined_to_customers') }}
    where {{ in_affected_partitions('line_id') }}
),

suspension_changes as (
    select
        line_id,
        activated_at_kst,
        terminated_at_kst,
        unnest(suspension_changes) as change
    from lines
    where suspension_changes is not null
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
        line_id,
        case change.event_type
            when 'suspension' then 'suspended'
            else 'in_service'
        end as status,
        case change.event_type
            when 'suspension' then 1
            else 2
        end as change_order,
        change.event_at_kst as changed_at_kst
    from suspension_changes
    where
        change.event_at_kst >= activated_at_kst
        and (terminated_at_kst is null or change.event_at_kst < terminated_at_kst)

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
