{#- The largest BIGINT (2^63 - 1): results above it cannot be stored as whole won. -#}
{% macro bigint_max() -%}
    9223372036854775807
{%- endmacro %}

{#- True when P3's discount received so far, monthly_discount_krw * 12 * U / 365 with U
    up to 731 days (a 24-month agreement over a leap day), could exceed a BIGINT: the
    largest monthly discount that cannot is worked out here, in Python integers, once. -#}
{% macro exceeds_penalty_arithmetic(monthly_discount) -%}
    {%- set largest = ((9223372036854775807 + 1) * 365 - 1) // (12 * 731) -%}
    ({{ monthly_discount }} > {{ largest }})
{%- endmacro %}
