{#- The active program's rows of seed program_refund_waves (dbt var program_id): the
    one place that filters by program, so every model reads the active program
    alone. -#}
with

source as (
    select * from {{ ref('program_refund_waves') }}
),

active as (
    select * from source
    where program_id = '{{ var("program_id") }}'
)

select * from active
