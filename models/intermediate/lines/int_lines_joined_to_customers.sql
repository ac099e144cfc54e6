{#- One row per accepted line with its customer, class flags, activation (the activation
    event wins over lines.activated_at, SOURCE_CONTRACT.md; a disagreement is flagged and
    counted), its single terminating event, if any (W1), and its first device change and
    re-contract since base_cutoff (W2.6-7). KST times keep nanoseconds. -#}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
{{ assert_incremental_mode() }}

with

lines as (
    select * from {{ ref('stg_landing__lines') }}
    where {{ in_affected_partitions('line_id') }}
),

customers as (
    select * from {{ ref('stg_landing__customers') }}
),

line_classes as (
    select * from {{ ref('ref_line_classes') }}
),

event_summaries as (
    select * from {{ ref('int_line_events_summarised') }}
    where {{ in_affected_partitions('line_id') }}
),

joined as (
    select
        lines.line_id,
        lines.customer_id,
        customers.person_key,
        customers.customer_type,
        lines.network,
        lines.mvno_brand,
        lines.line_class,
        lines.payment_type,
        event_summaries.activation_event_id,
        event_summaries.termination_event_id,
        event_summaries.termination_type,
        event_summaries.port_out_to,
        event_summaries.first_device_change_event_id,
        event_summaries.first_recontract_event_id,
        lines.network = 'kt' as is_kt_network,
        line_classes.is_iot_or_special,
        lines.payment_type = 'prepaid' as is_prepaid,
        (
            event_summaries.activation_event_at_kst is not null
            and (
                lines.activated_at_kst is null
                or lines.activated_at_kst <> event_summaries.activation_event_at_kst
            )
        ) as has_activation_mismatch,
        customers.birth_date,
        cast({{ truncate_to_microseconds(
            'coalesce(event_summaries.activation_event_at_kst, lines.activated_at_kst)'
        ) }} as date) as activated_date,
        cast({{ truncate_to_microseconds('event_summaries.terminated_at_kst') }} as date)
            as terminated_date,
        coalesce(event_summaries.activation_event_at_kst, lines.activated_at_kst)
            as activated_at_kst,
        lines.activated_at_kst as line_activated_at_kst,
        event_summaries.terminated_at_kst,
        event_summaries.first_device_change_at_kst,
        event_summaries.first_recontract_at_kst,
        event_summaries.suspension_changes
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
    inner join line_classes
        on lines.line_class = line_classes.line_class
    left join event_summaries
        on lines.line_id = event_summaries.line_id
)

select * from joined
