with

customers as (
    select * from {{ ref('stg_landing__customers') }}
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'customer_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'customer_id is not null and key_versions > 1'),
            ('missing_required_field', 'person_key is null or customer_type is null'),
            ('unknown_code', is_unknown_code('customer_type', 'ref_codes',
                code_list='customer_type')),
            ('invalid_value', 'birth_date > created_date'),
        ]) }} as quarantine_reasons
    from customers
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['customer_id', 'person_key', 'customer_type', 'full_name',
            'birth_date', 'created_at']) }} as raw_row
    from checked
)

select * from final
