{#- Source controls (SOURCE_CONTRACT.md): per landing table, every row read from its
    loaded files is accepted, collapsed as an identical copy or quarantined
    (`source_rows__<table>`, integrity). -#}
with

source_row_counts as (
    select * from {{ ref('rpt_source_row_counts') }}
),

controls as (
    select
        'source_rows__' || source_table as check_name,
        raw_rows as expected,
        accepted_rows + collapsed_duplicate_rows + quarantined_rows as actual
    from source_row_counts
),

final as (
    {{ control_figures('controls', severity='integrity') }}
)

select * from final
