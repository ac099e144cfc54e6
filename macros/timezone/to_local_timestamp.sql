{#- A UTC instant (timestamptz) as a naive timestamp in the program's local time zone
    (var local_timezone, Asia/Seoul). Every cut-off in PROGRAM_RULES.md is compared
    against values produced here. -#}
{% macro to_local_timestamp(instant) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'remedy')(instant)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(instant) -%}
    timezone('{{ var("local_timezone") }}', cast({{ instant }} as timestamp with time zone))
{%- endmacro %}

{% macro spark__to_local_timestamp(instant) -%}
    from_utc_timestamp({{ instant }}, '{{ var("local_timezone") }}')
{%- endmacro %}
