{#- W2: the rule id (W2.1 .. W2.8) of an exclusion reason code; null for any other
    value. -#}
{% macro waiver_exclusion_rule_id(reason) -%}
    case {{ reason }}
        {%- for code, rule_id in waiver_exclusion_rules() %}
        when '{{ code }}' then '{{ rule_id }}'
        {%- endfor %}
    end
{%- endmacro %}
