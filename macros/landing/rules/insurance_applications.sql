{#- Contract checks of landing table insurance_applications. An application of a missing
    or quarantined customer is an orphan. -#}
{% macro landing_rules__insurance_applications() -%}
    {%- set context -%}
accepted_customers as (
    select customer_id from {{ ref('stg_landing__customers') }}
    where {{ affected_only('customer_id', 'customers') }}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'customer_id is null or applied_at is null'),
            ('orphan', 'customer_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_customers', [('customer_id', 'customer_id')]),
    }) -}}
{%- endmacro %}
