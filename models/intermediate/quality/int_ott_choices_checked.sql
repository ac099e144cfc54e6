{#- A service outside the program's list is a business rejection (R4), not a contract
    breach, so it is accepted here and rejected by the reward logic. -#}
with

choices as (
    select * from {{ ref('stg_landing__ott_choices') }}
),

accepted_lines as (
    select line_id from {{ ref('int_lines_checked') }}
    where quarantine_reason is null
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'choice_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'choice_id is not null and key_versions > 1'),
            ('missing_required_field', 'line_id is null or service is null'
                ~ ' or chosen_at is null'),
            ('orphan', 'line_id not in (select line_id from accepted_lines)'),
        ]) }} as quarantine_reasons
    from choices
),

final as (
    select
        * exclude (key_versions, has_type_error),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['choice_id', 'line_id', 'service', 'chosen_at']) }} as raw_row
    from checked
)

select * from final
