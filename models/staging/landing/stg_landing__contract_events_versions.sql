{#- Contract events: the delivered versions this build judges (see landing_versions),
    plus W1's rule that a line terminates at most once: among a line's terminating events
    that pass every other check, the first by event_at (then event_id) stands and every
    later one is quarantined as second_terminating_event. On a full build every
    terminating event is judged here (the ranking needs them all); the accepted ones
    live in fct_contract_events, which is the store of accepted events. -#}
{%- set context %}
accepted_lines as (
    select line_id from {{ ref('stg_landing__lines') }}
    {%- if incremental_build() %}
    where line_id in (select partition_key from {{ ref('stg_landing__affected_lines') }})
    {%- endif %}
),

terminating_event_types as (
    select event_type from {{ ref('ref_event_types') }}
    where is_terminating
),
{%- endset %}

with

judged as (
    {{ landing_versions('contract_events', checks=[
        ('missing_required_field', 'line_id is null or event_type is null'
            ~ ' or event_at is null'),
        ('unknown_code', is_unknown_code('event_type', 'ref_event_types', 'event_type')
            ~ ' or ' ~ is_unknown_code('channel', 'ref_channels', 'channel',
                where='is_event_channel')
            ~ ' or ' ~ is_unknown_code('port_out_to', 'ref_codes',
                code_list='port_out_to')),
        ('invalid_value', "(event_type = 'port_out') <> (port_out_to is not null)"),
        ('orphan', 'line_id is not null and not parent_found'),
    ], context=context, parent=('accepted_lines', [('line_id', 'line_id')]), stores=[
        ('fct_contract_events', 'line_id', {
            'event_at': instant_from_local('event_at_kst', 'event_at_nanoseconds'),
        }),
        ('stg_landing__contract_events_quarantined', 'line_id'),
    ], always_judge='event_type in (select event_type from terminating_event_types)') }}
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
        and event_type in (select event_type from {{ ref('ref_event_types') }} where is_terminating)
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
