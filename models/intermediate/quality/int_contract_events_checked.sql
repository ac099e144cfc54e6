{#- A line terminates at most once (W1): among events that pass every other check, the
    first terminating event of a line (by event_at, then event_id) stands and any later
    one is quarantined as second_terminating_event. -#}
with

events as (
    select * from {{ ref('stg_landing__contract_events') }}
),

accepted_lines as (
    select line_id from {{ ref('int_lines_checked') }}
    where quarantine_reason is null
),

terminating_event_types as (
    select event_type from {{ ref('ref_event_types') }}
    where is_terminating
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'event_id is null'),
            ('conflicting_duplicate_key', 'event_id is not null and key_versions > 1'),
            ('missing_required_field', 'line_id is null or event_type is null'
                ~ ' or event_at is null'),
            ('unknown_code', is_unknown_code('event_type', 'ref_event_types', 'event_type')
                ~ ' or ' ~ is_unknown_code('channel', 'ref_channels', 'channel',
                    where='is_event_channel')
                ~ ' or ' ~ is_unknown_code('port_out_to', 'ref_codes',
                    code_list='port_out_to')),
            ('invalid_value', "(event_type = 'port_out') <> (port_out_to is not null)"),
            ('orphan', 'line_id not in (select line_id from accepted_lines)'),
        ]) }} as quarantine_reasons
    from events
),

terminations_ranked as (
    select
        event_id,
        row_number() over (
            partition by line_id order by event_at, event_id
        ) as termination_rank
    from checked
    where
        len(quarantine_reasons) = 0
        and event_type in (select event_type from terminating_event_types)
),

ranked as (
    select
        checked.* exclude (key_versions, quarantine_reasons),
        case
            when terminations_ranked.termination_rank > 1
                then list_append(checked.quarantine_reasons, 'second_terminating_event')
            else checked.quarantine_reasons
        end as quarantine_reasons
    from checked
    left join terminations_ranked
        on checked.event_id = terminations_ranked.event_id
        and terminations_ranked.termination_rank > 1
),

final as (
    select
        *,
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['event_id', 'line_id', 'event_type', 'event_at', 'channel',
            'port_out_to']) }} as raw_row
    from ranked
)

select * from final
