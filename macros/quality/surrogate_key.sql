{#- A deterministic text key from several columns (md5 of their '|'-joined text, nulls as
    a marker): the same inputs give the same id on every rebuild. -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|'
        {%- for column in columns %},
        coalesce(cast({{ column }} as varchar), '<null>')
        {%- endfor %}
    ))
{%- endmacro %}
