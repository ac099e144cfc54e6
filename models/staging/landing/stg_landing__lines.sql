with

source as not materialized (
    select * from {{ source('landing', 'lines') }}
),

renamed as not materialized (
    select
        cast(line_id as varchar) as line_id,
        cast(customer_id as varchar) as customer_id,
        cast(msisdn as varchar) as msisdn,
        cast(network as varchar) as network,
        cast(mvno_brand as varchar) as mvno_brand,
        cast(line_class as varchar) as line_class,
        cast(payment_type as varchar) as payment_type,
        try_cast(activated_at as timestamp with time zone) as activated_at,
        {{ has_type_error([
            ('activated_at', 'timestamp with time zone'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'line_id') }}
),

localized as (
    select
        *,
        {{ to_local_timestamp('activated_at') }} as activated_at_kst,
        cast({{ to_local_timestamp('activated_at') }} as date) as activated_date
    from collapsed
)

select * from localized
