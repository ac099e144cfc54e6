{#- A5 for readers of the published schema: one row per refund wave of the active
    program with its payout date, the termination days it covers and the application
    times it takes, so dashboards can mark the cut-offs without reading the program
    seeds. A wave without applied_before_kst runs to the end of the application window
    (inclusive). -#}
with

program_refund_waves as (
    select * from {{ ref('stg_program__refund_waves') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

final as (
    select
        program_refund_waves.program_id,
        program_refund_waves.refund_wave,
        program_refund_waves.payout_date,
        program_refund_waves.terminated_from_date,
        program_refund_waves.terminated_to_date,
        program_refund_waves.applied_from_kst,
        program_refund_waves.applied_before_kst,
        program_parameters.application_window_start_kst,
        program_parameters.application_window_end_kst
    from program_refund_waves
    cross join program_parameters
)

select * from final
