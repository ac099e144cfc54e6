{#- One row per landing table: every row read from its loaded files is accepted,
    collapsed as an identical copy of another, or quarantined (SOURCE_CONTRACT.md); files
    set aside whole are counted apart (their rows are never read). The pytest suite
    re-counts the raw rows straight from the Parquet files. -#}
with

files as (
    select * from {{ ref('stg_landing__files') }}
),

activation_disagreements as (
    -- SOURCE_CONTRACT: lines.activated_at that disagrees with the activation event is
    -- kept (the event wins) and counted here.
    select cast(count_if(has_activation_mismatch) as bigint) as disagreeing_rows
    from {{ ref('int_lines_joined_to_customers') }}
),

{% for source_table in var('landing_tables') %}
{%- set accepted_store = 'fct_contract_events' if source_table == 'contract_events'
    else 'stg_landing__' ~ source_table %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        (
            select coalesce(sum(file_rows), 0) from files
            where source_table = '{{ source_table }}' and file_status = 'loaded'
        ) as raw_rows,
        accepted.accepted_rows,
        accepted.collapsed_rows + quarantined.collapsed_rows as collapsed_duplicate_rows,
        quarantined.quarantined_rows,
        (
            select count(*) from files
            where source_table = '{{ source_table }}' and file_status = 'set_aside'
        ) as files_set_aside
    from (
        select
            count(*) as accepted_rows,
            coalesce(sum(delivered_rows - 1), 0) as collapsed_rows
        from {{ ref(accepted_store) }}
    ) as accepted
    cross join (
        select
            count(*) as quarantined_rows,
            coalesce(sum(delivered_rows - 1), 0) as collapsed_rows
        from {{ ref('stg_landing__' ~ source_table ~ '_quarantined') }}
    ) as quarantined
),

{% endfor %}
unioned as (
    {% for source_table in var('landing_tables') -%}
    select * from {{ source_table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_table,
        cast(raw_rows as bigint) as raw_rows,
        cast(accepted_rows as bigint) as accepted_rows,
        cast(collapsed_duplicate_rows as bigint) as collapsed_duplicate_rows,
        cast(quarantined_rows as bigint) as quarantined_rows,
        case
            when source_table = 'lines'
                then (
                    select activation_disagreements.disagreeing_rows
                    from activation_disagreements
                )
            else 0
        end as accepted_with_disagreement_rows,
        cast(files_set_aside as bigint) as files_set_aside
    from unioned
)

select * from final
