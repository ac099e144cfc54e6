{#- Quarantined rows counted per landing table and reason: the PII-free view of the
    quarantine for dashboards and the regulator package. -#}
with

quarantined as (
    select * from {{ ref('quarantined_rows') }}
),

summarised as (
    select
        source_table,
        quarantine_reason,
        cast(count(*) as bigint) as quarantined_rows,
        cast(sum(delivered_rows) as bigint) as delivered_rows
    from quarantined
    group by 1, 2
)

select * from summarised
