{#- The delivery log: one row per entry of the landing directory's table folders (a file
    the contract names, or something it does not), with the build that first saw it and
    what became of it. For a loaded file: rows read, rows accepted and quarantined (their
    first copy is in this file) and rows collapsed into an identical copy; a file set
    aside whole, or ignored, is listed with its reason and fix and no row counts. -#}
with

files as (
    select * from {{ ref('stg_landing__files') }}
),

builds as (
    select * from {{ ref('stg_warehouse_state__builds') }}
),

{% for source_table in var('landing_tables') %}
{%- set accepted_store = 'fct_contract_events' if source_table == 'contract_events'
    else 'stg_landing__' ~ source_table %}
accepted_{{ source_table }} as (
    select
        source_file,
        count(*) as accepted_rows
    from {{ ref(accepted_store) }}
    group by 1
),

quarantined_{{ source_table }} as (
    select
        source_file,
        count(*) as quarantined_rows
    from {{ ref('stg_landing__' ~ source_table ~ '_quarantined') }}
    group by 1
),

{% endfor %}
accepted as (
    {% for source_table in var('landing_tables') -%}
    select * from accepted_{{ source_table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

quarantined as (
    {% for source_table in var('landing_tables') -%}
    select * from quarantined_{{ source_table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        files.source_table,
        files.file_path,
        files.file_status,
        files.reason,
        files.reason_detail,
        files.fix,
        files.first_seen_build_seq,
        builds.invocation_id as first_seen_invocation_id,
        builds.started_at as first_seen_at,
        files.file_size_bytes,
        files.file_rows as rows_read,
        case
            when files.file_status = 'loaded'
                then coalesce(accepted.accepted_rows, 0)
        end as accepted_rows,
        case
            when files.file_status = 'loaded'
                then
                    files.file_rows
                    - coalesce(accepted.accepted_rows, 0)
                    - coalesce(quarantined.quarantined_rows, 0)
        end as collapsed_rows,
        case
            when files.file_status = 'loaded'
                then coalesce(quarantined.quarantined_rows, 0)
        end as quarantined_rows
    from files
    left join builds
        on files.first_seen_build_seq = builds.build_seq
    left join accepted
        on files.file_path = accepted.source_file
    left join quarantined
        on files.file_path = quarantined.source_file
)

select * from final
