{#- R1: the reward population, every KT-network line in service at the program's
    reward_population_as_of_kst, read literally: activated before that instant and not
    terminated before it (a termination exactly at the instant keeps the line in). The
    class and payment flags ride along because each benefit excludes differently. A view over
    the line dimension: consumers read the lines they need. -#}
{{ config(materialized='view') }}

with

lines as (
    select
        line_id,
        customer_id,
        is_kt_network,
        is_iot_or_special,
        is_prepaid,
        {{ local_time_ns('activated_at_kst', 'activated_at_nanoseconds') }}
            as activated_at_kst,
        {{ local_time_ns('terminated_at_kst', 'terminated_at_nanoseconds') }}
            as terminated_at_kst
    from {{ ref('dim_lines') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

selected as (
    select
        lines.line_id,
        lines.customer_id,
        lines.is_iot_or_special,
        lines.is_prepaid,
        lines.activated_at_kst,
        lines.terminated_at_kst
    from lines
    cross join program_parameters
    where
        lines.is_kt_network
        and lines.activated_at_kst < program_parameters.reward_population_as_of_kst
        and (
            lines.terminated_at_kst is null
            or lines.terminated_at_kst >= program_parameters.reward_population_as_of_kst
        )
)

select * from selected
