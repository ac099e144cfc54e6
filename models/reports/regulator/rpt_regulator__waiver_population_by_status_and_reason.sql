{#- Regulator package table `waiver_population_by_status_and_reason` (W1-W4): the waiver
    population by status and first exclusion reason, with the waivable penalty billed
    and already paid. Also the waiver figures of rpt_reconciliation__waiver, __refunds
    and __determinations. -#}
with

waiver_eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
),

summarised as (
    select
        waiver_status,
        exclusion_reason,
        count(*) as lines,
        coalesce(sum(waivable_billed_krw), 0) as waivable_billed_krw,
        coalesce(sum(waivable_paid_krw), 0) as waivable_paid_krw
    from waiver_eligibility
    group by 1, 2
),

final as (
    select
        cast(waiver_status as varchar) as waiver_status,
        cast(exclusion_reason as varchar) as exclusion_reason,
        cast(lines as bigint) as lines,
        cast(waivable_billed_krw as bigint) as waivable_billed_krw,
        cast(waivable_paid_krw as bigint) as waivable_paid_krw
    from summarised
)

select * from final
