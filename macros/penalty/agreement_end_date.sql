{#- P1: E = S + T calendar months. When S's day does not exist in the end month the date
    is clamped to that month's last day (2023-08-31 + 6 months = 2024-02-29), which is
    what dateadd does on DuckDB, Snowflake and BigQuery. -#}
{% macro agreement_end_date(start_date, term_months) -%}
    cast({{ dbt.dateadd('month', term_months, start_date) }} as date)
{%- endmacro %}
