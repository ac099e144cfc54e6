{#- The source contract (var landing_tables in dbt_project.yml) as Jinja helpers. -#}

{% macro landing_table(source_table) -%}
    {{ return(var('landing_tables')[source_table]) }}
{%- endmacro %}

{#- [(name, contract type)] of a landing table, in contract order. -#}
{% macro landing_columns(source_table) -%}
    {%- set columns = [] -%}
    {%- for column in landing_table(source_table)['columns'] -%}
        {%- do columns.append((column[0], column[1])) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}

{#- The DuckDB type staging gives a contract type. Instants keep nanoseconds. -#}
{% macro landing_type(contract_type) -%}
    {{- return({
        'varchar': 'varchar',
        'timestamptz': 'timestamptz_ns',
        'date': 'date',
        'bigint': 'bigint',
        'integer': 'integer',
        'boolean': 'boolean',
    }[contract_type]) -}}
{%- endmacro %}

{#- Columns that carry what was delivered as text when a file gave a column another type
    than the contract's (`<column>__delivered`): every typed, non-text contract column. -#}
{% macro delivered_text_columns(source_table) -%}
    {%- set columns = [] -%}
    {%- for name, contract_type in landing_columns(source_table) -%}
        {%- if contract_type != 'varchar' -%}
            {%- do columns.append(name ~ '__delivered') -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}

{#- Every column that identifies one delivered version of a row: the typed contract
    columns and the delivered text of mistyped values. Two rows equal on all of them are
    copies (collapsed); a key with two different versions is a conflict. -#}
{% macro version_columns(source_table) -%}
    {%- set columns = [] -%}
    {%- for name, _ in landing_columns(source_table) -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {{- return(columns + delivered_text_columns(source_table)) -}}
{%- endmacro %}

{#- The delivered row as JSON text for the quarantine: what arrived, mistyped values as
    the text that was delivered, never a converted value. -#}
{% macro delivered_row_json(source_table, qualifier=none) -%}
    {%- set prefix = qualifier ~ '.' if qualifier else '' -%}
    to_json(struct_pack(
        {%- for name, contract_type in landing_columns(source_table) %}
        {{ name }} := {% if contract_type == 'varchar' -%}
            {{ prefix }}{{ name }}
        {%- else -%}
            coalesce({{ prefix }}{{ name }}__delivered, cast({{ prefix }}{{ name }} as varchar))
        {%- endif %}{{ "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
