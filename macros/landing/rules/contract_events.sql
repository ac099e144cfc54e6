{#- Contract checks of landing table contract_events. The terminating events of a line
    delivered more than one are always judged in stg_landing__contract_events_versions,
    which ranks them (W1: a line terminates at most once). -#}
{% macro landing_rules__contract_events() -%}
    {%- set context -%}
accepted_lines as (
    select
        line_id,
        customer_id
    from {{ ref('stg_landing__lines') }}
    where {{ affected_only('line_id') }}
),

terminating_event_types as (
    select event_type from {{ ref('ref_event_types') }}
    where is_terminating
),

lines_terminating_more_than_once as (
    -- W1 ranks a line's terminating events: only lines delivered more than one need it
    select line_id
    from delivered
    where event_type in (
        select terminating_event_types.event_type from terminating_event_types
    )
    group by 1
    having count(*) > 1
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'line_id is null or event_type is null'
                ~ ' or event_at is null'),
            ('unknown_code', is_unknown_code('event_type', 'ref_event_types', 'event_type')
                ~ ' or ' ~ is_unknown_code('channel', 'ref_channels', 'channel',
                    where='is_event_channel')
                ~ ' or ' ~ is_unknown_code('port_out_to', 'ref_codes',
                    code_list='port_out_to')),
            ('invalid_value', "(event_type = 'port_out') <> (port_out_to is not null)"),
            ('orphan', 'line_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_lines', [('line_id', 'line_id')], ['customer_id']),
        'always_judge': 'line_id in (select line_id from lines_terminating_more_than_once)'
            ~ ' and event_type in (select event_type from terminating_event_types)',
        'store_overrides': {
            'event_at': instant_from_local('event_at_kst', 'event_at_nanoseconds'),
        },
    }) -}}
{%- endmacro %}
