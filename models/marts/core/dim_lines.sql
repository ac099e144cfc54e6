{#- One row per accepted line, without personal data: what the published checks (GX
    suites, `remedy reconcile`) and dashboards need to know about a line, so nothing
    outside the warehouse reads a private model. Activation is the activation event's
    time when there is one (SOURCE_CONTRACT.md), termination the line's single
    terminating event (W1); the customer's age is a band on the insurance reference
    date (R6), never a birth date. Incremental: a build re-derives the lines a delivery
    touched. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_column='line_id',
    affected_partitions='lines',
) }}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
{{ assert_incremental_mode() }}

with

lines as (
    select * from {{ ref('int_lines_joined_to_customers') }}
    where {{ in_affected_partitions('line_id') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

final as (
    select
        lines.line_id,
        lines.customer_id,
        lines.customer_type,
        lines.network,
        lines.mvno_brand,
        lines.line_class,
        lines.payment_type,
        lines.termination_event_id,
        lines.termination_type,
        lines.port_out_to,
        customers.age_band,
        lines.is_kt_network,
        lines.is_iot_or_special,
        lines.is_prepaid,
        lines.has_activation_mismatch,
        lines.activated_date,
        lines.terminated_date,
        {{ truncate_to_microseconds('lines.activated_at_kst') }} as activated_at_kst,
        {{ truncate_to_microseconds('lines.terminated_at_kst') }} as terminated_at_kst
    from lines
    left join customers
        on lines.customer_id = customers.customer_id
)

select * from final
