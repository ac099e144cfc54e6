with

source as not materialized (
    select * from {{ source('landing', 'insurance_applications') }}
),

renamed as not materialized (
    select
        cast(application_id as varchar) as application_id,
        cast(customer_id as varchar) as customer_id,
        try_cast(applied_at as timestamp with time zone) as applied_at,
        {{ has_type_error([
            ('applied_at', 'timestamp with time zone'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'application_id') }}
),

localized as (
    select
        *,
        {{ to_local_timestamp('applied_at') }} as applied_at_kst,
        cast({{ to_local_timestamp('applied_at') }} as date) as applied_date
    from collapsed
)

select * from localized
