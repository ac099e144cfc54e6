{#- A day plus a number of calendar months, as a DATE (DuckDB's date + interval is a
    TIMESTAMP). A day missing in the target month is clamped to its last day. An
    inclusive period of n months from `start` ends on add_months(start, n) - 1. -#}
{% macro add_months(day, months) -%}
    cast({{ day }} + to_months({{ months }}) as date)
{%- endmacro %}
