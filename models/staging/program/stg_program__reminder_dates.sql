{#- The active program's rows of seed program_reminder_dates (dbt var program_id):
    the one place that filters by program, so every model reads the active program
    alone. -#}
with

source as (
    select * from {{ ref('program_reminder_dates') }}
),

active as (
    select * from source
    where program_id = '{{ var("program_id") }}'
)

select * from active
