{#- One row per landing table: every delivered row is accepted, collapsed as an exact
    duplicate of another, or quarantined (SOURCE_CONTRACT.md). The pytest suite re-counts
    the raw rows straight from the Parquet files. -#}
{%- set source_tables = ['customers', 'lines', 'contract_events', 'agreements',
    'penalty_charges', 'refund_applications', 'roaming_passes', 'ott_choices',
    'insurance_applications'] -%}

with

activation_disagreements as (
    -- SOURCE_CONTRACT: lines.activated_at that disagrees with the activation event is
    -- kept (the event wins) and counted here.
    select cast(count_if(has_activation_mismatch) as bigint) as disagreeing_rows
    from {{ ref('int_lines_joined_to_customers') }}
),

quarantined as (
    select
        source_table,
        cast(count(*) as bigint) as quarantined_rows
    from {{ ref('quarantined_rows') }}
    group by 1
),

{% for source_table in source_tables %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        cast(sum(delivered_rows) as bigint) as raw_rows,
        (select count(*) from {{ ref('int_' ~ source_table ~ '_accepted') }})
            as accepted_rows,
        cast(sum(delivered_rows - 1) as bigint) as collapsed_duplicate_rows,
        (
            select quarantined.quarantined_rows from quarantined
            where quarantined.source_table = '{{ source_table }}'
        ) as quarantined_rows
    from {{ ref('int_' ~ source_table ~ '_checked') }}
),
{% endfor %}

unioned as (
    {% for source_table in source_tables -%}
    select * from {{ source_table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_table,
        coalesce(raw_rows, 0) as raw_rows,
        coalesce(accepted_rows, 0) as accepted_rows,
        coalesce(collapsed_duplicate_rows, 0) as collapsed_duplicate_rows,
        coalesce(quarantined_rows, 0) as quarantined_rows,
        case
            when source_table = 'lines'
                then (
                    select activation_disagreements.disagreeing_rows
                    from activation_disagreements
                )
            else 0
        end as accepted_with_disagreement_rows
    from unioned
)

select * from final
