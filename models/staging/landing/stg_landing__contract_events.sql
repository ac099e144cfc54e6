with

source as not materialized (
    select * from {{ source('landing', 'contract_events') }}
),

renamed as not materialized (
    select
        cast(event_id as varchar) as event_id,
        cast(line_id as varchar) as line_id,
        cast(event_type as varchar) as event_type,
        cast(channel as varchar) as channel,
        cast(port_out_to as varchar) as port_out_to,
        try_cast(event_at as timestamp with time zone) as event_at,
        {{ has_type_error([
            ('event_at', 'timestamp with time zone'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'event_id') }}
),

localized as (
    select
        *,
        {{ to_local_timestamp('event_at') }} as event_at_kst,
        cast({{ to_local_timestamp('event_at') }} as date) as event_date
    from collapsed
)

select * from localized
