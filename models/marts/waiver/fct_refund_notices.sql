{#- N2: one row per (eligible line, reminder): reminder k of program_reminder_dates goes
    to every eligible line without an application dated (KST) on or before its date.
    Applications rejected as before_window do not count (the customer must apply again);
    every other application of an eligible line does, late ones included. -#}
with

waiver_terminations as (
    select * from {{ ref('int_waiver_terminations_classified') }}
),

ranked_applications as (
    select * from {{ ref('int_refund_applications_ranked') }}
),

program_reminder_dates as (
    select * from {{ ref('stg_program__reminder_dates') }}
),

eligible_lines as (
    select line_id from waiver_terminations
    where waiver_status = 'eligible'
),

first_applications as (
    select
        line_id,
        min(applied_date) as first_applied_date
    from ranked_applications
    where outcome in ('accepted', 'manual_review', 'duplicate')
    group by 1
),

final as (
    select
        eligible_lines.line_id,
        program_reminder_dates.notice_number,
        program_reminder_dates.notice_date
    from eligible_lines
    cross join program_reminder_dates
    left join first_applications
        on eligible_lines.line_id = first_applications.line_id
    where
        first_applications.first_applied_date is null
        or first_applications.first_applied_date > program_reminder_dates.notice_date
)

select * from final
