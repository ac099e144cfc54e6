{#- A6, A7, N2 / issue 11: the unclaimed-refund register. One row per eligible line that
    is owed money (refund_krw > 0) and has no payable application: neither scheduled
    in a wave nor held in manual review (remediation_state `unclaimed` of
    fct_waiver_determinations). Such a line can only have applications rejected as
    before_window. Whether the application window had closed is judged against the
    latest instant seen in the landing data (int_landing_instants_summarised), never
    a wall clock, so the same landing data always gives the same register. -#}
with

determinations as (
    select * from {{ ref('fct_waiver_determinations') }}
),

landing_instants as (
    select * from {{ ref('int_landing_instants_summarised') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

unclaimed as (
    select * from determinations
    where remediation_state = 'unclaimed'
),

final as (
    select
        unclaimed.line_id,
        unclaimed.customer_id,
        unclaimed.termination_type,
        unclaimed.refund_krw,
        unclaimed.cancel_krw,
        unclaimed.reminders_sent,
        -- a not_applied line's applications were all rejected as before_window (A6)
        unclaimed.application_count as before_window_applications,
        landing_instants.data_as_of_kst > program_parameters.application_window_end_kst
            as is_window_closed,
        unclaimed.reminder_dates,
        unclaimed.reminder_dates[-1] as last_reminder_date,
        unclaimed.terminated_date,
        program_parameters.application_window_end_kst,
        {{ truncate_to_microseconds('landing_instants.data_as_of_kst') }}
            as data_as_of_kst
    from unclaimed
    cross join landing_instants
    cross join program_parameters
)

select * from final
