{#- The local (KST) calendar day of a UTC instant, exact at nanosecond precision. -#}
{% macro to_local_date(instant) -%}
    cast({{ truncate_to_microseconds(to_local_timestamp(instant)) }} as date)
{%- endmacro %}
