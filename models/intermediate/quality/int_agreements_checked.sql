with

agreements as (
    select * from {{ ref('stg_landing__agreements') }}
),

accepted_lines as (
    select line_id from {{ ref('int_lines_checked') }}
    where quarantine_reason is null
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'agreement_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'agreement_id is not null and key_versions > 1'),
            ('missing_required_field', 'line_id is null or agreement_type is null'
                ~ ' or start_date is null or term_months is null'
                ~ " or (agreement_type = 'device_subsidy' and subsidy_krw is null)"
                ~ " or (agreement_type = 'selective_discount'"
                ~ " and monthly_discount_krw is null)"),
            ('unknown_code', is_unknown_code('agreement_type', 'ref_codes',
                code_list='agreement_type')),
            ('invalid_value', 'term_months not in (12, 24)'
                ~ " or (agreement_type = 'device_subsidy'"
                ~ " and monthly_discount_krw is not null)"
                ~ " or (agreement_type = 'selective_discount' and subsidy_krw is not null)"),
            ('negative_amount', 'subsidy_krw < 0 or monthly_discount_krw < 0'),
            ('orphan', 'line_id not in (select line_id from accepted_lines)'),
        ]) }} as quarantine_reasons
    from agreements
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['agreement_id', 'line_id', 'agreement_type', 'start_date',
            'term_months', 'subsidy_krw', 'monthly_discount_krw']) }} as raw_row
    from checked
)

select * from final
