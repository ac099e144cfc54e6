{#- One row per accepted line, without personal data: the conformed line dimension every
    rule model reads, published so that checks and dashboards never read a private
    model. Its event facts come from int_line_events_summarised: the activation (the
    earliest activation event wins over lines.activated_at, SOURCE_CONTRACT.md; a
    disagreement is flagged and counted), its single terminating event (W1), its first
    device change and re-contract at or after base_cutoff (W2.6-7, P5). KST times are
    published to the microsecond, truncated, with the nanoseconds below kept apart
    (`*_nanoseconds`), so the rules stay exact. The customer's age is a band on the
    insurance reference date (R6), never a birth date. The R1 gate is decided here,
    once: whether the line is in the reward population (a KT-network line activated
    before the program's reward_population_as_of_kst and not terminated before it, at
    nanosecond precision) and, if not, why; every reward model reads it from here.
    Incremental: a build re-derives the lines a delivery touched. -#}
{{ replaces_partitions() }}

with

lines as (
    select * from {{ affected_rows(ref('stg_landing__lines'), 'line_id') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

line_classes as (
    select * from {{ ref('ref_line_classes') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

summarised as (
    select * from {{ affected_rows(ref('int_line_events_summarised'), 'line_id') }}
),

joined as (
    select
        lines.line_id,
        program_parameters.reward_population_as_of_kst,
        lines.customer_id,
        customers.customer_type,
        lines.network,
        lines.mvno_brand,
        lines.line_class,
        lines.payment_type,
        summarised.activation_event_id,
        summarised.termination_event_id,
        summarised.termination_type,
        summarised.port_out_to,
        summarised.first_device_change_event_id,
        summarised.first_recontract_event_id,
        customers.age_band,
        lines.network = 'kt' as is_kt_network,
        line_classes.is_iot_or_special,
        lines.payment_type = 'prepaid' as is_prepaid,
        coalesce(
            summarised.activation_event_at_kst is not null
            and (
                lines.activated_at_kst is null
                or lines.activated_at_kst <> summarised.activation_event_at_kst
            ),
            false
        ) as has_activation_mismatch,
        coalesce(summarised.activation_event_at_kst, lines.activated_at_kst)
            as activated_at_kst,
        lines.activated_at_kst as line_activated_at_kst,
        summarised.terminated_at_kst,
        summarised.first_device_change_at_kst,
        summarised.first_recontract_at_kst
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
    inner join line_classes
        on lines.line_class = line_classes.line_class
    cross join program_parameters
    left join summarised
        on lines.line_id = summarised.line_id
),

reward_population as (
    -- R1, read literally: activated before the instant and not terminated before it (a
    -- termination exactly at the instant keeps the line in)
    select
        *,
        case
            when not is_kt_network then 'mvno'
            when activated_at_kst is null then 'no_activation_time'
            when activated_at_kst >= reward_population_as_of_kst
                then 'activated_after_population_instant'
            when terminated_at_kst < reward_population_as_of_kst
                then 'terminated_before_population_instant'
            else 'in_population'
        end as reward_population_reason
    from joined
),

final as (
    select
        line_id,
        customer_id,
        customer_type,
        network,
        mvno_brand,
        line_class,
        payment_type,
        activation_event_id,
        termination_event_id,
        termination_type,
        port_out_to,
        first_device_change_event_id,
        first_recontract_event_id,
        age_band,
        is_kt_network,
        is_iot_or_special,
        is_prepaid,
        has_activation_mismatch,
        reward_population_reason = 'in_population' as is_reward_population,
        reward_population_reason,
        reward_population_as_of_kst,
        cast({{ truncate_to_microseconds('activated_at_kst') }} as date)
            as activated_date,
        cast({{ truncate_to_microseconds('terminated_at_kst') }} as date)
            as terminated_date,
        {{ truncate_to_microseconds('activated_at_kst') }}
            as activated_at_kst,
        {{ sub_microsecond_nanoseconds('activated_at_kst') }}
            as activated_at_nanoseconds,
        {{ truncate_to_microseconds('line_activated_at_kst') }}
            as line_activated_at_kst,
        {{ sub_microsecond_nanoseconds('line_activated_at_kst') }}
            as line_activated_at_nanoseconds,
        {{ truncate_to_microseconds('terminated_at_kst') }}
            as terminated_at_kst,
        {{ sub_microsecond_nanoseconds('terminated_at_kst') }}
            as terminated_at_nanoseconds,
        {{ truncate_to_microseconds('first_device_change_at_kst') }}
            as first_device_change_at_kst,
        {{ sub_microsecond_nanoseconds('first_device_change_at_kst') }}
            as first_device_change_at_nanoseconds,
        {{ truncate_to_microseconds('first_recontract_at_kst') }}
            as first_recontract_at_kst,
        {{ sub_microsecond_nanoseconds('first_recontract_at_kst') }}
            as first_recontract_at_nanoseconds
    from reward_population
)

select * from final
