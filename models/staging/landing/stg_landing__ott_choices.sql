with

source as not materialized (
    select * from {{ source('landing', 'ott_choices') }}
),

renamed as not materialized (
    select
        cast(choice_id as varchar) as choice_id,
        cast(line_id as varchar) as line_id,
        cast(service as varchar) as service,
        try_cast(chosen_at as timestamp with time zone) as chosen_at,
        {{ has_type_error([
            ('chosen_at', 'timestamp with time zone'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'choice_id') }}
),

localized as (
    select
        *,
        {{ to_local_timestamp('chosen_at') }} as chosen_at_kst,
        cast({{ to_local_timestamp('chosen_at') }} as date) as chosen_date
    from collapsed
)

select * from localized
