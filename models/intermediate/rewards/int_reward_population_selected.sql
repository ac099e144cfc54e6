{#- R1: the reward population, every line dim_lines puts in it (is_reward_population:
    a KT-network line in service at the program's reward_population_as_of_kst, decided
    once, in the line dimension). The class and payment flags ride along because each
    benefit excludes differently; the KST times are back at nanosecond precision. A view
    over the line dimension: consumers read the lines they need. -#}
{{ partition_view('lines') }}

with

lines as (
    select * from {{ ref('dim_lines') }}
),

selected as (
    select
        line_id,
        customer_id,
        is_iot_or_special,
        is_prepaid,
        {{ local_time_ns('activated_at_kst', 'activated_at_nanoseconds') }}
            as activated_at_kst,
        {{ local_time_ns('terminated_at_kst', 'terminated_at_nanoseconds') }}
            as terminated_at_kst
    from lines
    where is_reward_population
)

select * from selected
