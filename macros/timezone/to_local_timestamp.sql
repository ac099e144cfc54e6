{#- A UTC instant as a naive timestamp in the program's local time zone (var
    local_timezone, Asia/Seoul), at the instant's own precision: nanoseconds stay
    nanoseconds, so a cut-off compares exactly (23:59:59.999999999 is before midnight).
    Every cut-off in PROGRAM_RULES.md is compared against values produced here. -#}
{% macro to_local_timestamp(instant) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'remedy')(instant)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(instant) -%}
    timezone('{{ var("local_timezone") }}', cast({{ instant }} as timestamptz_ns))
{%- endmacro %}

{% macro spark__to_local_timestamp(instant) -%}
    from_utc_timestamp({{ instant }}, '{{ var("local_timezone") }}')
{%- endmacro %}
