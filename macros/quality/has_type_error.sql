{#- True when a delivered value is present but cannot be read as its contract type (say,
    text in a money column): staging reads such values as null with try_cast, and this
    flag sends the row to quarantine as invalid_type instead of failing the build. -#}
{% macro has_type_error(columns) -%}
    (
        {%- for column, data_type in columns %}
        ({{ column }} is not null and try_cast({{ column }} as {{ data_type }}) is null)
        {{- " or" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
