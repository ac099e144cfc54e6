{#- Contract checks of landing table roaming_passes. -#}
{% macro landing_rules__roaming_passes() -%}
    {%- set context -%}
accepted_lines as (
    select line_id from {{ ref('stg_landing__lines') }}
    where {{ affected_only('line_id') }}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'line_id is null or base_data_mb is null'
                ~ ' or purchased_at is null'),
            ('invalid_value', 'base_data_mb <= 0'),
            ('orphan', 'line_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_lines', [('line_id', 'line_id')]),
    }) -}}
{%- endmacro %}
