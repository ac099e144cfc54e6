{#- Regulator package table `refund_notices_by_date` (N2): reminder notices sent, by
    notice number and date. -#}
with

refund_notices as (
    select * from {{ ref('fct_refund_notices') }}
),

summarised as (
    select
        notice_number,
        notice_date,
        count(*) as lines
    from refund_notices
    group by 1, 2
),

final as (
    select
        cast(notice_number as bigint) as notice_number,
        cast(notice_date as date) as notice_date,
        cast(lines as bigint) as lines
    from summarised
)

select * from final
