{#- The front end may match an application to a line that does not exist: that is a
    business outcome (A6 unknown_line), not a contract breach. An application to a line
    that exists but was quarantined is an orphan (SOURCE_CONTRACT.md), see decisions.md. -#}
with

applications as (
    select * from {{ ref('stg_landing__refund_applications') }}
),

quarantined_lines as (
    select line_id from {{ ref('int_lines_checked') }}
    where line_id is not null
    group by 1
    having bool_and(quarantine_reason is not null)
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'application_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'application_id is not null and key_versions > 1'),
            ('missing_required_field', 'channel is null or applied_at is null'),
            ('unknown_code', is_unknown_code('channel', 'ref_channels', 'channel',
                    where='is_application_channel')
                ~ ' or ' ~ is_unknown_code('holder_exception', 'ref_codes',
                    code_list='holder_exception')
                ~ ' or ' ~ is_unknown_code('hardship_reason', 'ref_codes',
                    code_list='hardship_reason')),
            ('invalid_value', 'hardship_ended_on is not null and hardship_reason is null'),
            ('orphan', 'line_id in (select line_id from quarantined_lines)'),
        ]) }} as quarantine_reasons
    from applications
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['application_id', 'line_id', 'channel', 'applied_at',
            'account_holder_matches', 'holder_exception', 'hardship_reason',
            'hardship_ended_on', 'bank_account_token']) }} as raw_row
    from checked
)

select * from final
