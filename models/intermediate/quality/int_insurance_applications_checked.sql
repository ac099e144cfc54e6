with

applications as (
    select * from {{ ref('stg_landing__insurance_applications') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_checked') }}
    where quarantine_reason is null
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'application_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'application_id is not null and key_versions > 1'),
            ('missing_required_field', 'customer_id is null or applied_at is null'),
            ('orphan', 'customer_id not in (select customer_id from accepted_customers)'),
        ]) }} as quarantine_reasons
    from applications
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['application_id', 'customer_id', 'applied_at']) }} as raw_row
    from checked
)

select * from final
