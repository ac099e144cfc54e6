{#- R3: one row per roaming pass that earns a bonus: bought on a KST day inside the
    roaming window (inclusive) by a population line that is not iot/special and was
    in service at the purchase instant (activated at or before it and not yet
    terminated; a suspended line is still in service). Bonus = floor(base_data_mb *
    pct / 100) MB. -#}
with

roaming_passes as (
    select * from {{ ref('stg_landing__roaming_passes') }}
),

population as (
    select * from {{ ref('int_reward_population_selected') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

qualifying as (
    select
        roaming_passes.purchase_id,
        roaming_passes.line_id,
        population.customer_id,
        roaming_passes.base_data_mb,
        (
            cast(roaming_passes.base_data_mb as bigint)
            * program_parameters.roaming_bonus_pct
        ) // 100 as bonus_mb,
        roaming_passes.purchased_date,
        roaming_passes.purchased_at_kst
    from roaming_passes
    inner join population
        on roaming_passes.line_id = population.line_id
    cross join program_parameters
    where
        not population.is_iot_or_special
        and roaming_passes.purchased_date
        between program_parameters.roaming_window_start_date
        and program_parameters.roaming_window_end_date
        and roaming_passes.purchased_at_kst >= population.activated_at_kst
        and (
            population.terminated_at_kst is null
            or roaming_passes.purchased_at_kst < population.terminated_at_kst
        )
)

select * from qualifying
