{#- The delivered row as JSON, kept only for quarantined rows so an engineer can see what
    arrived. It holds PII, which is why quarantine lives in its own restricted schema. -#}
{% macro as_raw_row(columns) -%}
    case when len(quarantine_reasons) > 0 then to_json(struct_pack(
        {%- for column in columns %}
        {{ column }} := {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    )) end
{%- endmacro %}
