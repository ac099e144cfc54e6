{#- Penalty charges: the delivered versions this build judges (see landing_versions). A
    charge is an orphan when its line is not accepted or its termination event is not an
    accepted terminating event of that same line. A line's accepted charges must sum to
    an amount a BIGINT holds (the waiver marts add them up): when they cannot, every one
    of them is an invalid_value, so one line never stops the build. -#}
{%- set incremental = incremental_build() %}
{%- set context %}
accepted_terminations as (
    select
        events.event_id,
        events.line_id
    from {{ ref('fct_contract_events') }} as events
    inner join {{ ref('ref_event_types') }} as event_types
        on events.event_type = event_types.event_type
    where
        event_types.is_terminating
        {%- if incremental %}
        and events.line_id in (
            select partition_key from {{ ref('stg_landing__affected_lines') }}
        )
        {%- endif %}
),

large_totals as (
    select line_id
    from delivered
    group by 1
    having sum(cast(billed_krw as hugeint)) > {{ bigint_max() }}
),
{%- endset %}

with

judged as (
    {{ landing_versions('penalty_charges', checks=[
        ('missing_required_field', 'line_id is null or termination_event_id is null'
            ~ ' or component is null or billed_krw is null or paid_krw is null'),
        ('unknown_code', is_unknown_code('component', 'ref_charge_components',
            'component')),
        ('negative_amount', 'billed_krw < 0 or paid_krw < 0'),
        ('paid_exceeds_billed', 'paid_krw > billed_krw'),
        ('orphan', 'line_id is not null and not parent_found'),
    ], context=context, parent=('accepted_terminations', [
        ('line_id', 'line_id'), ('termination_event_id', 'event_id'),
    ]), stores=[
        ('stg_landing__penalty_charges', 'line_id'),
        ('stg_landing__penalty_charges_quarantined', 'line_id'),
    ], always_judge='line_id in (select line_id from large_totals)') }}
),

unrepresentable_lines as (
    select line_id
    from judged
    where quarantine_reason is null
    group by 1
    having sum(cast(billed_krw as hugeint)) > {{ bigint_max() }}
),

final as (
    select
        * exclude (quarantine_reasons, quarantine_reason),
        case
            when
                quarantine_reason is null
                and line_id in (select line_id from unrepresentable_lines)
                then ['invalid_value']
            else quarantine_reasons
        end as quarantine_reasons,
        case
            when
                quarantine_reason is null
                and line_id in (select line_id from unrepresentable_lines)
                then 'invalid_value'
            else quarantine_reason
        end as quarantine_reason
    from judged
)

select * from final
