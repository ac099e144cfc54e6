{#- Issue 11, "explain every decision": one row per line of the waiver population (W1)
    with everything that decided it. The decisions themselves are read from where they
    are made or published (int_waiver_terminations_classified for W1-W4,
    fct_refund_assignments and fct_refund_notices for A5-A7 and N2,
    int_refund_applications_ranked for A2-A6), so the explanation can never disagree
    with the published marts; this model only gathers their evidence and writes the
    rule trace, in the order PROGRAM_RULES.md applies the rules. Trace details carry
    codes, KST times and amounts, never identifiers (ids have columns of their own, so
    an extract can pseudonymise them). Incremental: a build re-derives the lines a
    delivery touched (every line of an affected person among them, so W2.8's
    re-joining evidence is current). -#}
{{ replaces_partitions() }}

with

waiver_terminations as (
    select * from {{ affected_rows(
        ref('int_waiver_terminations_classified'), 'line_id'
    ) }}
),

penalties_compared as (
    select * from {{ affected_rows(
        ref('int_termination_penalties_compared'), 'line_id'
    ) }}
),

penalty_charges_summed as (
    select * from {{ affected_rows(ref('int_penalty_charges_summed'), 'line_id') }}
),

penalty_charges as (
    select * from {{ affected_rows(ref('stg_landing__penalty_charges'), 'line_id') }}
),

charge_components as (
    select * from {{ ref('ref_charge_components') }}
),

ranked_applications as (
    select * from {{ affected_rows(ref('int_refund_applications_ranked'), 'line_id') }}
),

refund_assignments as (
    select * from {{ affected_rows(ref('fct_refund_assignments'), 'line_id') }}
),

refund_notices as (
    select * from {{ affected_rows(ref('fct_refund_notices'), 'line_id') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

program_refund_waves as (
    select * from {{ ref('stg_program__refund_waves') }}
),

charges_by_component as (
    select
        penalty_charges.line_id,
        penalty_charges.component,
        charge_components.is_waivable,
        cast(sum(penalty_charges.billed_krw) as bigint) as billed_krw,
        cast(sum(penalty_charges.paid_krw) as bigint) as paid_krw
    from penalty_charges
    inner join charge_components
        on penalty_charges.component = charge_components.component
    -- only the lines decided here: most charges belong to terminations outside W1
    where
        penalty_charges.line_id in (
            select waiver_terminations.line_id from waiver_terminations
        )
    group by 1, 2, 3
),

charges_listed as (
    select
        line_id,
        list(
            {
                'component': component,
                'is_waivable': is_waivable,
                'billed_krw': billed_krw,
                'paid_krw': paid_krw
            }
            order by component
        ) as penalty_charges
    from charges_by_component
    group by 1
),

applications_explained as (
    select
        ranked_applications.*,
        case ranked_applications.outcome
            when 'not_eligible' then 'line_' || waiver_terminations.waiver_status
            when 'before_window' then 'applied_before_window'
            when 'accepted' then 'earliest_payable'
            when 'manual_review' then ranked_applications.review_reason
            when 'duplicate' then 'line_decided_by_another_application'
        end as outcome_reason
    from ranked_applications
    inner join waiver_terminations
        on ranked_applications.line_id = waiver_terminations.line_id
),

applications_listed as (
    select
        line_id,
        list(
            {
                'application_id': application_id,
                'channel': channel,
                'applied_at_kst': {{ truncate_to_microseconds('applied_at_kst') }},
                'timing': application_timing,
                'account_holder_matches': account_holder_matches,
                'holder_exception': holder_exception,
                'is_holder_accepted': is_holder_accepted,
                'hardship_reason': hardship_reason,
                'hardship_ended_on': hardship_ended_on,
                'is_hardship_extension': is_hardship_extension,
                'outcome': outcome,
                'review_reason': review_reason,
                'outcome_reason': outcome_reason
            }
            order by applied_at_kst, application_id
        ) as applications,
        count(*) as application_count,
        count_if(application_timing = 'before_window') as before_window_count,
        count_if(application_timing = 'on_time') as on_time_count,
        count_if(application_timing = 'late') as late_count,
        count_if(application_timing = 'on_time' and is_holder_accepted)
            as on_time_payable_count,
        count_if(outcome = 'duplicate') as duplicate_count,
        count_if(outcome = 'not_eligible') as not_eligible_count,
        min(applied_date) filter (
            where outcome in ('accepted', 'manual_review', 'duplicate')
        ) as first_counted_applied_date
    from applications_explained
    group by 1
),

notices_listed as (
    select
        line_id,
        count(*) as reminders_sent,
        list(notice_date order by notice_number) as reminder_dates
    from refund_notices
    group by 1
),

joined as (
    select
        waiver_terminations.*,
        program_parameters.waiver_window_start_date,
        program_parameters.waiver_window_end_date,
        program_parameters.application_window_start_kst,
        program_parameters.application_window_end_kst,
        program_parameters.hardship_grace_days,
        penalties_compared.agreement_id,
        penalties_compared.agreement_type,
        penalties_compared.agreement_start_date,
        penalties_compared.term_months,
        penalties_compared.subsidy_krw,
        penalties_compared.monthly_discount_krw,
        penalties_compared.agreement_end_date,
        penalties_compared.contract_days,
        penalties_compared.days_used,
        penalties_compared.remaining_days,
        penalties_compared.grace_days,
        penalties_compared.expected_subsidy_clawback_krw,
        penalties_compared.expected_selective_discount_clawback_krw,
        penalties_compared.expected_waivable_penalty_krw,
        coalesce(penalty_charges_summed.billed_subsidy_clawback_krw, 0)
            as billed_subsidy_clawback_krw,
        coalesce(penalty_charges_summed.paid_subsidy_clawback_krw, 0)
            as paid_subsidy_clawback_krw,
        coalesce(penalty_charges_summed.billed_selective_discount_clawback_krw, 0)
            as billed_selective_discount_clawback_krw,
        coalesce(penalty_charges_summed.paid_selective_discount_clawback_krw, 0)
            as paid_selective_discount_clawback_krw,
        coalesce(
            charges_listed.penalty_charges,
            cast([] as struct(
                component varchar, is_waivable boolean, billed_krw bigint,
                paid_krw bigint
            )[])
        ) as penalty_charges,
        applications_listed.applications,
        coalesce(applications_listed.application_count, 0) as application_count,
        coalesce(applications_listed.before_window_count, 0) as before_window_count,
        coalesce(applications_listed.on_time_count, 0) as on_time_count,
        coalesce(applications_listed.late_count, 0) as late_count,
        coalesce(applications_listed.on_time_payable_count, 0)
            as on_time_payable_count,
        coalesce(applications_listed.duplicate_count, 0) as duplicate_count,
        coalesce(applications_listed.not_eligible_count, 0) as not_eligible_count,
        applications_listed.first_counted_applied_date,
        refund_assignments.line_id is not null as is_assigned,
        refund_assignments.application_id,
        refund_assignments.channel,
        refund_assignments.applied_at_kst,
        refund_assignments.assignment_status,
        refund_assignments.review_reason,
        refund_assignments.refund_wave,
        refund_assignments.payout_date,
        refund_assignments.refund_krw,
        refund_assignments.cancel_krw,
        winning.application_timing as winning_timing,
        winning.applied_date as winning_applied_date,
        winning.hardship_reason as winning_hardship_reason,
        winning.hardship_ended_on as winning_hardship_ended_on,
        program_refund_waves.terminated_from_date as wave_terminated_from_date,
        program_refund_waves.terminated_to_date as wave_terminated_to_date,
        program_refund_waves.applied_from_kst as wave_applied_from_kst,
        program_refund_waves.applied_before_kst as wave_applied_before_kst,
        case
            when refund_assignments.line_id is not null
                then coalesce(notices_listed.reminders_sent, 0)
        end as reminders_sent,
        case
            when refund_assignments.line_id is not null
                then coalesce(notices_listed.reminder_dates, cast([] as date[]))
        end as reminder_dates
    from waiver_terminations
    cross join program_parameters
    left join penalties_compared
        on waiver_terminations.line_id = penalties_compared.line_id
    left join penalty_charges_summed
        on waiver_terminations.line_id = penalty_charges_summed.line_id
    left join charges_listed
        on waiver_terminations.line_id = charges_listed.line_id
    left join applications_listed
        on waiver_terminations.line_id = applications_listed.line_id
    left join refund_assignments
        on waiver_terminations.line_id = refund_assignments.line_id
    left join ranked_applications as winning
        on refund_assignments.application_id = winning.application_id
    left join program_refund_waves
        on refund_assignments.refund_wave = program_refund_waves.refund_wave
    left join notices_listed
        on waiver_terminations.line_id = notices_listed.line_id
),

decided as (
    select
        *,
        case
            when waiver_status = 'excluded'
                then {{ waiver_exclusion_rule_id('exclusion_reason') }}
            else 'W4'
        end as waiver_decided_by,
        case assignment_status
            when 'scheduled' then 'A5'
            when 'not_applied' then 'A6'
            when 'manual_review' then
                case review_reason
                    when 'account_holder_mismatch' then 'A3'
                    else 'A4'
                end
        end as assignment_decided_by,
        case
            when assignment_status = 'scheduled' then 'refund_scheduled'
            when assignment_status = 'manual_review' then 'manual_review'
            when assignment_status = 'not_applied' and refund_krw > 0 then 'unclaimed'
            when assignment_status = 'not_applied' then 'nothing_to_refund'
        end as remediation_state,
        case
            when agreement_id is null then 'no_agreement'
            when days_used >= contract_days then 'term_completed'
            when days_used <= grace_days then 'within_grace'
            else 'prorated'
        end as penalty_basis
    from joined
),

traced as (
    select
        *,
        {{ rule_trace([
            trace_step('W1', "'in_waiver_population'", [
                ('termination_type', 'termination_type'),
                ('terminated_at_kst', 'terminated_at_kst'),
                ('waiver_window', "concat(waiver_window_start_date, '..',"
                    ~ " waiver_window_end_date)"),
            ]),
            trace_step('W2.1', "case when is_mvno then 'applies'"
                ~ " else 'does_not_apply' end", [
                ('network', 'network'),
                ('mvno_brand', 'mvno_brand'),
            ]),
            trace_step('W2.2', "case when is_iot_or_special then 'applies'"
                ~ " else 'does_not_apply' end", [
                ('line_class', 'line_class'),
            ]),
            trace_step('W2.3', "case when is_prepaid then 'applies'"
                ~ " else 'does_not_apply' end", [
                ('payment_type', 'payment_type'),
            ]),
            trace_step('W2.4', "case when is_forced_termination then 'applies'"
                ~ " else 'does_not_apply' end", [
                ('termination_type', 'termination_type'),
            ]),
            trace_step('W2.5', "case when is_new_since_base_date then 'applies'"
                ~ " else 'does_not_apply' end", [
                ('activated_at_kst', "coalesce(cast(activated_at_kst as varchar),"
                    ~ " 'none')"),
                ('lines_activated_at_kst', 'case when has_activation_mismatch'
                    ~ ' then coalesce(cast(line_activated_at_kst as varchar),'
                    ~ " 'none') end"),
                ('activation_source', "case when has_activation_mismatch"
                    ~ " then 'activation_event_overrides_lines' end"),
                ('base_cutoff_kst', 'base_cutoff_kst'),
            ]),
            trace_step('W2.6', "case when has_device_change_since_base_date"
                ~ " then 'applies' else 'does_not_apply' end", [
                ('first_device_change_at_kst', "coalesce(cast("
                    ~ "first_device_change_at_kst as varchar), 'none')"),
                ('base_cutoff_kst', 'base_cutoff_kst'),
                ('terminated_at_kst', 'terminated_at_kst'),
            ]),
            trace_step('W2.7', "case when has_recontract_since_base_date"
                ~ " then 'applies' else 'does_not_apply' end", [
                ('first_recontract_at_kst', "coalesce(cast("
                    ~ "first_recontract_at_kst as varchar), 'none')"),
                ('base_cutoff_kst', 'base_cutoff_kst'),
                ('terminated_at_kst', 'terminated_at_kst'),
            ]),
            trace_step('W2.8', "case when has_rejoined then 'applies'"
                ~ " else 'does_not_apply' end", [
                ('rejoined_activated_at_kst', "coalesce(cast("
                    ~ "rejoined_activated_at_kst as varchar), 'none')"),
                ('rejoin_by_date', 'waiver_window_end_date'),
            ]),
            trace_step('W4', "case when waiver_status = 'excluded'"
                ~ " then 'not_applicable' else waiver_status end", [
                ('excluded_by', "case when waiver_status = 'excluded'"
                    ~ " then waiver_decided_by end"),
                ('exclusion_reasons', "case when waiver_status = 'excluded'"
                    ~ " then exclusion_reasons end"),
                ('waivable_billed_krw', 'waivable_billed_krw'),
                ('waivable_paid_krw', 'waivable_paid_krw'),
            ]),
            trace_step('A2', "case when winning_timing is not null then"
                ~ " winning_timing when before_window_count > 0 then"
                ~ " 'before_window_only' end", [
                ('applications', 'application_count'),
                ('before_window', 'before_window_count'),
                ('on_time', 'on_time_count'),
                ('late', 'late_count'),
                ('application_window', "concat(application_window_start_kst,"
                    ~ " '..', application_window_end_kst)"),
            ], when='is_assigned and application_count > 0'),
            trace_step('A3', "case when assignment_status = 'scheduled'"
                ~ " then 'payable' else review_reason end", [
                ('on_time', 'on_time_count'),
                ('on_time_payable', 'on_time_payable_count'),
            ], when="on_time_count > 0 and is_assigned"
                ~ " and (assignment_status = 'scheduled'"
                ~ " or review_reason = 'account_holder_mismatch')"),
            trace_step('A4', 'review_reason', [
                ('applied_date', 'winning_applied_date'),
                ('hardship_reason', 'winning_hardship_reason'),
                ('hardship_ended_on', 'winning_hardship_ended_on'),
                ('hardship_grace_days', 'case when winning_hardship_reason'
                    ~ ' is not null then hardship_grace_days end'),
            ], when="review_reason in ('hardship_extension', 'late_application')"),
            trace_step('A5', "'scheduled'", [
                ('refund_wave', 'refund_wave'),
                ('payout_date', 'payout_date'),
                ('terminated_date', 'terminated_date'),
                ('wave_terminated', "concat(wave_terminated_from_date, '..',"
                    ~ " wave_terminated_to_date)"),
                ('applied_at_kst', 'applied_at_kst'),
                ('wave_applied_from_kst', 'wave_applied_from_kst'),
                ('wave_applied_before_kst', "coalesce(cast(wave_applied_before_kst"
                    ~ " as varchar), 'window_end')"),
            ], when="assignment_status = 'scheduled'"),
            trace_step('A6', "case when is_assigned then case assignment_status"
                ~ " when 'scheduled' then 'accepted' else assignment_status end"
                ~ " else 'not_eligible' end", [
                ('applied_at_kst', 'applied_at_kst'),
                ('applications', 'application_count'),
                ('duplicates', 'case when is_assigned then duplicate_count end'),
                ('before_window', 'case when is_assigned then before_window_count'
                    ~ ' end'),
                ('not_eligible', 'case when not is_assigned then not_eligible_count'
                    ~ ' end'),
            ], when='is_assigned or application_count > 0'),
            trace_step('A7', 'remediation_state', [
                ('refund_krw', 'refund_krw'),
                ('cancel_krw', 'cancel_krw'),
            ], when='is_assigned'),
            trace_step('N2', "case when reminders_sent > 0 then 'reminded'"
                ~ " else 'not_reminded' end", [
                ('reminders_sent', 'reminders_sent'),
                ('reminder_dates', 'reminder_dates'),
                ('first_counted_applied_date', 'first_counted_applied_date'),
            ], when='is_assigned'),
            trace_step('P1', "case when agreement_id is null then 'no_agreement'"
                ~ " else 'agreement_in_force' end", [
                ('penalty_date', 'terminated_date'),
                ('agreement_type', 'agreement_type'),
                ('S', 'agreement_start_date'),
                ('T', 'term_months'),
                ('E', 'agreement_end_date'),
                ('C', 'contract_days'),
                ('U', 'days_used'),
                ('R', 'case when agreement_id is not null then remaining_days end'),
                ('G', 'grace_days'),
                ('basis', 'penalty_basis'),
            ]),
            trace_step('P2', "case when expected_subsidy_clawback_krw"
                ~ " = billed_subsidy_clawback_krw then 'matches_billing'"
                ~ " else 'differs_from_billing' end", [
                ('subsidy_krw', 'subsidy_krw'),
                ('expected_krw', 'expected_subsidy_clawback_krw'),
                ('billed_krw', 'billed_subsidy_clawback_krw'),
                ('paid_krw', 'paid_subsidy_clawback_krw'),
            ]),
            trace_step('P3', "case when expected_selective_discount_clawback_krw"
                ~ " = billed_selective_discount_clawback_krw then 'matches_billing'"
                ~ " else 'differs_from_billing' end", [
                ('monthly_discount_krw', 'monthly_discount_krw'),
                ('expected_krw', 'expected_selective_discount_clawback_krw'),
                ('billed_krw', 'billed_selective_discount_clawback_krw'),
                ('paid_krw', 'paid_selective_discount_clawback_krw'),
            ]),
        ]) }} as rule_trace
    from decided
),

final as (
    select
        line_id,
        customer_id,
        termination_event_id,
        termination_type,
        {{ truncate_to_microseconds('terminated_at_kst') }} as terminated_at_kst,
        terminated_date,
        line_class,
        network,
        mvno_brand,
        payment_type,
        waiver_status,
        exclusion_reason,
        exclusion_reasons,
        waiver_decided_by,
        is_mvno,
        is_iot_or_special,
        is_prepaid,
        is_forced_termination,
        is_new_since_base_date,
        has_device_change_since_base_date,
        has_recontract_since_base_date,
        has_rejoined,
        base_cutoff_kst,
        {{ truncate_to_microseconds('activated_at_kst') }} as activated_at_kst,
        {{ truncate_to_microseconds('line_activated_at_kst') }}
            as line_activated_at_kst,
        has_activation_mismatch,
        case
            when has_device_change_since_base_date then first_device_change_event_id
        end as device_change_event_id,
        case
            when has_device_change_since_base_date
                then {{ truncate_to_microseconds('first_device_change_at_kst') }}
        end as device_change_at_kst,
        case
            when has_recontract_since_base_date then first_recontract_event_id
        end as recontract_event_id,
        case
            when has_recontract_since_base_date
                then {{ truncate_to_microseconds('first_recontract_at_kst') }}
        end as recontract_at_kst,
        rejoined_line_id,
        {{ truncate_to_microseconds('rejoined_activated_at_kst') }}
            as rejoined_activated_at_kst,
        agreement_id,
        agreement_type,
        agreement_start_date,
        term_months,
        subsidy_krw,
        monthly_discount_krw,
        agreement_end_date,
        contract_days,
        days_used,
        remaining_days,
        grace_days,
        penalty_basis,
        expected_subsidy_clawback_krw,
        expected_selective_discount_clawback_krw,
        expected_waivable_penalty_krw,
        billed_subsidy_clawback_krw,
        paid_subsidy_clawback_krw,
        billed_selective_discount_clawback_krw,
        paid_selective_discount_clawback_krw,
        waivable_billed_krw,
        waivable_paid_krw,
        expected_subsidy_clawback_krw = billed_subsidy_clawback_krw
            as is_subsidy_clawback_matched,
        expected_selective_discount_clawback_krw
        = billed_selective_discount_clawback_krw
            as is_selective_discount_clawback_matched,
        expected_waivable_penalty_krw = waivable_billed_krw
            as is_waivable_penalty_matched,
        penalty_charges,
        application_count,
        coalesce(
            applications,
            cast([] as struct(
                application_id varchar, channel varchar, applied_at_kst timestamp,
                timing varchar, account_holder_matches boolean,
                holder_exception varchar, is_holder_accepted boolean,
                hardship_reason varchar, hardship_ended_on date,
                is_hardship_extension boolean, outcome varchar,
                review_reason varchar, outcome_reason varchar
            )[])
        ) as applications,
        assignment_status,
        review_reason,
        assignment_decided_by,
        application_id,
        channel,
        applied_at_kst,
        refund_wave,
        payout_date,
        wave_terminated_from_date,
        wave_terminated_to_date,
        wave_applied_from_kst,
        wave_applied_before_kst,
        application_window_start_kst,
        application_window_end_kst,
        refund_krw,
        cancel_krw,
        remediation_state,
        reminders_sent,
        reminder_dates,
        rule_trace
    from traced
)

select * from final
