{#- Contract checks of landing table lines. A line whose customer is missing or
    quarantined is an orphan. The customers looked up on an incremental build: the
    affected ones (every affected line's customer is one), and the customers of rows
    without a line_id, which share the partition chr(0) whoever their customer is. -#}
{% macro landing_rules__lines() -%}
    {%- set context -%}
accepted_customers as (
    select customer_id from {{ ref('stg_landing__customers') }}
    where {{ affected_only('customer_id', 'customers') }}
    {%- if incremental_build() %}
    {%- set quarantined = prior_relation('stg_landing__lines_quarantined') %}
        or customer_id in (
            select customer_id from delivered where line_id is null
            {%- if quarantined is not none %}
            union all
            select customer_id from {{ quarantined }} where line_id is null
            {%- endif %}
        )
    {%- endif %}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'customer_id is null or network is null'
                ~ ' or line_class is null or payment_type is null'),
            ('unknown_code', is_unknown_code('network', 'ref_codes', code_list='network')
                ~ ' or ' ~ is_unknown_code('line_class', 'ref_line_classes', 'line_class')
                ~ ' or ' ~ is_unknown_code('payment_type', 'ref_codes',
                    code_list='payment_type')),
            ('invalid_value', "mvno_brand is not null and network <> 'mvno'"),
            ('orphan', 'customer_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_customers', [('customer_id', 'customer_id')]),
    }) -}}
{%- endmacro %}
