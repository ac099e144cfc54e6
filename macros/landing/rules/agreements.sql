{#- Contract checks of landing table agreements. P3's discount received so far
    (monthly_discount_krw * 12 * U / 365, U at most 731 days) must fit a BIGINT: a larger
    monthly discount cannot be represented and is an invalid_value (one row never stops
    the build). -#}
{% macro landing_rules__agreements() -%}
    {%- set context -%}
accepted_lines as (
    select line_id from {{ ref('stg_landing__lines') }}
    where {{ affected_only('line_id') }}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'line_id is null or agreement_type is null'
                ~ ' or start_date is null or term_months is null'
                ~ " or (agreement_type = 'device_subsidy' and subsidy_krw is null)"
                ~ " or (agreement_type = 'selective_discount'"
                ~ " and monthly_discount_krw is null)"),
            ('unknown_code', is_unknown_code('agreement_type', 'ref_codes',
                code_list='agreement_type')),
            ('invalid_value', 'term_months not in (12, 24)'
                ~ " or (agreement_type = 'device_subsidy'"
                ~ " and monthly_discount_krw is not null)"
                ~ " or (agreement_type = 'selective_discount' and subsidy_krw is not null)"
                ~ ' or ' ~ exceeds_penalty_arithmetic('monthly_discount_krw')),
            ('negative_amount', 'subsidy_krw < 0 or monthly_discount_krw < 0'),
            ('orphan', 'line_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_lines', [('line_id', 'line_id')]),
    }) -}}
{%- endmacro %}
