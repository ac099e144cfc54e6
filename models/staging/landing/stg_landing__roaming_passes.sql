with

source as not materialized (
    select * from {{ source('landing', 'roaming_passes') }}
),

renamed as not materialized (
    select
        cast(purchase_id as varchar) as purchase_id,
        cast(line_id as varchar) as line_id,
        cast(pass_code as varchar) as pass_code,
        try_cast(base_data_mb as integer) as base_data_mb,
        try_cast(purchased_at as timestamp with time zone) as purchased_at,
        {{ has_type_error([
            ('base_data_mb', 'integer'),
            ('purchased_at', 'timestamp with time zone'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'purchase_id') }}
),

localized as (
    select
        *,
        {{ to_local_timestamp('purchased_at') }} as purchased_at_kst,
        cast({{ to_local_timestamp('purchased_at') }} as date) as purchased_date
    from collapsed
)

select * from localized
