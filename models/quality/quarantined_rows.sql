{#- Every row that broke the source contract, with where it came from and why. Holds the
    raw row (PII included) for the engineers who fix deliveries, so it lives in the
    restricted `quarantine` schema and never in a published mart. -#}
{%- set checked_models = [
    ('customers', 'customer_id'),
    ('lines', 'line_id'),
    ('contract_events', 'event_id'),
    ('agreements', 'agreement_id'),
    ('penalty_charges', 'charge_id'),
    ('refund_applications', 'application_id'),
    ('roaming_passes', 'purchase_id'),
    ('ott_choices', 'choice_id'),
    ('insurance_applications', 'application_id'),
] -%}

with

{% for source_table, key_column in checked_models %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        {{ key_column }} as record_key,
        quarantine_reason,
        quarantine_reasons,
        source_file,
        source_row_number,
        delivered_rows,
        raw_row
    from {{ ref('int_' ~ source_table ~ '_checked') }}
    where quarantine_reason is not null
),
{% endfor %}

second_terminating_events as (
    select
        'contract_events' as source_table,
        second_events.event_id as record_key,
        'second_terminating_event' as quarantine_reason,
        ['second_terminating_event'] as quarantine_reasons,
        second_events.source_file,
        second_events.source_row_number,
        second_events.delivered_rows,
        {{ as_raw_row(contract_events_columns(), always=true,
            qualifier='second_events') }}
            as raw_row
    from {{ ref('int_contract_events_checked') }} as second_events
    inner join {{ ref('int_terminating_events_ranked') }} as ranked
        on second_events.event_id = ranked.event_id
    where ranked.is_second_terminating_event
),

unioned as (
    {% for source_table, _ in checked_models -%}
    select * from {{ source_table }}
    union all
    {% endfor -%}
    select * from second_terminating_events
),

reasons as (
    select * from {{ ref('ref_quarantine_reasons') }}
),

final as (
    select
        {{ surrogate_key(['unioned.source_table', 'unioned.source_file',
            'unioned.source_row_number']) }} as quarantined_row_id,
        unioned.*,
        reasons.fix
    from unioned
    left join reasons
        on unioned.quarantine_reason = reasons.quarantine_reason
)

select * from final
