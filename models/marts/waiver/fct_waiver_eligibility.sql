{#- W1-W4, published: one row per line whose terminating event falls in the waiver
    window (int_waiver_terminations_classified holds the logic; refunds read that
    model too). -#}
with

waiver_terminations as (
    select * from {{ ref('int_waiver_terminations_classified') }}
),

final as (
    select
        line_id,
        customer_id,
        termination_event_id,
        termination_type,
        {{ truncate_to_microseconds('terminated_at_kst') }} as terminated_at_kst,
        waiver_status,
        exclusion_reason,
        exclusion_reasons,
        waivable_billed_krw,
        waivable_paid_krw,
        line_class,
        terminated_date
    from waiver_terminations
)

select * from final
