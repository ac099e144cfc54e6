{#- W1-W4: one row per line whose terminating event falls (KST date, inclusive) in the
    waiver window, with every W2 exclusion that applies, the first by precedence, the
    waivable billed and paid amounts (A7) and the resulting waiver status; plus the
    outcome of each W2 test and its evidence (activation used, first device change and
    re-contract since base_cutoff, first re-joining line), which
    fct_waiver_determinations publishes. Incremental: a build re-derives the lines a
    delivery touched; every terminated line and every line activated since the window
    opened of an affected person is among them (stg_landing__affected_lines), so both
    sides of W2.8's re-joining test are current. -#}
{{ replaces_partitions() }}

with

lines as {{ 'materialized' if is_incremental() else 'not materialized' }} (
    -- read twice with different filters (the window's terminations, the window's
    -- activations). A full build inlines it, so each read scans only its slice of
    -- every line; a daily build reads the affected lines once (at scale 1.0 each read
    -- scans the line dimension and the 17 M customers to find them)
    select * from {{ affected_rows(ref('int_lines_joined_to_customers'), 'line_id') }}
),

contract_changes as (
    select * from {{ affected_rows(ref('int_contract_changes_aggregated'), 'line_id') }}
),

penalty_charges_summed as (
    select * from {{ affected_rows(ref('int_penalty_charges_summed'), 'line_id') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

waiver_population as (
    select
        lines.*,
        program_parameters.base_cutoff_kst
    from lines
    inner join program_parameters
        on lines.terminated_date between program_parameters.waiver_window_start_date
            and program_parameters.waiver_window_end_date
),

rejoin_activations as (
    -- W2.8: a KT line of the same person activated after the termination and by the
    -- last day of the window; any customer record counts, so the join is on person_key.
    -- Only lines activated inside the window can qualify, which keeps the join small.
    select
        lines.line_id,
        lines.person_key,
        lines.activated_at_kst
    from lines
    inner join program_parameters
        on lines.activated_date between program_parameters.waiver_window_start_date
            and program_parameters.waiver_window_end_date
    where lines.is_kt_network and lines.person_key is not null
),

rejoined_lines as (
    -- the first re-joining line (by activation, then line_id) is the evidence shown
    select
        waiver_population.line_id,
        min_by(
            rejoin_activations.line_id,
            (rejoin_activations.activated_at_kst, rejoin_activations.line_id)
        ) as rejoined_line_id,
        min(rejoin_activations.activated_at_kst) as rejoined_activated_at_kst
    from waiver_population
    inner join rejoin_activations
        on waiver_population.person_key = rejoin_activations.person_key
            and waiver_population.line_id <> rejoin_activations.line_id
            and waiver_population.terminated_at_kst
            < rejoin_activations.activated_at_kst
    group by 1
),

tested as (
    -- one boolean per W2 rule (null counts as "does not apply"), with its evidence
    select
        waiver_population.*,
        not waiver_population.is_kt_network as is_mvno,
        waiver_population.termination_type = 'forced_termination'
            as is_forced_termination,
        coalesce(
            waiver_population.activated_at_kst >= waiver_population.base_cutoff_kst,
            false
        ) as is_new_since_base_date,
        coalesce(
            contract_changes.first_device_change_at_kst
            < waiver_population.terminated_at_kst,
            false
        ) as has_device_change_since_base_date,
        coalesce(
            contract_changes.first_recontract_at_kst
            < waiver_population.terminated_at_kst,
            false
        ) as has_recontract_since_base_date,
        rejoined_lines.line_id is not null as has_rejoined,
        contract_changes.first_device_change_event_id,
        contract_changes.first_device_change_at_kst,
        contract_changes.first_recontract_event_id,
        contract_changes.first_recontract_at_kst,
        rejoined_lines.rejoined_line_id,
        rejoined_lines.rejoined_activated_at_kst
    from waiver_population
    left join contract_changes
        on waiver_population.line_id = contract_changes.line_id
    left join rejoined_lines
        on waiver_population.line_id = rejoined_lines.line_id
),

classified as (
    select
        tested.*,
        {{ waiver_exclusion_reasons(
            is_mvno='tested.is_mvno',
            is_iot_or_special='tested.is_iot_or_special',
            is_prepaid='tested.is_prepaid',
            is_forced_termination='tested.is_forced_termination',
            is_new_since_base_date='tested.is_new_since_base_date',
            has_device_change_since_base_date='tested.has_device_change_since_base_date',
            has_recontract_since_base_date='tested.has_recontract_since_base_date',
            has_rejoined='tested.has_rejoined'
        ) }} as exclusion_reasons,
        coalesce(penalty_charges_summed.waivable_billed_krw, 0) as waivable_billed_krw,
        coalesce(penalty_charges_summed.waivable_paid_krw, 0) as waivable_paid_krw
    from tested
    left join penalty_charges_summed
        on tested.line_id = penalty_charges_summed.line_id
),

final as (
    select
        line_id,
        customer_id,
        termination_event_id,
        termination_type,
        line_class,
        case
            when len(exclusion_reasons) > 0 then 'excluded'
            when waivable_billed_krw > 0 then 'eligible'
            else 'eligible_no_penalty'
        end as waiver_status,
        exclusion_reasons[1] as exclusion_reason,
        exclusion_reasons,
        waivable_billed_krw,
        waivable_paid_krw,
        terminated_date,
        terminated_at_kst,
        -- the evidence of every W2 test, for fct_waiver_determinations
        network,
        mvno_brand,
        payment_type,
        is_mvno,
        is_iot_or_special,
        is_prepaid,
        is_forced_termination,
        is_new_since_base_date,
        has_device_change_since_base_date,
        has_recontract_since_base_date,
        has_rejoined,
        activated_at_kst,
        line_activated_at_kst,
        has_activation_mismatch,
        base_cutoff_kst,
        first_device_change_event_id,
        first_device_change_at_kst,
        first_recontract_event_id,
        first_recontract_at_kst,
        rejoined_line_id,
        rejoined_activated_at_kst
    from classified
)

select * from final
