{#- Whether this build adds to an existing warehouse (true) or builds it from every
    landing file (false: the first build, or --full-refresh). begin_build has already
    refused an incremental build that would mix two states. -#}
{% macro incremental_build() -%}
    {%- if not execute or flags.FULL_REFRESH or not build_state_exists() -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from restricted.state.builds"
        ~ " where build_seq < (select max(build_seq) from restricted.state.builds)"
    ) -%}
    {{- return(found.columns[0].values()[0] > 0) -}}
{%- endmacro %}

{#- The rest of an affected-partitions model on a build from scratch, which derives
    everything: no rows, in the model's one column. It closes the model's `with`. -#}
{% macro no_affected_partitions(column) -%}
nothing as (
    select cast(null as varchar) as {{ column }}
)

select * from nothing
where false
{%- endmacro %}

{#- The loaded landing files of a table, [(relative path, column handling)], in path
    order: every one, or only those first seen in this build. -#}
{% macro landing_files(source_table, new_only) -%}
    {%- set files = [] -%}
    {%- set inventory = ref('stg_landing__files') -%}
    {%- if execute and load_relation(inventory) is not none -%}
        {%- set found = run_query(
            "select file_path, column_handling from " ~ inventory
            ~ " where file_status = 'loaded' and source_table = '" ~ source_table ~ "'"
            ~ (" and first_seen_build_seq = " ~ current_build_seq() if new_only else "")
            ~ " order by file_path"
        ) -%}
        {%- for row in found.rows -%}
            {%- do files.append((row[0], fromjson(row[1]))) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(files) -}}
{%- endmacro %}

{#- The rows of a table's landing files, typed to the contract and never converted: one
    `read_parquet` per group of files that share their column types. Per contract column:
    the typed value (null when the file delivered another type), for typed columns the
    delivered text of a mistyped value (`<column>__delivered`), the list of mistyped
    columns of the row, and where the row came from (file relative to the landing
    directory, 0-based row number). `new_only`: only files first seen in this build. -#}
{% macro delivered_rows(source_table, new_only=false) -%}
    {%- set raw_dir = landing_dir() -%}
    {%- set columns = landing_columns(source_table) -%}
    {%- set groups = {} -%}
    {%- for path, handling in landing_files(source_table, new_only) -%}
        {%- set signature = tojson(handling, sort_keys=true) -%}
        {%- if signature not in groups -%}
            {%- do groups.update({signature: {'handling': handling, 'paths': []}}) -%}
        {%- endif -%}
        {%- do groups[signature]['paths'].append(path) -%}
    {%- endfor -%}
    {%- for signature, group in groups.items() %}
    select
        {%- for name, contract_type in columns %}
        {%- set how = group['handling'][name] %}
        {%- set typed = landing_type(contract_type) %}
        {%- if how['handling'] == 'text' or how['type'] == '"NULL"' %}
        cast(null as {{ typed }}) as {{ name }},
        {%- elif contract_type in ('bigint', 'integer') %}
        try_cast("{{ name }}" as {{ typed }}) as {{ name }},
        {%- else %}
        cast("{{ name }}" as {{ typed }}) as {{ name }},
        {%- endif %}
        {%- endfor %}
        {%- for name, contract_type in columns if contract_type != 'varchar' %}
        {%- set how = group['handling'][name] %}
        {%- if how['handling'] == 'text' %}
        cast("{{ name }}" as varchar) as {{ name }}__delivered,
        {%- elif contract_type in ('bigint', 'integer') and how['type'] != '"NULL"' %}
        case
            when try_cast("{{ name }}" as {{ landing_type(contract_type) }}) is null
                then cast("{{ name }}" as varchar)
        end as {{ name }}__delivered,
        {%- else %}
        cast(null as varchar) as {{ name }}__delivered,
        {%- endif %}
        {%- endfor %}
        substr(filename, {{ raw_dir | length + 2 }}) as source_file,
        file_row_number as source_row_number
    from read_parquet(
        [
            {%- for path in group['paths'] %}
            '{{ (raw_dir ~ '/' ~ path) | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- endfor %}
        ],
        filename = true,
        file_row_number = true,
        union_by_name = true
    )
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        {%- for name, contract_type in columns %}
        cast(null as {{ landing_type(contract_type) }}) as {{ name }},
        {%- endfor %}
        {%- for name, contract_type in columns if contract_type != 'varchar' %}
        cast(null as varchar) as {{ name }}__delivered,
        {%- endfor %}
        cast(null as varchar) as source_file,
        cast(null as bigint) as source_row_number
    where false
    {%- endfor %}
{%- endmacro %}

{#- The landing directory (var raw_dir, else RAW_DIR, else data/raw), without a trailing
    slash. -#}
{% macro landing_dir() -%}
    {{- return(var('raw_dir', env_var('RAW_DIR', 'data/raw')).rstrip('/')) -}}
{%- endmacro %}

{#- Whether the warehouse has its build state yet (not while linting or compiling a
    database that was never built). -#}
{% macro build_state_exists() -%}
    {{- return(adapter.get_relation('restricted', 'state', 'builds') is not none) -}}
{%- endmacro %}
