{#- Contract checks of landing table ott_choices. A choice of a service the program does
    not offer is accepted here and rejected by R4. -#}
{% macro landing_rules__ott_choices() -%}
    {%- set context -%}
accepted_lines as (
    select line_id from {{ ref('stg_landing__lines') }}
    where {{ affected_only('line_id') }}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'line_id is null or service is null'
                ~ ' or chosen_at is null'),
            ('orphan', 'line_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_lines', [('line_id', 'line_id')]),
    }) -}}
{%- endmacro %}
