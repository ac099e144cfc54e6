-- Identity: waiver population = eligible + eligible_no_penalty + excluded. The
-- population is recounted from the line dimension (terminating event's KST date in
-- the window) and compared with the mart's rows per status; a row is returned when
-- they differ.
with

lines as (
    select * from {{ ref('int_lines_joined_to_customers') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
),

population as (
    select count(*) as lines_in_window
    from lines
    inner join program_parameters
        on lines.terminated_date between program_parameters.waiver_window_start_date
            and program_parameters.waiver_window_end_date
),

by_status as (
    select
        count_if(waiver_status = 'eligible') as eligible,
        count_if(waiver_status = 'eligible_no_penalty') as eligible_no_penalty,
        count_if(waiver_status = 'excluded') as excluded
    from eligibility
)

select
    population.lines_in_window,
    by_status.eligible,
    by_status.eligible_no_penalty,
    by_status.excluded
from population
cross join by_status
where
    population.lines_in_window
    <> by_status.eligible + by_status.eligible_no_penalty + by_status.excluded
