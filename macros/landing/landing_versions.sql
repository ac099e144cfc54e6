{#- The stored table of a model as it was before this build (none on the first build),
    read without a ref: the `_versions` models re-derive the rows of the partitions a
    delivery touches from the stores' previous state, and the stores are written after
    them, from them. A ref would be a cycle; this is the one place the DAG does not show
    a read, on purpose. -#}
{% macro prior_relation(model_name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {{- return(adapter.get_relation(
        database=node.database, schema=node.schema, identifier=node.alias)) -}}
{%- endmacro %}

{#- Collapse identical copies into versions: one row per distinct delivered version of a
    row (equal on every version column), with the number of copies delivered and the
    first copy by (file, row number), whatever order the files arrived in. `candidates`
    holds the version columns, source_file, source_row_number and delivered_rows. -#}
{% macro collapse_versions(source_table, candidates) -%}
    {%- set key = landing_table(source_table)['key'] -%}
    select
        *,
        count(*) over (partition by {{ key }}) as key_versions
    from (
        select
            {%- for column in version_columns(source_table) %}
            {{ column }},
            {%- endfor %}
            cast(sum(delivered_rows) as bigint) as delivered_rows,
            min(struct_pack(
                source_file := source_file, source_row_number := source_row_number
            )) as first_copy
        from {{ candidates }}
        group by all
    )
{%- endmacro %}

{#- The copies of a delivery that cannot simply stream into a store as one accepted row:
    a key delivered more than once (a copy or a conflict). A narrow aggregate on the
    key's hash finds them at scale; every other row streams through. -#}
{% macro repeated_key_hashes(delivered, key) -%}
    select hash({{ key }}) as key_hash
    from {{ delivered }}
    where {{ key }} is not null
    group by 1
    having count(*) > 1
{%- endmacro %}

{#- The partition value of a row: the line or customer an incremental build re-derives
    together (rows without one form their own partition). -#}
{% macro partition_value(source_table, qualifier=none) -%}
    {%- set prefix = qualifier ~ '.' if qualifier else '' -%}
    coalesce({{ prefix }}{{ landing_table(source_table)['partition'] }}, chr(0))
{%- endmacro %}

{#- The affected-partitions model of a table (lines or customers). -#}
{% macro affected_model(source_table) -%}
    {%- if landing_table(source_table)['partition'] == 'customer_id' -%}
        {{- return(ref('stg_landing__affected_customers')) -}}
    {%- endif -%}
    {{- return(ref('stg_landing__affected_lines')) -}}
{%- endmacro %}

{#- Every delivered version of a table's rows that a build has to judge, with each
    contract check it fails (SOURCE_CONTRACT.md), in precedence order.

    First build / --full-refresh: every delivered row that cannot stream straight into
    the accepted store (a key delivered more than once, a failed check, or
    `always_judge`); the store takes every other row as it is.
    Incremental build: every version, stored or new, of the partitions the delivery
    touches (stg_landing__affected_lines / _customers), re-judged from scratch, so the
    result equals a full rebuild.

    `checks`: [(reason, condition)] evaluated per version (key conflicts and null keys
    are added here); `context`: extra CTEs they read (ending with a comma); `parent`:
    (CTE, [(row column, parent column)]) joined to every row as `parent_found` (parent
    checks are joins, never per-row subqueries: at 135 M rows that is the difference
    between seconds and minutes); `stores`: [(model, partition column[, overrides])]
    the prior versions are read from. -#}
{% macro landing_versions(source_table, checks, context='', stores=none,
        always_judge='false', parent=none) -%}
    {%- set key = landing_table(source_table)['key'] -%}
    {%- set incremental = incremental_build() -%}
    {%- set mistyped = [] -%}
    {%- for column in delivered_text_columns(source_table) -%}
        {%- do mistyped.append(column ~ ' is not null') -%}
    {%- endfor -%}
    {%- set all_checks = [
        ('null_key', key ~ ' is null'),
        ('invalid_type', mistyped | join(' or ') if mistyped else 'false'),
        ('conflicting_duplicate_key', key ~ ' is not null and key_versions > 1'),
    ] + checks -%}
    {%- set row_conditions = [] -%}
    {%- for reason, condition in all_checks if reason != 'conflicting_duplicate_key' -%}
        {%- do row_conditions.append('coalesce(' ~ condition ~ ', false)') -%}
    {%- endfor %}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
-- depends_on: {{ ref('stg_landing__affected_customers') }}
with

delivered as not materialized (
    {{ delivered_rows(source_table, new_only=incremental) }}
),

{{ context }}

{% if incremental %}
affected as (
    select partition_key from {{ affected_model(source_table) }}
),

stored as (
    {%- for store in (stores or []) %}
    {%- set relation = prior_relation(store[0]) %}
    {%- if relation is not none %}
    {%- set overrides = store[2] if store | length > 2 else {} %}
    {%- set present = [] %}
    {%- for column in adapter.get_columns_in_relation(relation) %}
        {%- do present.append(column.name) %}
    {%- endfor %}
    select
        {%- for column in version_columns(source_table) %}
        {%- if column in overrides %}
        {{ overrides[column] }} as {{ column }},
        {%- elif column in present %}
        {{ column }},
        {%- else %}
        cast(null as varchar) as {{ column }},
        {%- endif %}
        {%- endfor %}
        source_file,
        source_row_number,
        delivered_rows
    from {{ relation }}
    where coalesce({{ store[1] }}, chr(0)) in (select partition_key from affected)
    union all by name
    {%- endif %}
    {%- endfor %}
    select
        {%- for column in version_columns(source_table) %}
        {{ column }},
        {%- endfor %}
        source_file,
        source_row_number,
        cast(null as bigint) as delivered_rows
    from delivered
    where false
),

candidates as (
    select
        *,
        cast(1 as bigint) as delivered_rows
    from delivered
    union all by name
    select * from stored
),
{% else %}
repeated_keys as (
    {{ repeated_key_hashes('delivered', key) }}
),

flagged as (
    {{ with_parent_found('delivered', parent) }}
),

candidates as (
    select
        * exclude (parent_found),
        cast(1 as bigint) as delivered_rows
    from flagged
    where
        hash({{ key }}) in (select key_hash from repeated_keys)
        or {{ row_conditions | join('\n        or ') }}
        or ({{ always_judge }})
),
{% endif %}

versions as (
    {{ collapse_versions(source_table, 'candidates') }}
),

versions_with_parent as (
    {{ with_parent_found('versions', parent) }}
),

checked as (
    select
        * exclude (first_copy, key_versions, parent_found),
        first_copy.source_file as source_file,
        first_copy.source_row_number as source_row_number,
        {{ quarantine_reasons(all_checks) }} as quarantine_reasons
    from versions_with_parent
)

select
    *,
    quarantine_reasons[1] as quarantine_reason
from checked
{%- endmacro %}

{#- The rows of `relation` with `parent_found`: whether a row of the parent CTE matches.
    The parent CTE must be unique on the join columns (an accepted store's key), so the
    left join never multiplies rows. -#}
{% macro with_parent_found(relation, parent) -%}
    {%- if parent is none %}
    select
        *,
        true as parent_found
    from {{ relation }}
    {%- else %}
    {%- set columns = parent[1] %}
    select
        rows.*,
        parents.{{ columns[0][1] }} is not null as parent_found
    from {{ relation }} as rows
    left join {{ parent[0] }} as parents
        on {% for row_column, parent_column in columns -%}
            rows.{{ row_column }} = parents.{{ parent_column }}
            {{- " and " if not loop.last }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
