{#- Contract checks of landing table penalty_charges. A charge is an orphan when its
    termination event is not an accepted terminating event of its line
    (fct_contract_events holds only events of accepted lines). Charges of a line whose
    total could exceed a BIGINT are always judged (stg_landing__penalty_charges_versions
    quarantines them when the accepted ones cannot be summed). -#}
{% macro landing_rules__penalty_charges() -%}
    {%- set context -%}
accepted_terminations as (
    select
        events.event_id,
        events.line_id
    from {{ ref('fct_contract_events') }} as events
    inner join {{ ref('ref_event_types') }} as event_types
        on events.event_type = event_types.event_type
    where
        event_types.is_terminating
        and {{ affected_only('events.line_id') }}
),

large_totals as (
    select line_id
    from delivered
    group by 1
    having sum(cast(billed_krw as hugeint)) > {{ bigint_max() }}
),
    {%- endset -%}
    {{- return({
        'checks': [
            ('missing_required_field', 'line_id is null or termination_event_id is null'
                ~ ' or component is null or billed_krw is null or paid_krw is null'),
            ('unknown_code', is_unknown_code('component', 'ref_charge_components',
                'component')),
            ('negative_amount', 'billed_krw < 0 or paid_krw < 0'),
            ('paid_exceeds_billed', 'paid_krw > billed_krw'),
            ('orphan', 'line_id is not null and not parent_found'),
        ],
        'context': context,
        'parent': ('accepted_terminations', [
            ('line_id', 'line_id'), ('termination_event_id', 'event_id'),
        ]),
        'always_judge': 'line_id in (select line_id from large_totals)',
    }) -}}
{%- endmacro %}
