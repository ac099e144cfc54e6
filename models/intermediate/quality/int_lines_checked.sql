with

lines as (
    select * from {{ ref('stg_landing__lines') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_checked') }}
    where quarantine_reason is null
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'line_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'line_id is not null and key_versions > 1'),
            ('missing_required_field', 'customer_id is null or network is null'
                ~ ' or line_class is null or payment_type is null'),
            ('unknown_code', is_unknown_code('network', 'ref_codes', code_list='network')
                ~ ' or ' ~ is_unknown_code('line_class', 'ref_line_classes', 'line_class')
                ~ ' or ' ~ is_unknown_code('payment_type', 'ref_codes',
                    code_list='payment_type')),
            ('invalid_value', "mvno_brand is not null and network <> 'mvno'"),
            ('orphan', 'customer_id not in (select customer_id from accepted_customers)'),
        ]) }} as quarantine_reasons
    from lines
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['line_id', 'customer_id', 'msisdn', 'network', 'mvno_brand',
            'line_class', 'payment_type', 'activated_at']) }} as raw_row
    from checked
)

select * from final
