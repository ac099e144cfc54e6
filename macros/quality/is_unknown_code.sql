{#- True when a non-null code is not in its reference seed. Null codes are judged by the
    missing_required_field check instead, so a null is never "unknown". -#}
{% macro is_unknown_code(column, seed, code_column='code', code_list=none, where=none) -%}
    ({{ column }} is not null and {{ column }} not in (
        select {{ code_column }} from {{ ref(seed) }}
        where true
        {%- if code_list is not none %} and code_list = '{{ code_list }}'{% endif %}
        {%- if where is not none %} and {{ where }}{% endif %}
    ))
{%- endmacro %}
