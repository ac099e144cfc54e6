with

source as not materialized (
    select * from {{ source('landing', 'penalty_charges') }}
),

renamed as not materialized (
    select
        cast(charge_id as varchar) as charge_id,
        cast(line_id as varchar) as line_id,
        cast(termination_event_id as varchar) as termination_event_id,
        cast(component as varchar) as component,
        try_cast(billed_krw as bigint) as billed_krw,
        try_cast(paid_krw as bigint) as paid_krw,
        try_cast(billed_on as date) as billed_on,
        {{ has_type_error([
            ('billed_krw', 'bigint'),
            ('paid_krw', 'bigint'),
            ('billed_on', 'date'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'charge_id') }}
)

select * from collapsed
