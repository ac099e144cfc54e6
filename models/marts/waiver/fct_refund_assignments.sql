{#- A5-A7: one row per line whose waiver_status is `eligible`: its winning application
    (the `accepted` or `manual_review` one, if any), the assignment that follows from it
    and the refund (paid) and write-off (billed but unpaid) of its waivable penalty. A
    scheduled line goes to the wave of program_refund_waves whose termination date range
    holds its termination's KST date and whose application range holds its applied_at
    (applied_from_kst inclusive, applied_before_kst exclusive, null = up to the end of
    the application window). -#}
with

waiver_terminations as (
    select * from {{ ref('int_waiver_terminations_classified') }}
),

ranked_applications as (
    select * from {{ ref('int_refund_applications_ranked') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

program_refund_waves as (
    select * from {{ ref('stg_program__refund_waves') }}
),

eligible_lines as (
    select * from waiver_terminations
    where waiver_status = 'eligible'
),

winning_applications as (
    select * from ranked_applications
    where outcome in ('accepted', 'manual_review')
),

assigned as (
    select
        eligible_lines.line_id,
        winning_applications.application_id,
        winning_applications.channel,
        winning_applications.applied_at_kst,
        case winning_applications.outcome
            when 'accepted' then 'scheduled'
            when 'manual_review' then 'manual_review'
            else 'not_applied'
        end as assignment_status,
        winning_applications.review_reason,
        eligible_lines.waivable_paid_krw as refund_krw,
        eligible_lines.waivable_billed_krw - eligible_lines.waivable_paid_krw
            as cancel_krw,
        eligible_lines.terminated_date
    from eligible_lines
    left join winning_applications
        on eligible_lines.line_id = winning_applications.line_id
),

waves as (
    select
        program_refund_waves.refund_wave,
        program_refund_waves.payout_date,
        program_refund_waves.terminated_from_date,
        program_refund_waves.terminated_to_date,
        program_refund_waves.applied_from_kst,
        program_refund_waves.applied_before_kst,
        program_parameters.application_window_end_kst
    from program_refund_waves
    cross join program_parameters
),

final as (
    select
        assigned.line_id,
        assigned.application_id,
        assigned.channel,
        {{ truncate_to_microseconds('assigned.applied_at_kst') }} as applied_at_kst,
        assigned.assignment_status,
        assigned.review_reason,
        waves.refund_wave,
        waves.payout_date,
        assigned.refund_krw,
        assigned.cancel_krw,
        assigned.terminated_date
    from assigned
    left join waves
        on assigned.assignment_status = 'scheduled'
            and assigned.terminated_date
            between waves.terminated_from_date and waves.terminated_to_date
            and assigned.applied_at_kst >= waves.applied_from_kst
            and (
                assigned.applied_at_kst < waves.applied_before_kst
                or (
                    waves.applied_before_kst is null
                    and assigned.applied_at_kst <= waves.application_window_end_kst
                )
            )
)

select * from final
