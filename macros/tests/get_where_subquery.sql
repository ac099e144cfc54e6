{#- Data tests read the model through this macro (dbt's `where` config). On an
    incremental build a partition-replacing model is tested on the partitions the build
    replaced: every other row was tested by the build that wrote it and has not changed
    since, so a daily build tests a day's worth of rows instead of 135 M. A full build
    tests everything, and so does every build for a table rebuilt whole (a table model
    inheriting the strategy from its folder, like quarantine.quarantined_rows). A view
    whose rows each derive from one partition of partition-replacing models (a line's
    row from that line's rows) says so with the same two configs, `partition_column`
    and `affected_partitions` (partition_view), and is tested the same way.

    When the model has a slice of this build (reads_slice: it ran in this `dbt build`),
    the test reads the slice instead of scanning
    the table for the replaced partitions: the same rows. The strategy deletes every
    row of those partitions and inserts the slice's rows in one transaction, and the
    test keeps the delete's own filter (replaced_rows), so the table holds exactly the
    slice's rows there (tests/test_incremental_replay.py compares the two). -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if execute -%}
        {#- the tested model, if it replaces partitions (or is a view declaring them);
            only then is the build's mode asked for (a query), so the other tests compile
            without one -#}
        {%- set node = project_model(relation) -%}
        {%- if node and node.config.affected_partitions
            and (node.config.materialized == 'view' or is_partition_replacing(node))
            and incremental_build() -%}
            {%- set tested = partition_slice(relation) if is_build_command()
                and reads_slice(node, node.config.partition_column,
                    node.config.affected_partitions) else relation -%}
            {%- do return(replaced_rows(tested, node.config.partition_column,
                node.config.affected_partitions, where) ~ ' dbt_subquery') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
