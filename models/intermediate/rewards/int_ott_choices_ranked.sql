{#- R4: every accepted OTT choice with its outcome, kept for audit. A choice is
    valid when its line is in the population and not iot/special (being in service
    when choosing is not required), its service is one of the program's and its KST
    day is on or before the choice deadline. Per line the first valid choice (by
    chosen_at, then choice_id) is `granted`; every other choice is `rejected` with
    the first reason that applies. The voucher starts on the later of
    ott_earliest_start_date and the 1st of the month after the choice and runs
    ott_voucher_months months. Incremental by line. -#}
{{ replaces_partitions() }}

with

ott_choices as (
    select * from {{ affected_rows(ref('stg_landing__ott_choices'), 'line_id') }}
),

population as (
    select * from {{ affected_rows(ref('int_reward_population_selected'), 'line_id') }}
),

program_ott_services as (
    select * from {{ ref('stg_program__ott_services') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

validated as (
    select
        ott_choices.choice_id,
        ott_choices.line_id,
        population.customer_id,
        ott_choices.service,
        ott_choices.chosen_at_kst,
        ott_choices.chosen_date,
        case
            when population.line_id is null then 'not_in_population'
            when population.is_iot_or_special then 'iot_or_special'
            when program_ott_services.service is null then 'unknown_service'
            when ott_choices.chosen_date > program_parameters.ott_choice_deadline_date
                then 'after_deadline'
        end as invalid_reason,
        greatest(
            program_parameters.ott_earliest_start_date,
            {{ first_day_of_next_month('ott_choices.chosen_date') }}
        ) as voucher_start_date,
        program_parameters.ott_voucher_months
    from ott_choices
    cross join program_parameters
    left join population
        on ott_choices.line_id = population.line_id
    left join program_ott_services
        on ott_choices.service = program_ott_services.service
),

ranked as (
    select
        *,
        row_number() over (
            partition by line_id, invalid_reason is null
            order by chosen_at_kst, choice_id
        ) as valid_choice_rank
    from validated
),

final as (
    select
        choice_id,
        line_id,
        customer_id,
        service,
        case
            when invalid_reason is null and valid_choice_rank = 1 then 'granted'
            else 'rejected'
        end as choice_status,
        case
            when invalid_reason is not null then invalid_reason
            when valid_choice_rank > 1 then 'not_first_valid_choice'
        end as rejection_reason,
        case
            when invalid_reason is null and valid_choice_rank = 1
                then voucher_start_date
        end as voucher_start_date,
        case
            when invalid_reason is null and valid_choice_rank = 1
                then {{ add_months('voucher_start_date', 'ott_voucher_months') }} - 1
        end as voucher_end_date,
        chosen_date,
        chosen_at_kst
    from ranked
)

select * from final
