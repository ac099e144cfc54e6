{#- Waiver-population controls (W1, W4, A6; integrity): the lines with a terminating
    event inside the waiver window are the waiver population, which is partitioned by
    waiver status, and the eligible lines are partitioned by assignment status. The
    population side is the published figure (rpt_regulator__waiver_population_by_
    status_and_reason); the window is recounted from the accepted events. -#}
with

contract_events as (
    select * from {{ ref('fct_contract_events') }}
),

event_types as (
    select * from {{ ref('ref_event_types') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

waiver_population as (
    select * from {{ ref('rpt_regulator__waiver_population_by_status_and_reason') }}
),

assignments_by_status as (
    select * from {{ ref('rpt_refund_assignments_by_status') }}
),

terminations_in_window as (
    select count(distinct contract_events.line_id) as lines_terminated
    from contract_events
    inner join event_types
        on contract_events.event_type = event_types.event_type
    cross join program_parameters
    where
        event_types.is_terminating
        and contract_events.event_date
        between program_parameters.waiver_window_start_date
        and program_parameters.waiver_window_end_date
),

waiver_figures as (
    select
        coalesce(sum(lines), 0) as population,
        coalesce(sum(lines) filter (where waiver_status = 'eligible'), 0) as eligible,
        coalesce(
            sum(lines) filter (where waiver_status = 'eligible_no_penalty'), 0
        ) as eligible_no_penalty,
        coalesce(sum(lines) filter (where waiver_status = 'excluded'), 0) as excluded
    from waiver_population
),

assignment_figures as (
    select
        coalesce(sum(lines) filter (where assignment_status = 'scheduled'), 0)
            as scheduled,
        coalesce(sum(lines) filter (where assignment_status = 'manual_review'), 0)
            as manual_review,
        coalesce(sum(lines) filter (where assignment_status = 'not_applied'), 0)
            as not_applied
    from assignments_by_status
),

controls as (
    select
        'waiver_population__terminations_in_window' as check_name,
        terminations_in_window.lines_terminated as expected,
        waiver_figures.population as actual
    from waiver_figures
    cross join terminations_in_window

    union all

    select
        'waiver_population__by_status' as check_name,
        population as expected,
        eligible + eligible_no_penalty + excluded as actual
    from waiver_figures

    union all

    select
        'eligible__by_assignment_status' as check_name,
        waiver_figures.eligible as expected,
        assignment_figures.scheduled + assignment_figures.manual_review
        + assignment_figures.not_applied as actual
    from waiver_figures
    cross join assignment_figures
),

final as (
    {{ control_figures('controls', severity='integrity') }}
)

select * from final
