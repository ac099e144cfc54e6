{#- Regulator package table `refunds_by_wave_and_channel` (A1-A7): eligible lines by
    assignment status, refund wave, payout date, channel and review reason, with the
    refund (waivable paid) and the write-off (billed, unpaid). The one place refund
    totals are added up: the dashboard (rpt_refund_assignments_by_status, the refunds
    page), rpt_reconciliation__refunds and `remedy summary` read them from here. -#}
with

refund_assignments as (
    select * from {{ ref('fct_refund_assignments') }}
),

summarised as (
    select
        assignment_status,
        refund_wave,
        payout_date,
        channel,
        review_reason,
        count(*) as lines,
        coalesce(sum(refund_krw), 0) as refund_krw,
        coalesce(sum(cancel_krw), 0) as cancel_krw
    from refund_assignments
    group by 1, 2, 3, 4, 5
),

final as (
    select
        cast(assignment_status as varchar) as assignment_status,
        cast(refund_wave as bigint) as refund_wave,
        cast(payout_date as date) as payout_date,
        cast(channel as varchar) as channel,
        cast(review_reason as varchar) as review_reason,
        cast(lines as bigint) as lines,
        cast(refund_krw as bigint) as refund_krw,
        cast(cancel_krw as bigint) as cancel_krw
    from summarised
)

select * from final
