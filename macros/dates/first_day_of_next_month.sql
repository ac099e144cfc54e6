{#- The first day of the calendar month after a day, as a DATE (R4, R6: a voucher or a
    cover chosen during a month starts on the 1st of the next one). -#}
{% macro first_day_of_next_month(day) -%}
    cast(date_trunc('month', {{ day }}) + interval 1 month as date)
{%- endmacro %}
