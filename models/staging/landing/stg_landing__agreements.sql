with

source as not materialized (
    select * from {{ source('landing', 'agreements') }}
),

renamed as not materialized (
    select
        cast(agreement_id as varchar) as agreement_id,
        cast(line_id as varchar) as line_id,
        cast(agreement_type as varchar) as agreement_type,
        cast(term_months as integer) as term_months,
        cast(subsidy_krw as bigint) as subsidy_krw,
        cast(monthly_discount_krw as bigint) as monthly_discount_krw,
        cast(start_date as date) as start_date,
        filename as source_file,
        file_row_number as source_row_number
    from source
),

collapsed as (
    {{ collapse_exact_duplicates('renamed', 'agreement_id') }}
)

select * from collapsed
