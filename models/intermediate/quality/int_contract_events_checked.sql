{#- Every row-level contract check of an event. The one check that needs the others'
    verdict (W1: a line's second terminating event) is made on the few terminating rows
    by int_terminating_events_ranked and applied in int_contract_events_accepted and the
    quarantine: doing it here would read this 135 M-row query twice (DuckDB then
    materialises it) or rewrite the whole table (measured: +175 s at scale 1.0). -#}

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
        event_type in (  -- noqa: RF02
            select event_type from terminating_event_types  -- noqa: RF02
        ) as is_terminating,
        {{ quarantine_reasons([
            ('null_key', 'event_id is null'),
            ('invalid_type', 'has_type_error'),
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

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(contract_events_columns()) }} as raw_row
    from checked
)

select * from final
