{#- A charge is an orphan when its line is not accepted or when its termination event is
    not an accepted terminating event of that same line. -#}
with

charges as (
    select * from {{ ref('stg_landing__penalty_charges') }}
),

accepted_lines as (
    select line_id from {{ ref('int_lines_checked') }}
    where quarantine_reason is null
),

accepted_terminations as (
    select
        event_id,
        line_id
    from {{ ref('int_terminating_events_ranked') }}
    where not is_second_terminating_event
),

joined as (
    select
        charges.*,
        accepted_terminations.event_id is not null as has_termination
    from charges
    left join accepted_terminations
        on
            charges.termination_event_id = accepted_terminations.event_id
            and charges.line_id = accepted_terminations.line_id
),

checked as (
    select
        *,
        {{ quarantine_reasons([
            ('null_key', 'charge_id is null'),
            ('invalid_type', 'has_type_error'),
            ('conflicting_duplicate_key', 'charge_id is not null and key_versions > 1'),
            ('missing_required_field', 'line_id is null or termination_event_id is null'
                ~ ' or component is null or billed_krw is null or paid_krw is null'),
            ('unknown_code', is_unknown_code('component', 'ref_charge_components',
                'component')),
            ('negative_amount', 'billed_krw < 0 or paid_krw < 0'),
            ('paid_exceeds_billed', 'paid_krw > billed_krw'),
            ('orphan', 'line_id not in (select line_id from accepted_lines)'
                ~ ' or not has_termination'),
        ]) }} as quarantine_reasons
    from joined
),

final as (
    select
        * exclude (key_versions, has_type_error, has_termination),
        quarantine_reasons[1] as quarantine_reason,
        {{ as_raw_row(['charge_id', 'line_id', 'termination_event_id', 'component',
            'billed_krw', 'paid_krw', 'billed_on']) }} as raw_row
    from checked
)

select * from final
