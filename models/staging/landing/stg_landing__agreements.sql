with

source as not materialized (
    select * from {{ source('landing', 'agreements') }}
),

renamed as not materialized (
    select
        cast(agreement_id as varchar) as agreement_id,
        cast(line_id as varchar) as line_id,
        cast(agreement_type as varchar) as agreement_type,
        try_cast(term_months as integer) as term_months,
        try_cast(subsidy_krw as bigint) as subsidy_krw,
        try_cast(monthly_discount_krw as bigint) as monthly_discount_krw,
        try_cast(start_date as date) as start_date,
        {{ has_type_error([
            ('term_months', 'integer'),
            ('subsidy_krw', 'bigint'),
            ('monthly_discount_krw', 'bigint'),
            ('start_date', 'date'),
        ]) }} as has_type_error,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'agreement_id') }}
)

select * from collapsed
