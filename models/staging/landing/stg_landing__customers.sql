with

source as not materialized (
    select * from {{ source('landing', 'customers') }}
),

renamed as not materialized (
    select
        cast(customer_id as varchar) as customer_id,
        cast(person_key as varchar) as person_key,
        cast(customer_type as varchar) as customer_type,
        cast(full_name as varchar) as full_name,
        try_cast(birth_date as date) as birth_date,
        try_cast(created_at as timestamp with time zone) as created_at,
        {{ has_type_error([
            ('birth_date', 'date'),
            ('created_at', 'timestamp with time zone'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'customer_id') }}
),

localized as (
    select
        *,
        {{ to_local_timestamp('created_at') }} as created_at_kst,
        cast({{ to_local_timestamp('created_at') }} as date) as created_date
    from collapsed
)

select * from localized
