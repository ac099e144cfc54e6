{#- Landing table contract_events: every delivered version this build judges, with
    each contract check it fails (checks: macros/landing/rules/contract_events.sql;
    mechanics: landing_versions), plus W1's rule that a line terminates at most
    once: among a line's terminating events that pass every other check, the first
    by event_at (then event_id) stands and every later one is quarantined as
    second_terminating_event. Every terminating event of a line delivered more than one
    is judged here (on an incremental build, every event of the touched lines), so the
    ranking sees them all; the accepted ones land in fct_contract_events. -#}
with

judged as (
    {{ landing_versions('contract_events') }}
),

terminating_event_types as (
    select event_type from {{ ref('ref_event_types') }}
    where is_terminating
),

terminations_ranked as (
    select
        event_id,
        row_number() over (
            partition by line_id order by event_at, event_id
        ) as termination_rank
    from judged
    where
        quarantine_reason is null
        and event_type in (
            select terminating_event_types.event_type from terminating_event_types
        )
),

final as (
    select
        judged.* exclude (quarantine_reasons, quarantine_reason),
        case
            when terminations_ranked.termination_rank > 1
                then ['second_terminating_event']
            else judged.quarantine_reasons
        end as quarantine_reasons,
        case
            when terminations_ranked.termination_rank > 1
                then 'second_terminating_event'
            else judged.quarantine_reason
        end as quarantine_reason
    from judged
    left join terminations_ranked
        on judged.event_id = terminations_ranked.event_id
)

select * from final
