{#- Regulator package table `remediation_status_by_state` (A5-A7, N2; issue 11): where
    every waiver-population line ends up, by waiver status, remediation state (`none`
    for lines that are not eligible) and review reason, with lines and won. Waivable
    paid of eligible lines = refund_krw of refund_scheduled + manual_review +
    unclaimed. The dashboard's manual-review summary reads its manual_review rows. -#}
with

determinations as (
    select * from {{ ref('fct_waiver_determinations') }}
),

summarised as (
    select
        waiver_status,
        coalesce(remediation_state, 'none') as remediation_state,
        review_reason,
        count(*) as lines,
        coalesce(sum(waivable_billed_krw), 0) as waivable_billed_krw,
        coalesce(sum(waivable_paid_krw), 0) as waivable_paid_krw,
        coalesce(sum(refund_krw), 0) as refund_krw,
        coalesce(sum(cancel_krw), 0) as cancel_krw
    from determinations
    group by 1, 2, 3
),

final as (
    select
        cast(waiver_status as varchar) as waiver_status,
        cast(remediation_state as varchar) as remediation_state,
        cast(review_reason as varchar) as review_reason,
        cast(lines as bigint) as lines,
        cast(waivable_billed_krw as bigint) as waivable_billed_krw,
        cast(waivable_paid_krw as bigint) as waivable_paid_krw,
        cast(refund_krw as bigint) as refund_krw,
        cast(cancel_krw as bigint) as cancel_krw
    from summarised
)

select * from final
