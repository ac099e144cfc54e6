{#- R2: one row per monthly data grant a line receives. A view, not a table: at
    scale 1.0 this is about 6 x 12 M rows, and the mart is the only copy worth
    storing.

    A grant goes to a population line that is neither iot/special nor prepaid, that is
    in service at 00:00 KST of the grant date (activated at or before it, not terminated
    at or before it: a terminated line gets no later grants) and not suspended then
    (int_line_suspensions_at_grants). -#}
{{ partition_view('lines') }}

with

population as (
    select * from {{ ref('int_reward_population_selected') }}
),

suspensions as (
    select * from {{ ref('int_line_suspensions_at_grants') }}
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

eligible_lines as (
    select
        line_id,
        customer_id,
        activated_at_kst,
        terminated_at_kst
    from population
    where not is_iot_or_special and not is_prepaid
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
    from eligible_lines
    inner join grant_instants
        on eligible_lines.activated_at_kst <= grant_instants.granted_at_kst
            and (
                eligible_lines.terminated_at_kst is null
                or eligible_lines.terminated_at_kst > grant_instants.granted_at_kst
            )
    left join suspensions
        on eligible_lines.line_id = suspensions.line_id
            and grant_instants.grant_number = suspensions.grant_number
    where suspensions.line_id is null
)

select * from granted
