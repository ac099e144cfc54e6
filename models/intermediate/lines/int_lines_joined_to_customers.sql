{#- One row per accepted line with its customer, class flags, activation (the activation
    event wins over lines.activated_at, SOURCE_CONTRACT.md) and its single terminating
    event, if any (W1). -#}
with

lines as (
    select * from {{ ref('int_lines_accepted') }}
),

customers as (
    select * from {{ ref('int_customers_accepted') }}
),

line_classes as (
    select * from {{ ref('ref_line_classes') }}
),

lifecycle as (
    select * from {{ ref('int_line_lifecycle_events') }}
),

activations as (
    select
        line_id,
        min(event_at_kst) as activated_at_kst
    from lifecycle
    where event_type = 'activation'
    group by 1
),

terminations as (
    select
        line_id,
        event_id as termination_event_id,
        event_type as termination_type,
        port_out_to,
        event_at_kst as terminated_at_kst,
        event_date as terminated_date
    from lifecycle
    where is_terminating
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
        terminations.termination_event_id,
        terminations.termination_type,
        terminations.port_out_to,
        lines.network = 'kt' as is_kt_network,
        line_classes.is_iot_or_special,
        lines.payment_type = 'prepaid' as is_prepaid,
        (
            activations.activated_at_kst is not null
            and (
                lines.activated_at_kst is null
                or lines.activated_at_kst <> activations.activated_at_kst
            )
        ) as has_activation_mismatch,
        customers.birth_date,
        cast(coalesce(activations.activated_at_kst, lines.activated_at_kst) as date)
            as activated_date,
        terminations.terminated_date,
        coalesce(activations.activated_at_kst, lines.activated_at_kst)
            as activated_at_kst,
        lines.activated_at_kst as line_activated_at_kst,
        terminations.terminated_at_kst
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
    inner join line_classes
        on lines.line_class = line_classes.line_class
    left join activations
        on lines.line_id = activations.line_id
    left join terminations
        on lines.line_id = terminations.line_id
)

select * from joined
