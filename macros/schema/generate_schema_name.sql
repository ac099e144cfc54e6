{#- Layers get their own schema, named exactly as configured (staging, intermediate,
    quarantine, program); published marts live in the target schema (main), where
    dashboards and extract tools look for them (PUBLISHED_MARTS.md). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none or custom_schema_name == 'main' -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
