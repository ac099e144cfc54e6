-- Identity (A7): the sum of refund_krw over all assignments (scheduled in any wave
-- or not) equals the waivable amount paid by the eligible lines, and refund + cancel
-- equals what they were billed. Returns one row when either sum disagrees.
with

eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
    where waiver_status = 'eligible'
),

assignments as (
    select * from {{ ref('fct_refund_assignments') }}
),

eligible_totals as (
    select
        coalesce(sum(waivable_paid_krw), 0) as waivable_paid_krw,
        coalesce(sum(waivable_billed_krw), 0) as waivable_billed_krw
    from eligibility
),

assignment_totals as (
    select
        coalesce(sum(refund_krw), 0) as refund_krw,
        coalesce(sum(refund_krw + cancel_krw), 0) as refund_and_cancel_krw
    from assignments
)

select
    eligible_totals.waivable_paid_krw,
    assignment_totals.refund_krw,
    eligible_totals.waivable_billed_krw,
    assignment_totals.refund_and_cancel_krw
from eligible_totals
cross join assignment_totals
where
    eligible_totals.waivable_paid_krw <> assignment_totals.refund_krw
    or eligible_totals.waivable_billed_krw <> assignment_totals.refund_and_cancel_krw
