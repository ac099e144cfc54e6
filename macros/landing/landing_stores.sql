{#- The KST time and day of each instant column of a table (`<x>_at` -> `<x>_at_kst`,
    `<x>_date`), exact at nanosecond precision. -#}
{% macro local_time_columns(source_table, qualifier=none) -%}
    {%- set prefix = qualifier ~ '.' if qualifier else '' -%}
    {%- for name, contract_type in landing_columns(source_table)
        if contract_type == 'timestamptz' %}
        {{ to_local_timestamp(prefix ~ name) }} as {{ name }}_kst,
        {{ to_local_date(prefix ~ name) }} as {{ name[:-3] }}_date,
    {%- endfor %}
{%- endmacro %}

{#- The accepted rows of a landing table: every delivered version that passed every
    contract check, typed, with its KST times, the first copy's file and row, and the
    number of identical copies delivered.

    First build / --full-refresh: the rows `_versions` did not have to judge stream in as
    they are (one copy, every check passed), plus the accepted versions it judged.
    Incremental build: the accepted versions of the partitions this build touched (the
    replace_partitions strategy swaps them in). -#}
{% macro landing_accepted_rows(source_table) -%}
    {%- set rules = landing_rules(source_table) -%}
    {%- set key = rules['key'] -%}
    {%- set versions = ref('stg_landing__' ~ source_table ~ '_versions') -%}
    {%- set contract_columns = [] -%}
    {%- for name, _ in landing_columns(source_table) -%}
        {%- do contract_columns.append(name) -%}
    {%- endfor -%}
    {{ assert_incremental_mode() }}
with

accepted as (
    {{ accepted_versions(source_table) }}
),

final as (
    select
        {{ contract_columns | join(',\n        ') }},
        {{- local_time_columns(source_table) }}
        source_file,
        source_row_number,
        delivered_rows
    from accepted
)

select * from final
{%- endmacro %}

{#- The accepted versions of a table this build writes: on a full build the rows
    `_versions` did not have to judge (one copy, every check passed, by the very
    conditions `landing_versions` applies) plus the accepted versions it judged; on an
    incremental build the accepted versions of the touched partitions. Contract columns,
    first copy's file and row, copies delivered. -#}
{% macro accepted_versions(source_table) -%}
    {%- set rules = landing_rules(source_table) -%}
    {%- set key = rules['key'] -%}
    {%- set versions = ref('stg_landing__' ~ source_table ~ '_versions') -%}
    {%- set repeated = ref('stg_landing__' ~ source_table ~ '_repeated_keys') -%}
    {%- set contract_columns = [] -%}
    {%- for name, _ in landing_columns(source_table) -%}
        {%- do contract_columns.append(name) -%}
    {%- endfor -%}
    select * from (
        with

        {% if not is_incremental() %}
        delivered as not materialized (
            {{ delivered_rows(source_table) }}
        ),

        {{ rules['context'] }}

        flagged as (
            {{ with_parent_found('delivered', rules['parent']) }}
        ),

        streamed as (
            select
                {{ contract_columns | join(', ') }},
                source_file,
                source_row_number,
                cast(1 as bigint) as delivered_rows
            from flagged
            where
                {{ key }} is not null
                and {{ key_hash(key) }} not in (select key_hash from {{ repeated }})
                and not ({{ rules['judged_condition'] }})
        ),
        {% endif %}

        judged as (
            select
                {{ contract_columns | join(', ') }},
                source_file,
                source_row_number,
                delivered_rows
            from {{ versions }}
            where quarantine_reason is null
        )

        select * from judged
        {%- if not is_incremental() %}
        union all
        select * from streamed
        {%- endif %}
    )
{%- endmacro %}

{#- The quarantined versions of a landing table's rows, with every reason, the first
    copy's file and row, the copies delivered and the delivered row as text. -#}
{% macro landing_quarantined_rows(source_table) -%}
    {%- set versions = ref('stg_landing__' ~ source_table ~ '_versions') -%}
    {{ assert_incremental_mode() }}
select
    {%- for column in version_columns(source_table) %}
    {{ column }},
    {%- endfor %}
    quarantine_reason,
    quarantine_reasons,
    source_file,
    source_row_number,
    delivered_rows,
    {{ delivered_row_json(source_table) }} as raw_row
from {{ versions }}
where quarantine_reason is not null
{%- endmacro %}
