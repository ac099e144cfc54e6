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
    key's hash (key_hash) finds them at scale; every other row streams through. -#}
{% macro repeated_key_hashes(delivered, key) -%}
    select {{ key_hash(key) }} as key_hash
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

{#- A table's contract checks (macros/landing/rules/<table>.sql), with the checks every
    table shares (null key, mistyped value, conflicting versions of a key) in front:
    a dict of `checks` [(reason, condition)], `context` (CTEs the conditions read,
    ending with a comma), `parent` ((CTE, [(row column, parent column)]) joined as
    `parent_found`), `always_judge` (a condition for rows judged even when they pass)
    and `store_overrides` (how the accepted store gives back a version column). -#}
{% macro landing_rules(source_table) -%}
    {%- set rules = context['landing_rules__' ~ source_table]() -%}
    {%- set key = landing_table(source_table)['key'] -%}
    {%- set mistyped = [] -%}
    {%- for column in delivered_text_columns(source_table) -%}
        {%- do mistyped.append(column ~ ' is not null') -%}
    {%- endfor -%}
    {%- set checks = [
        ('null_key', key ~ ' is null'),
        ('invalid_type', mistyped | join(' or ') if mistyped else 'false'),
        ('conflicting_duplicate_key', key ~ ' is not null and key_versions > 1'),
    ] + rules.get('checks', []) -%}
    {%- set row_conditions = [] -%}
    {%- for reason, condition in checks if reason != 'conflicting_duplicate_key' -%}
        {%- do row_conditions.append('coalesce(' ~ condition ~ ', false)') -%}
    {%- endfor -%}
    {%- do row_conditions.append('coalesce(' ~ rules.get('always_judge', 'false')
        ~ ', false)') -%}
    {{- return({
        'key': key,
        'checks': checks,
        'context': rules.get('context', ''),
        'parent': rules.get('parent'),
        'judged_condition': row_conditions | join('\n        or '),
        'store_overrides': rules.get('store_overrides', {}),
    }) -}}
{%- endmacro %}

{#- The accepted store of a landing table (events: the published fct_contract_events). -#}
{% macro accepted_store(source_table) -%}
    {{- return('fct_contract_events' if source_table == 'contract_events'
        else 'stg_landing__' ~ source_table) -}}
{%- endmacro %}

{#- A filter to the partitions this build re-derives, for models rebuilt every build:
    `column in (affected partitions)` on an incremental build, `true` on a full one. -#}
{% macro affected_only(column, partitions='lines') -%}
    {%- set affected = ref('stg_landing__affected_' ~ partitions) -%}
    {%- if incremental_build() -%}
        {{ column }} in (select partition_key from {{ affected }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Every delivered version of a table's rows that a build has to judge, with each
    contract check it fails (SOURCE_CONTRACT.md), in precedence order.

    First build / --full-refresh: every delivered row that cannot stream straight into
    the accepted store: its key was delivered more than once (a copy or a conflict: the
    key hashes of stg_landing__<table>_repeated_keys), it fails a check, or the table's
    rules always judge it. Only repeated keys are collapsed; the accepted store streams
    every other row as it is, by the same conditions (landing_accepted_rows).
    Incremental build: every version, stored or new, of the partitions the delivery
    touches (stg_landing__affected_lines / _customers), re-judged from scratch, so the
    result equals a full rebuild. -#}
{% macro landing_versions(source_table) -%}
    {%- set rules = landing_rules(source_table) -%}
    {%- set key = rules['key'] -%}
    {%- set incremental = incremental_build() -%}
    {%- set stores = [
        (accepted_store(source_table), landing_table(source_table)['partition'],
            rules['store_overrides']),
        ('stg_landing__' ~ source_table ~ '_quarantined',
            landing_table(source_table)['partition'], {}),
    ] %}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
-- depends_on: {{ ref('stg_landing__affected_customers') }}
-- depends_on: {{ ref('stg_landing__' ~ source_table ~ '_repeated_keys') }}
with

delivered as not materialized (
    {{ delivered_rows(source_table, new_only=incremental) }}
),

{{ rules['context'] }}

{% if incremental %}
affected as (
    select partition_key from {{ affected_model(source_table) }}
),

stored as (
    {%- for store in stores %}
    {%- set relation = prior_relation(store[0]) %}
    {%- if relation is not none %}
    {%- set overrides = store[2] %}
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

versions as (
    {{ collapse_versions(source_table, 'candidates') }}
),
{% else %}
repeated_keys as (
    select key_hash from {{ ref('stg_landing__' ~ source_table ~ '_repeated_keys') }}
),

flagged as (
    {{ with_parent_found('delivered', rules['parent']) }}
),

candidates as (
    select
        * exclude (parent_found{{ carried_exclusions(rules['parent']) }}),
        {{ key }} is null
        or {{ key_hash(key) }} in (select key_hash from repeated_keys) as is_repeated,
        cast(1 as bigint) as delivered_rows
    from flagged
    where
        {{ key_hash(key) }} in (select key_hash from repeated_keys)
        or {{ rules['judged_condition'] }}
),

repeated_versions as (
    {{ collapse_versions(source_table, '(select * exclude (is_repeated) from candidates'
        ~ ' where is_repeated)') }}
),

versions as (
    select * from repeated_versions
    union all by name
    select
        * exclude (is_repeated, source_file, source_row_number),
        struct_pack(
            source_file := source_file, source_row_number := source_row_number
        ) as first_copy,
        cast(1 as bigint) as key_versions
    from candidates
    where not is_repeated
),
{% endif %}

versions_with_parent as (
    {{ with_parent_found('versions', rules['parent']) }}
),

checked as (
    select
        * exclude (first_copy, key_versions, parent_found{{
            carried_exclusions(rules['parent']) }}),
        first_copy.source_file as source_file,
        first_copy.source_row_number as source_row_number,
        {{ quarantine_reasons(rules['checks']) }} as quarantine_reasons
    from versions_with_parent
)

select
    *,
    quarantine_reasons[1] as quarantine_reason
from checked
{%- endmacro %}

{#- Key hashes delivered more than once, for a full build (empty on an incremental one,
    which judges whole partitions). -#}
{% macro landing_repeated_keys(source_table) -%}
    {%- set key = landing_table(source_table)['key'] -%}
    {%- if incremental_build() %}
select {{ key_hash('cast(null as varchar)') }} as key_hash
where false
    {%- else %}
with

delivered as (
    {{ delivered_rows(source_table) }}
)

{{ repeated_key_hashes('delivered', key) }}
    {%- endif %}
{%- endmacro %}

{#- The rows of `relation` with `parent_found`: whether a row of the parent CTE matches,
    and the parent's columns listed third in `parent` (carried along, e.g. the customer of
    an event's line). The parent CTE must be unique on the join columns (an accepted
    store's key), so the left join never multiplies rows.

    A parent joined on one column with nothing carried is a membership test (`in`): its
    hash table then holds the parent's keys, never the delivered rows. A left join lets
    DuckDB build on whichever side it estimates smaller, and on a full build it built on
    the 31 M delivered agreements with every column (6.9 GB of hash table, beside the
    event versions: the out-of-memory failure of a scale-1.0 build) where the 29 M line
    keys take 1.0 GB (docs/benchmarks.md). -#}
{% macro with_parent_found(relation, parent) -%}
    {%- if parent is none %}
    select
        *,
        true as parent_found
    from {{ relation }}
    {%- elif parent[1] | length == 1 and not (parent[2] if parent | length > 2 else []) %}
    {%- set row_column, parent_column = parent[1][0] %}
    select
        *,
        coalesce({{ row_column }} in (
            select parents.{{ parent_column }} from {{ parent[0] }} as parents
        ), false) as parent_found
    from {{ relation }}
    {%- else %}
    {%- set columns = parent[1] %}
    select
        rows.*,
        {%- for carried in (parent[2] if parent | length > 2 else []) %}
        parents.{{ carried }} as parent_{{ carried }},
        {%- endfor %}
        parents.{{ columns[0][1] }} is not null as parent_found
    from {{ relation }} as rows
    left join {{ parent[0] }} as parents
        on {% for row_column, parent_column in columns -%}
            rows.{{ row_column }} = parents.{{ parent_column }}
            {{- " and " if not loop.last }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- `, parent_<column>` for every column a parent join carries (to exclude them). -#}
{% macro carried_exclusions(parent) -%}
    {%- if parent is not none and parent | length > 2 -%}
        {%- for carried in parent[2] %}, parent_{{ carried }}{% endfor -%}
    {%- endif -%}
{%- endmacro %}
