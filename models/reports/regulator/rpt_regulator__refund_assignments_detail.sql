{#- Regulator package table `refund_assignments_detail` (A1-A7): one row per eligible
    line with its termination, winning application, assignment, wave and amounts. The
    identifiers are the warehouse's own: `remedy extract` replaces them with keyed
    pseudonyms (the key never reaches the warehouse). -#}
with

refund_assignments as (
    select * from {{ ref('fct_refund_assignments') }}
),

waiver_eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
),

final as (
    select
        cast(refund_assignments.line_id as varchar) as line_id,
        cast(waiver_eligibility.customer_id as varchar) as customer_id,
        cast(refund_assignments.application_id as varchar) as application_id,
        cast(waiver_eligibility.termination_type as varchar) as termination_type,
        cast(waiver_eligibility.terminated_at_kst as date) as terminated_date,
        cast(refund_assignments.channel as varchar) as channel,
        cast(refund_assignments.applied_at_kst as timestamp) as applied_at_kst,
        cast(refund_assignments.assignment_status as varchar) as assignment_status,
        cast(refund_assignments.review_reason as varchar) as review_reason,
        cast(refund_assignments.refund_wave as bigint) as refund_wave,
        cast(refund_assignments.payout_date as date) as payout_date,
        cast(refund_assignments.refund_krw as bigint) as refund_krw,
        cast(refund_assignments.cancel_krw as bigint) as cancel_krw
    from refund_assignments
    left join waiver_eligibility
        on refund_assignments.line_id = waiver_eligibility.line_id
)

select * from final
