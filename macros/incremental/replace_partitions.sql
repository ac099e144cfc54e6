{#- Incremental strategy `replace_partitions`: the model selects the new rows of every
    partition (line or customer) this build touched; the strategy deletes whatever the
    table held for those partitions and inserts the new rows, in one transaction. Unlike
    delete+insert it also empties a partition whose new selection is empty (a line
    quarantined by a later delivery keeps no rows). Config: `affected_partitions`
    ('lines', 'customers' or 'lines_and_customers') and `partition_column`, the model's
    key of each kind (line_id, customer_id, or the list of both: a row belongs to its
    line, or to its customer when it has no line). One delete per kind: each a plain
    column against its affected set, which DuckDB joins far faster than one expression
    over both. -#}
{% macro get_incremental_replace_partitions_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- for filter in replaced_partition_filters(
        config.require('partition_column'), config.require('affected_partitions')) %}
    delete from {{ target }}
    where {{ filter }};
    {%- endfor %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }};
    create or replace table {{ partition_slice(target) }} as
    select {{ columns }} from {{ source }}
{% endmacro %}

{#- Where a partition-replacing model keeps the rows its last incremental build wrote
    (every row of the partitions it replaced, and only those): schema `slices` of its
    own database (a DuckDB transaction writes to one database). A daily build's
    dependants read their slice of a model kept by one kind of partition there
    (affected_rows) instead of scanning the whole table for the affected keys, and the
    model's data tests read it (get_where_subquery). A model kept by line and customer
    has one too, for its tests only: a reader by customer needs the rows of the
    customer's other lines, which such a model does not replace. -#}
{% macro partition_slice(relation) -%}
    {{- return(relation.incorporate(path={'schema': 'slices'})) -}}
{%- endmacro %}

{#- The rows of `relation` whose `column` is in the partitions (`partitions`: 'lines' or
    'customers') this build re-derives, as a subquery; every row on a full build. On an
    incremental build of a partition-replacing model, when `relation` has a slice of this
    build on exactly those partitions (reads_slice), the rows are read from the slice, a
    day's rows, instead of scanning the whole relation for the affected keys. In every
    other case (another partitioning, a model outside the selection) the relation itself
    is filtered, as in_affected_partitions does. -#}
{% macro affected_rows(relation, column, partitions='lines') -%}
    {%- set filter = in_affected_partitions(column, partitions) -%}
    {%- set source = relation -%}
    {%- if execute and this is not none and is_incremental()
        and reads_slice(project_model(relation), column, partitions) -%}
        {%- set source = partition_slice(relation) -%}
    {%- endif -%}
    {{- '(\n        select * from ' ~ source ~ '\n        where ' ~ filter ~ '\n    )' -}}
{%- endmacro %}

{#- Whether a model has, in this invocation, a slice on `column` of the `partitions`
    this build replaces. It must have run in this invocation (dbt runs a model after
    what it refs and skips it when one failed; a model outside the selection may have a
    slice of an older build) and be kept by exactly those partitions (a reader asks for
    one kind and one column, so it never reads the slice of a model kept by line and
    customer; that model's tests ask for both), and either

    - replace them itself (its strategy writes the slice, a table), or
    - be a view kept by them (partition_view) with at least one input that has such a
      slice: its slice is the same view over those inputs' slices (write_view_slice). -#}
{% macro reads_slice(node, column, partitions) -%}
    {%- if not (node and node.unique_id in selected_resources
        and node.config.affected_partitions == partitions
        and node.config.partition_column == column) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if is_partition_replacing(node) -%}
        {{- return(true) -}}
    {%- endif -%}
    {{- return(node.config.materialized == 'view' and sliced_inputs(node) | length > 0) -}}
{%- endmacro %}

{#- The inputs of a view kept by partition (partition_view) that have a slice of this
    invocation on the view's own partitions; its other inputs (lookups such as a
    customer's record, or models kept otherwise) are read whole. -#}
{% macro sliced_inputs(node) -%}
    {%- set inputs = [] -%}
    {%- for unique_id in node.depends_on.nodes -%}
        {%- set input = graph.nodes.get(unique_id) -%}
        {%- if input and reads_slice(input, node.config.partition_column,
            node.config.affected_partitions) -%}
            {%- do inputs.append(input) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(inputs) -}}
{%- endmacro %}

{#- The header of a view kept by one kind of partition (`partitions`: 'lines' or
    'customers'): each of its rows derives from one partition's rows (a line's row from
    that line's rows) of its inputs kept the same way, plus lookups read whole (a
    customer's record, the program's parameters). Its data tests read the partitions a
    build replaced (get_where_subquery), and a daily build writes its slice
    (write_view_slice), which dependants read through affected_rows. -#}
{% macro partition_view(partitions='lines') -%}
    {%- do config(
        materialized='view',
        partition_column=partition_key_column(partitions),
        affected_partitions=partitions,
        post_hook="{{ write_view_slice() }}",
    ) -%}
{%- endmacro %}

{#- The post-hook of partition_view: on an incremental build in which the view has a
    slice (reads_slice), `slices.<view>` is the view's own compiled query with every
    input that has a slice read from that slice. By the view's premise (a partition's
    rows derive from that partition's rows), it holds exactly the view's rows of the
    replaced partitions. -#}
{% macro write_view_slice() -%}
    {%- if execute and is_build_command() -%}
        {%- set node = graph.nodes.get(model.unique_id) -%}
        {%- if reads_slice(node, node.config.partition_column, node.config.affected_partitions)
            and incremental_build() -%}
            {%- set query = {'sql': model.compiled_code} -%}
            {%- for input in sliced_inputs(node) -%}
                {%- set relation = ref(input.name) -%}
                {%- if (relation | string) not in query.sql -%}
                    {%- do exceptions.raise_compiler_error(
                        model.name ~ ' does not read ' ~ relation ~ ' as compiled') -%}
                {%- endif -%}
                {%- do query.update({'sql': query.sql.replace(relation | string,
                    partition_slice(relation) | string)}) -%}
            {%- endfor %}
create or replace view {{ partition_slice(this) }} as
{{ query.sql }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The model of this project that `relation` is, or none. Looked up by name (no model
    sets an alias: tests/test_interfaces.py keeps it so), not by scanning the graph: data
    tests and model reads ask once each, on every build. -#}
{% macro project_model(relation) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ relation.identifier) -%}
    {{- return(node if node and node.schema == relation.schema else none) -}}
{%- endmacro %}

{#- Whether a model is kept by the `replace_partitions` strategy (replaces_partitions()
    or its folder's config). -#}
{% macro is_partition_replacing(node) -%}
    {{- return(node.config.materialized == 'incremental'
        and node.config.incremental_strategy == 'replace_partitions') -}}
{%- endmacro %}

{#- Stops a partition-replacing model whose table and the build disagree on being
    incremental (a stored table was dropped or is new): re-deriving partitions onto a
    missing table, or a full table onto an incremental build, would mix two states.
    Only `dbt build`/`dbt run` write: compiling (`dbt compile`, `dbt docs generate`)
    registers no build, so the last build looks like the current one and the two
    would disagree on every warehouse built once. -#}
{% macro assert_incremental_mode() %}
    {%- if execute and is_build_command() and this is not none
        and is_incremental() != incremental_build() -%}
        {%- do exceptions.raise_compiler_error(
            this ~ " is " ~ ("" if is_incremental() else "not ") ~ "stored while this "
            ~ "build is " ~ ("" if incremental_build() else "not ") ~ "incremental: "
            ~ "rebuild with `dbt build --full-refresh`."
        ) -%}
    {%- endif -%}
{% endmacro %}

{#- A filter to the partitions this build re-derives: `column in (affected partitions)`
    on an incremental build of a partition-replacing model, `true` otherwise. Models
    apply it to their largest inputs, so a daily build reads a day's worth of lines. -#}
{% macro in_affected_partitions(column, partitions='lines') -%}
    {%- set affected = ref('stg_landing__affected_' ~ partitions) -%}
    {%- if this is not none and is_incremental() -%}
        {{ column }} in (select partition_key from {{ affected }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The rows of `relation` in the partitions this build replaces: those a
    partition-replacing table deletes and re-derives, and that its data tests read on an
    incremental build (get_where_subquery). `affected_partitions` is 'lines', 'customers'
    or 'lines_and_customers'; `partition_column` one column, or one per kind (the first
    that is not null is the row's partition); rows without a partition value form the
    partition chr(0). A subquery without its alias, `where` (optional) applied too. One
    branch per disjoint filter, joined with `union all`: DuckDB runs each `in` as a semi
    join, where the `or` of the filters made it probe every row for every set (the unique
    test of fct_reward_entitlements on a scale-1.0 daily slice: 3.2 s with `or`, 1 s
    so). -#}
{% macro replaced_rows(relation, partition_column, affected_partitions, where=none) -%}
    {%- set branches = [] -%}
    {%- for filter in replaced_partition_filters(partition_column, affected_partitions) -%}
        {%- do branches.append('select * from ' ~ relation ~ ' where '
            ~ ((['(' ~ where ~ ')'] if where else []) + ['(' ~ filter ~ ')'])
            | join(' and ')) -%}
    {%- endfor -%}
    {{- return('(' ~ branches | join(' union all ') ~ ')') -}}
{%- endmacro %}

{#- The filters of replaced_rows, disjoint, one per partition column (plus the
    rows with none): the strategy deletes with each in turn. -#}
{% macro replaced_partition_filters(partition_column, affected_partitions) -%}
    {%- set kinds = affected_partitions.split('_and_') -%}
    {%- set sets = {} -%}
    {%- for kind in kinds -%}
        {%- do sets.update({kind: 'select partition_key from '
            ~ prior_relation('stg_landing__affected_' ~ kind)}) -%}
    {%- endfor -%}
    {%- set every_set = sets.values() | join(' union all ') -%}
    {%- if partition_column is string -%}
        {{- return(['coalesce(' ~ partition_column ~ ', chr(0)) in (' ~ every_set ~ ')']) -}}
    {%- endif -%}
    {%- set filters = [] -%}
    {%- set earlier_null = [] -%}
    {%- for column in partition_column -%}
        {%- do filters.append((earlier_null + [column ~ ' in (' ~ sets[kinds[loop.index0]]
            ~ ')']) | join(' and ')) -%}
        {%- do earlier_null.append(column ~ ' is null') -%}
    {%- endfor -%}
    {%- do filters.append((earlier_null + ["chr(0) in (" ~ every_set ~ ")"])
        | join(' and ')) -%}
    {{- return(filters) -}}
{%- endmacro %}

{#- The key column of one kind of partition: line_id for 'lines', customer_id for
    'customers'. -#}
{% macro partition_key_column(kind) -%}
    {{- return(kind[:-1] ~ '_id') -}}
{%- endmacro %}

{#- The header of a model kept by partition: incremental with the `replace_partitions`
    strategy, built after the affected-partitions models it reads (`partitions`:
    'lines', 'customers' or 'lines_and_customers'), and stopped when its table and the
    build disagree on being incremental. `partition_column` defaults to each kind's own
    key: line_id, customer_id, or both (a row without a line belongs to its customer). -#}
{% macro replaces_partitions(partitions='lines', partition_column=none) -%}
    {%- set keys = [] -%}
    {%- for kind in partitions.split('_and_') -%}
        {%- do keys.append(partition_key_column(kind)) -%}
        {%- do ref('stg_landing__affected_' ~ kind) -%}
    {%- endfor -%}
    {%- do config(
        materialized='incremental',
        incremental_strategy='replace_partitions',
        partition_column=partition_column or (keys[0] if keys | length == 1 else keys),
        affected_partitions=partitions,
        on_schema_change='fail',
    ) -%}
    {{ assert_incremental_mode() }}
{%- endmacro %}
