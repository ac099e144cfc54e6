{#- A nanosecond timestamp cut (never rounded) to microseconds: the published `_at_kst`
    type, and the only safe way to take a KST day of a nanosecond value (DuckDB's own
    casts round 23:59:59.999999999 up to the next day). -#}
{% macro truncate_to_microseconds(timestamp_ns) -%}
    {{ return(adapter.dispatch('truncate_to_microseconds', 'remedy')(timestamp_ns)) }}
{%- endmacro %}

{% macro default__truncate_to_microseconds(timestamp_ns) -%}
    make_timestamp(epoch_us({{ timestamp_ns }}))
{%- endmacro %}

{% macro spark__truncate_to_microseconds(timestamp_ns) -%}
    cast({{ timestamp_ns }} as timestamp)
{%- endmacro %}
