{#- R1: the reward population, every KT-network line in service at the program's
    reward_population_as_of_kst, read literally: activated before that instant and not
    terminated before it (a termination exactly at the instant keeps the line in). The
    class and payment flags ride along because each benefit excludes differently. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_column='line_id',
    affected_partitions='lines',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('stg_landing__affected_lines') }}
{{ assert_incremental_mode() }}

with

lines as (
    select * from {{ ref('int_lines_joined_to_customers') }}
    where {{ in_affected_partitions('line_id') }}
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
