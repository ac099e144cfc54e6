{#- Every row that broke the source contract, with where it came from and why: one row
    per quarantined version of a landing row. Holds the delivered row (personal data
    included) for the engineers who fix deliveries, so it lives in the restricted
    database and never in a published mart. -#}
{{ config(materialized='table') }}

with

{% for source_table, spec in var('landing_tables').items() %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        {{ spec['key'] }} as record_key,
        quarantine_reason,
        quarantine_reasons,
        source_file,
        source_row_number,
        delivered_rows,
        raw_row
    from {{ ref('stg_landing__' ~ source_table ~ '_quarantined') }}
),

{% endfor %}
unioned as (
    {% for source_table in var('landing_tables') -%}
    select * from {{ source_table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

reasons as (
    select * from {{ ref('ref_quarantine_reasons') }}
),

final as (
    select
        {{ surrogate_key(['unioned.source_table', 'unioned.source_file',
            'unioned.source_row_number']) }} as quarantined_row_id,
        unioned.*,
        reasons.fix
    from unioned
    left join reasons
        on unioned.quarantine_reason = reasons.quarantine_reason
)

select * from final
