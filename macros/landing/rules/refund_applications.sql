{#- Contract checks of landing table refund_applications. The front end may match an
    application to a line that does not exist: that is a business outcome (A6
    unknown_line), not a contract breach; an application to a line that was delivered but
    quarantined is an orphan. A hardship reason comes with the day it ended and the other
    way round ("hardship_ended_on: with hardship_reason"). -#}
{% macro landing_rules__refund_applications() -%}
    {%- set context -%}
quarantined_lines as (
    select line_id from {{ ref('stg_landing__lines_quarantined') }}
    where line_id is not null and {{ affected_only('line_id') }}
    except
    select line_id from {{ ref('stg_landing__lines') }}
    where {{ affected_only('line_id') }}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'channel is null or applied_at is null'),
            ('unknown_code', is_unknown_code('channel', 'ref_channels', 'channel',
                    where='is_application_channel')
                ~ ' or ' ~ is_unknown_code('holder_exception', 'ref_codes',
                    code_list='holder_exception')
                ~ ' or ' ~ is_unknown_code('hardship_reason', 'ref_codes',
                    code_list='hardship_reason')),
            ('invalid_value', '(hardship_ended_on is null) <> (hardship_reason is null)'),
            ('orphan', 'parent_found'),
        ],
        'context': context,
        'parent': ('quarantined_lines', [('line_id', 'line_id')]),
    }) -}}
{%- endmacro %}
