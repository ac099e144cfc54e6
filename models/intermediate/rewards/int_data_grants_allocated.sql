{#- R2: one row per monthly data grant a line receives. A view, not a table: at
    scale 1.0 this is about 6 x 15 M rows, and the mart is the only copy worth
    storing.

    A grant goes to a population line that is neither iot/special nor prepaid and
    whose service interval covering 00:00 KST of the grant date is `in_service`
    (suspended and terminated lines get nothing; a termination is open-ended, so no
    later grants). Only in_service intervals that overlap the span of the grant
    instants take part in the range join, which keeps it close to one interval per
    line. -#}
{{ config(materialized='view') }}

with

population as (
    select * from {{ ref('int_reward_population_selected') }}
),

status_intervals as (
    select * from {{ ref('int_line_status_intervals') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

grant_instants as (
    select
        grant_number,
        grant_date,
        cast(grant_date as timestamp) as granted_at_kst,
        last_day(grant_date) as period_end,
        quantity,
        unit
    from program_data_grants
),

grant_span as (
    select
        min(granted_at_kst) as first_granted_at_kst,
        max(granted_at_kst) as last_granted_at_kst
    from grant_instants
),

eligible_lines as (
    select
        line_id,
        customer_id
    from population
    where not is_iot_or_special and not is_prepaid
),

service_intervals as (
    select
        status_intervals.line_id,
        status_intervals.valid_from_kst,
        coalesce(status_intervals.valid_to_kst, cast('infinity' as timestamp))
            as valid_to_kst
    from status_intervals
    cross join grant_span
    where
        status_intervals.status = 'in_service'
        and status_intervals.valid_from_kst <= grant_span.last_granted_at_kst
        and (
            status_intervals.valid_to_kst is null
            or status_intervals.valid_to_kst > grant_span.first_granted_at_kst
        )
),

granted as (
    select
        eligible_lines.line_id,
        eligible_lines.customer_id,
        grant_instants.grant_number,
        grant_instants.grant_date as period_start,
        grant_instants.period_end,
        grant_instants.quantity,
        grant_instants.unit
    from service_intervals
    inner join grant_instants
        on service_intervals.valid_from_kst <= grant_instants.granted_at_kst
            and service_intervals.valid_to_kst > grant_instants.granted_at_kst
    inner join eligible_lines
        on service_intervals.line_id = eligible_lines.line_id
)

select * from granted
