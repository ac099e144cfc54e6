{#- P5 / N1: the eligibility and expected-penalty lookup. One row per KT-network
    line in service at the end (24:00 KST) of the as-of date (dbt var
    lookup_as_of_date): whether it would be eligible if terminated that day (W2
    evaluated as of then; a line that has not terminated cannot be forced-terminated
    or have re-joined) and its expected waivable penalty with D = the as-of date
    (P1-P3). Incremental: a build re-derives the lines a delivery touched. -#}
{{ replaces_partitions() }}

with

lines as (
    select * from {{ affected_rows(ref('int_lines_timed'), 'line_id') }}
),

agreements as (
    select * from {{ affected_rows(ref('stg_landing__agreements'), 'line_id') }}
),

contract_changes as (
    select * from {{ affected_rows(ref('int_contract_changes_aggregated'), 'line_id') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

as_of as (
    select
        cast('{{ var("lookup_as_of_date") }}' as date) as as_of_date,
        cast({{ dbt.dateadd('day', 1, "cast('" ~ var("lookup_as_of_date")
            ~ "' as date)") }} as timestamp) as as_of_end_kst
),

lines_in_service as (
    select
        lines.line_id,
        as_of.as_of_date as penalty_date,
        as_of.as_of_end_kst,
        lines.is_kt_network,
        lines.is_iot_or_special,
        lines.is_prepaid,
        lines.activated_at_kst
    from lines
    cross join as_of
    where
        lines.is_kt_network
        and lines.activated_at_kst < as_of.as_of_end_kst
        and (
            lines.terminated_at_kst is null
            or lines.terminated_at_kst >= as_of.as_of_end_kst
        )
),

{{ expected_penalties('lines_in_service', 'agreements') }},

classified as (
    select
        expected_penalties.line_id,
        expected_penalties.penalty_date as as_of_date,
        {{ waiver_exclusion_reasons(
            is_mvno='not expected_penalties.is_kt_network',
            is_iot_or_special='expected_penalties.is_iot_or_special',
            is_prepaid='expected_penalties.is_prepaid',
            is_forced_termination='false',
            is_new_since_base_date='expected_penalties.activated_at_kst'
                ~ ' >= program_parameters.base_cutoff_kst',
            has_device_change_since_base_date='contract_changes'
                ~ '.first_device_change_at_kst'
                ~ ' < expected_penalties.as_of_end_kst',
            has_recontract_since_base_date='contract_changes.first_recontract_at_kst'
                ~ ' < expected_penalties.as_of_end_kst',
            has_rejoined='false'
        ) }} as exclusion_reasons,
        expected_penalties.agreement_id,
        expected_penalties.expected_subsidy_clawback_krw,
        expected_penalties.expected_selective_discount_clawback_krw,
        expected_penalties.expected_waivable_penalty_krw
    from expected_penalties
    cross join program_parameters
    left join contract_changes
        on expected_penalties.line_id = contract_changes.line_id
),

final as (
    select
        line_id,
        as_of_date,
        len(exclusion_reasons) = 0 as would_be_eligible,
        exclusion_reasons[1] as exclusion_reason,
        exclusion_reasons,
        agreement_id,
        expected_subsidy_clawback_krw,
        expected_selective_discount_clawback_krw,
        expected_waivable_penalty_krw
    from classified
)

select * from final
