{#- The incremental state of a warehouse: one row per `dbt build`/`dbt run`, kept in the
    restricted database (`state.builds`) and mirrored to the published one
    (`main.rpt_builds`, which dashboards and extracts read to say which build they show).

    begin_build (on-run-start) refuses, before anything is written, an incremental build
    that would silently mix two states: program parameters or code that changed since the
    last build, a previous build that registered new landing files but did not finish
    every incremental model, or a published and a restricted database that do not belong
    together. `--full-refresh` always starts over. -#}

{% macro build_fingerprint() -%}
    {%- set parts = [
        'program_id=' ~ var('program_id'),
        'lookup_as_of_date=' ~ var('lookup_as_of_date'),
        'local_timezone=' ~ var('local_timezone'),
        'landing_tables=' ~ tojson(var('landing_tables')),
    ] -%}
    {%- for unique_id in graph.nodes | sort -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- if node.resource_type in ('model', 'seed', 'snapshot') -%}
            {%- do parts.append(unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set project_macros = context.get(project_name) -%}
    {%- for name in project_macros | sort -%}
        {%- do parts.append(name ~ '=' ~ local_md5(project_macros[name].macro.macro_sql)) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{%- endmacro %}

{% macro is_build_command() -%}
    {{- return(flags.WHICH in ('build', 'run')) -}}
{%- endmacro %}

{#- Run one statement in its own transaction: DuckDB lets a transaction write to one
    attached database only, and the build state is written to both. -#}
{% macro run_and_commit(sql) %}
    {% do run_query(sql) %}
    {% do adapter.commit() %}
{% endmacro %}

{% macro create_build_state_tables() %}
    {% do run_and_commit('create schema if not exists restricted.state') %}
    {#- where partition-replacing models keep the rows a daily build wrote
        (partition_slice); created here, once, since concurrent models would conflict.
        A build from scratch writes none and drops the last daily build's. -#}
    {% for database in ['restricted', adapter.quote(target.database)] %}
        {% if flags.FULL_REFRESH %}
            {% do run_and_commit('drop schema if exists ' ~ database ~ '.slices cascade') %}
        {% endif %}
        {% do run_and_commit('create schema if not exists ' ~ database ~ '.slices') %}
    {% endfor %}
    {% do run_and_commit("""
        create table if not exists restricted.state.builds (
            build_seq integer,
            invocation_id varchar,
            status varchar,
            full_refresh boolean,  -- built from scratch (first build or --full-refresh)
            program_id varchar,
            lookup_as_of_date varchar,
            fingerprint varchar,
            dbt_version varchar,
            started_at timestamp,
            finished_at timestamp,
            new_files integer,
            files_set_aside integer,
            incremental_models_complete boolean,
            failed_nodes varchar
        )""") %}
    {% do run_and_commit(
        'create table if not exists ' ~ adapter.quote(target.database) ~ '.main.rpt_builds as'
        ~ ' select * exclude (fingerprint) from restricted.state.builds limit 0'
    ) %}
{% endmacro %}

{#- Mirror one build's row to the published database. -#}
{% macro publish_build_row(build_seq) %}
    {% do run_and_commit(
        'delete from ' ~ adapter.quote(target.database) ~ '.main.rpt_builds where build_seq = ' ~ build_seq
    ) %}
    {% do run_and_commit(
        'insert into ' ~ adapter.quote(target.database) ~ '.main.rpt_builds'
        ~ ' select * exclude (fingerprint) from restricted.state.builds'
        ~ ' where build_seq = ' ~ build_seq
    ) %}
{% endmacro %}

{% macro begin_build() %}
    {% if execute and is_build_command() %}
        {% do create_build_state_tables() %}
        {% set fingerprint = build_fingerprint() %}
        {% set previous = run_query(
            'select build_seq, fingerprint, status, incremental_models_complete,'
            ~ ' failed_nodes, program_id'
            ~ ' from restricted.state.builds order by build_seq desc limit 1'
        ) %}
        {% set published_last = run_query(
            'select max(build_seq) from ' ~ adapter.quote(target.database) ~ '.main.rpt_builds'
        ).columns[0].values()[0] %}
        {% set has_previous = previous.rows | length > 0 %}
        {% set restricted_last = previous.rows[0][0] if has_previous else none %}
        {% if not flags.FULL_REFRESH %}
            {% if restricted_last != published_last %}
                {% do exceptions.raise_compiler_error(
                    "The published database (" ~ target.path ~ ", last build "
                    ~ published_last ~ ") and the restricted database (last build "
                    ~ restricted_last ~ ") do not belong together: one was replaced or "
                    ~ "deleted. Rebuild both with `dbt build --full-refresh`."
                ) %}
            {% endif %}
            {% if has_previous and previous.rows[0][1] != fingerprint %}
                {% do exceptions.raise_compiler_error(
                    "Program parameters or code changed since build " ~ restricted_last
                    ~ " (program " ~ previous.rows[0][5] ~ " -> " ~ var('program_id')
                    ~ "; lookup_as_of_date, seeds, models and macros are compared too). "
                    ~ "An incremental build would mix the two: rebuild with "
                    ~ "`dbt build --full-refresh`."
                ) %}
            {% endif %}
            {% if has_previous and not previous.rows[0][3] %}
                {% do exceptions.raise_compiler_error(
                    "Build " ~ restricted_last ~ " registered new landing files but did "
                    ~ "not finish every incremental model (" ~ previous.rows[0][2] ~ ": "
                    ~ (previous.rows[0][4] or 'interrupted') ~ "), so the warehouse mixes "
                    ~ "two deliveries. Rebuild with `dbt build --full-refresh` (remedy "
                    ~ "build does this for you)."
                ) %}
            {% endif %}
        {% endif %}
        {% do run_and_commit("""
            insert into restricted.state.builds
            select
                coalesce(max(build_seq), 0) + 1,
                '""" ~ invocation_id ~ """',
                'running',
                """ ~ ('true' if flags.FULL_REFRESH or not has_previous else 'false')
                ~ """,
                '""" ~ var('program_id') ~ """',
                '""" ~ var('lookup_as_of_date') ~ """',
                '""" ~ fingerprint ~ """',
                '""" ~ dbt_version ~ """',
                cast(now() as timestamp),
                null,
                null,
                null,
                false,
                null
            from restricted.state.builds""") %}
        {% do publish_build_row(current_build_seq()) %}
    {% endif %}
{% endmacro %}

{#- The build number of the running build (0 outside a build). -#}
{% macro current_build_seq() -%}
    {%- if execute and build_state_exists() -%}
        {%- set found = run_query(
            "select coalesce(max(build_seq), 0) from restricted.state.builds"
        ) -%}
        {{- return(found.columns[0].values()[0]) -}}
    {%- endif -%}
    {{- return(0) -}}
{%- endmacro %}

{% macro end_build(results) %}
    {% if execute and is_build_command() %}
        {% set failed = [] %}
        {% set done = [] %}
        {% for result in results %}
            {% if result.status in ('error', 'fail', 'runtime error') %}
                {% do failed.append(result.node.name) %}
            {% elif result.node.resource_type == 'model' and result.status == 'success' %}
                {% do done.append(result.node.unique_id) %}
            {% endif %}
        {% endfor %}
        {% set missing = [] %}
        {% for unique_id, node in graph.nodes.items() %}
            {% if node.resource_type == 'model'
                and node.config.materialized == 'incremental'
                and unique_id not in done %}
                {% do missing.append(node.name) %}
            {% endif %}
        {% endfor %}
        {% set build_seq = current_build_seq() %}
        {% set files_relation = adapter.get_relation(
            'restricted', 'staging', 'stg_landing__files') %}
        {% set counts = [0, 0] %}
        {% if files_relation is not none %}
            {% set counts = run_query(
                "select count_if(file_status = 'loaded'),"
                ~ " count_if(file_status = 'set_aside') from " ~ files_relation
                ~ " where first_seen_build_seq = " ~ build_seq
            ).rows[0] %}
        {% endif %}
        {% set complete = not missing or not (counts[0] or 0) %}
        {% set problems = failed + missing %}
        {% do run_and_commit(
            "update restricted.state.builds set"
            ~ " status = '" ~ ("failed" if failed else "success") ~ "',"
            ~ " finished_at = cast(now() as timestamp),"
            ~ " new_files = " ~ (counts[0] or 0) ~ ","
            ~ " files_set_aside = " ~ (counts[1] or 0) ~ ","
            ~ " incremental_models_complete = " ~ ('true' if complete else 'false') ~ ","
            ~ " failed_nodes = " ~ ("'" ~ problems | join(', ') ~ "'" if problems else "null")
            ~ " where build_seq = " ~ build_seq
        ) %}
        {% do publish_build_row(build_seq) %}
    {% endif %}
{% endmacro %}
