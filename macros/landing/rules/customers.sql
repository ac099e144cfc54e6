{#- Contract checks of landing table customers. A null person_key is allowed (a business
    may have no national id; it never matches a re-joiner, W2.8); a business with a birth
    date breaks the contract ("null for business"). -#}
{% macro landing_rules__customers() -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'customer_type is null'),
            ('unknown_code', is_unknown_code('customer_type', 'ref_codes',
                code_list='customer_type')),
            ('invalid_value', "(customer_type = 'business' and birth_date is not null)"
                ~ ' or birth_date > ' ~ to_local_date('created_at')),
        ],
    }) -}}
{%- endmacro %}
