{#- A1-A6, published: one row per received application that passed the source contract,
    with its one outcome (int_refund_applications_ranked decides it). -#}
with

ranked_applications as (
    select * from {{ ref('int_refund_applications_ranked') }}
),

final as (
    select
        application_id,
        line_id,
        {{ truncate_to_microseconds('applied_at_kst') }} as applied_at_kst,
        channel,
        outcome,
        review_reason,
        applied_date
    from ranked_applications
)

select * from final
