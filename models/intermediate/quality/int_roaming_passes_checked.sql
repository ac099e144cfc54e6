with

passes as (
    select * from {{ ref('stg_landing__roaming_passes') }}
),

accepted_lines as (
    select line_id from {{ ref('int_lines_checked') }}
    where quarantine_reason is null
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'purchase_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'purchase_id is not null and key_versions > 1'),
            ('missing_required_field', 'line_id is null or base_data_mb is null'
                ~ ' or purchased_at is null'),
            ('invalid_value', 'base_data_mb <= 0'),
            ('orphan', 'line_id not in (select line_id from accepted_lines)'),
        ]) }} as quarantine_reasons
    from passes
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['purchase_id', 'line_id', 'pass_code', 'base_data_mb',
            'purchased_at']) }} as raw_row
    from checked
)

select * from final
