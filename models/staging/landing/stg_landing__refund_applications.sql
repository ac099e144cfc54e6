with

source as not materialized (
    select * from {{ source('landing', 'refund_applications') }}
),

renamed as not materialized (
    select
        cast(application_id as varchar) as application_id,
        cast(line_id as varchar) as line_id,
        cast(channel as varchar) as channel,
        cast(holder_exception as varchar) as holder_exception,
        cast(hardship_reason as varchar) as hardship_reason,
        cast(bank_account_token as varchar) as bank_account_token,
        try_cast(account_holder_matches as boolean) as account_holder_matches,
        try_cast(hardship_ended_on as date) as hardship_ended_on,
        try_cast(applied_at as timestamp with time zone) as applied_at,
        {{ has_type_error([
            ('account_holder_matches', 'boolean'),
            ('hardship_ended_on', 'date'),
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
