{#- The delivered row as JSON, kept only for quarantined rows so an engineer can see what
    arrived. It holds PII, which is why quarantine lives in its own restricted schema. -#}
{% macro as_raw_row(columns, always=false, qualifier=none) -%}
    {%- set prefix = qualifier ~ '.' if qualifier else '' -%}
    {%- set row_json -%}
    to_json(struct_pack(
        {%- for column in columns %}
        {{ column }} := {{ prefix }}{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    ))
    {%- endset -%}
    {%- if always -%}
    {{ row_json }}
    {%- else -%}
    case when len(quarantine_reasons) > 0 then {{ row_json }} end
    {%- endif -%}
{%- endmacro %}
