{#- floor(numerator / denominator) in exact integer arithmetic for non-negative
    operands: the P rules floor whole-won amounts, and a floating-point quotient
    could land a hair below an exact integer. -#}
{% macro floor_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('floor_divide', 'remedy')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__floor_divide(numerator, denominator) -%}
    cast(floor(({{ numerator }}) / ({{ denominator }})) as bigint)
{%- endmacro %}

{% macro duckdb__floor_divide(numerator, denominator) -%}
    cast((({{ numerator }}) // ({{ denominator }})) as bigint)
{%- endmacro %}
