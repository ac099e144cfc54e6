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
        cast(birth_date as date) as birth_date,
        cast(created_at as timestamp with time zone) as created_at,
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
