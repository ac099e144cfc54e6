{#- A5-A7 / issue 11: how far the landing data reaches, with no wall clock. One row: the
    latest KST instant of an accepted contract event and of an accepted refund
    application, and the later of the two (data_as_of_kst). Whether the application
    window has closed is judged against data_as_of_kst, so the same landing data always
    gives the same marts. -#}
with

events as (
    select * from {{ ref('fct_contract_events') }}
),

applications as (
    select * from {{ ref('stg_landing__refund_applications') }}
),

latest_event as (
    select max(event_at_kst) as latest_event_at_kst
    from events
),

latest_application as (
    select max(applied_at_kst) as latest_applied_at_kst
    from applications
),

final as (
    select
        latest_event.latest_event_at_kst,
        latest_application.latest_applied_at_kst,
        greatest(
            latest_event.latest_event_at_kst,
            latest_application.latest_applied_at_kst
        ) as data_as_of_kst
    from latest_event
    cross join latest_application
)

select * from final
