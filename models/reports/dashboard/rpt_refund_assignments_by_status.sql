{#- Eligible lines per assignment status with their refund and write-off (A5-A7): the
    refund totals of rpt_regulator__refunds_by_wave_and_channel added up per status.
    Read by the dashboard's refunds page, rpt_reconciliation__refunds and
    __determinations, and `remedy summary`. -#}
with

refunds_by_wave_and_channel as (
    select * from {{ ref('rpt_regulator__refunds_by_wave_and_channel') }}
),

summarised as (
    select
        assignment_status,
        sum(lines) as lines,
        sum(refund_krw) as refund_krw,
        sum(cancel_krw) as cancel_krw
    from refunds_by_wave_and_channel
    group by 1
),

final as (
    select
        cast(assignment_status as varchar) as assignment_status,
        cast(lines as bigint) as lines,
        cast(refund_krw as bigint) as refund_krw,
        cast(cancel_krw as bigint) as cancel_krw
    from summarised
)

select * from final
