{#- The contract columns of contract_events, in contract order. -#}
{% macro contract_events_columns() -%}
    {{ return(['event_id', 'line_id', 'event_type', 'event_at', 'channel', 'port_out_to']) }}
{%- endmacro %}
