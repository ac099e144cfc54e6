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
    -- kept (the event wins) and counted here, from the flag dim_lines publishes.
    select
        cast(count(*) filter (where has_activation_mismatch) as bigint)
            as disagreeing_rows
    from {{ ref('dim_lines') }}
),

file_counts as (
    select
        source_table,
        coalesce(sum(file_rows) filter (where file_status = 'loaded'), 0) as raw_rows,
        count(*) filter (where file_status = 'set_aside') as files_set_aside
    from files
    group by 1
),

{% for source_table in var('landing_tables') %}
{%- set accepted_store = 'fct_contract_events' if source_table == 'contract_events'
    else 'stg_landing__' ~ source_table %}
accepted_{{ source_table }} as (
    select
        count(*) as accepted_rows,
        coalesce(sum(delivered_rows - 1), 0) as collapsed_rows
    from {{ ref(accepted_store) }}
),

quarantined_{{ source_table }} as (
    select
        count(*) as quarantined_rows,
        coalesce(sum(delivered_rows - 1), 0) as collapsed_rows
    from {{ ref('stg_landing__' ~ source_table ~ '_quarantined') }}
),

{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        accepted_{{ source_table }}.accepted_rows,
        quarantined_{{ source_table }}.quarantined_rows,
        accepted_{{ source_table }}.collapsed_rows
        + quarantined_{{ source_table }}.collapsed_rows as collapsed_duplicate_rows
    from accepted_{{ source_table }}
    cross join quarantined_{{ source_table }}
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
        unioned.source_table,
        cast(coalesce(file_counts.raw_rows, 0) as bigint) as raw_rows,
        cast(unioned.accepted_rows as bigint) as accepted_rows,
        cast(unioned.collapsed_duplicate_rows as bigint) as collapsed_duplicate_rows,
        cast(unioned.quarantined_rows as bigint) as quarantined_rows,
        case
            when unioned.source_table = 'lines'
                then activation_disagreements.disagreeing_rows
            else 0
        end as accepted_with_disagreement_rows,
        cast(coalesce(file_counts.files_set_aside, 0) as bigint) as files_set_aside
    from unioned
    cross join activation_disagreements
    left join file_counts
        on unioned.source_table = file_counts.source_table
)

select * from final
