{#- Regulator package table `unclaimed_refunds_totals` (A6, A7, N2; issue 11): the
    unclaimed-refund register by whether the application window had closed by the
    latest instant in the landing data (`closed` / `open`) and by reminders sent. -#}
with

unclaimed_refunds as (
    select * from {{ ref('fct_unclaimed_refunds') }}
),

summarised as (
    select
        case when is_window_closed then 'closed' else 'open' end as application_window,
        reminders_sent,
        count(*) as lines,
        coalesce(sum(refund_krw), 0) as refund_krw,
        coalesce(sum(cancel_krw), 0) as cancel_krw,
        max(data_as_of_kst) as data_as_of_kst
    from unclaimed_refunds
    group by 1, 2
),

final as (
    select
        cast(application_window as varchar) as application_window,
        cast(reminders_sent as bigint) as reminders_sent,
        cast(lines as bigint) as lines,
        cast(refund_krw as bigint) as refund_krw,
        cast(cancel_krw as bigint) as cancel_krw,
        cast(data_as_of_kst as timestamp) as data_as_of_kst
    from summarised
)

select * from final
