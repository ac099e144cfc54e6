{#- Rules R1-R6: one row per entitlement, every benefit in one narrow table. Line
    benefits come from the reward intermediates; the membership discount (R5) is one
    row per population line that is not iot/special, so it is derived here rather than
    copied into an intermediate table. The key is the md5 of the entitlement's natural
    key, so the same inputs give the same ids on every rebuild. -#}
with

population as (
    select * from {{ ref('int_reward_population_selected') }}
),

data_grants as (
    select * from {{ ref('int_data_grants_allocated') }}
),

roaming_bonuses as (
    select * from {{ ref('int_roaming_bonuses_allocated') }}
),

ott_choices as (
    select * from {{ ref('int_ott_choices_ranked') }}
),

insurance_policies as (
    select * from {{ ref('int_insurance_policies_assigned') }}
),

program_parameters as (
    select * from {{ ref('program_parameters') }}
    where program_id = '{{ var("program_id") }}'
),

data_bonus as (
    select
        'data_bonus' as benefit,
        line_id,
        customer_id,
        period_start,
        period_end,
        quantity,
        unit,
        cast(null as varchar) as detail
    from data_grants
),

roaming_bonus as (
    select
        'roaming_bonus' as benefit,
        line_id,
        customer_id,
        purchased_date as period_start,
        purchased_date as period_end,
        bonus_mb as quantity,
        'MB' as unit,
        purchase_id as detail
    from roaming_bonuses
),

ott_voucher as (
    select
        'ott_voucher' as benefit,
        line_id,
        customer_id,
        voucher_start_date as period_start,
        voucher_end_date as period_end,
        1 as quantity,
        'voucher' as unit,
        service as detail
    from ott_choices
    where choice_status = 'granted'
),

membership_discount as (
    select
        'membership_discount' as benefit,
        population.line_id,
        population.customer_id,
        program_parameters.membership_start_date as period_start,
        program_parameters.membership_end_date as period_end,
        1 as quantity,
        'membership' as unit,
        cast(null as varchar) as detail
    from population
    cross join program_parameters
    where not population.is_iot_or_special
),

safety_insurance as (
    select
        'safety_insurance' as benefit,
        cast(null as varchar) as line_id,
        customer_id,
        cover_start_date as period_start,
        cover_end_date as period_end,
        1 as quantity,
        'policy' as unit,
        enrolment as detail
    from insurance_policies
),

entitlements as (
    select * from data_bonus
    union all
    select * from roaming_bonus
    union all
    select * from ott_voucher
    union all
    select * from membership_discount
    union all
    select * from safety_insurance
),

final as (
    select
        {{ surrogate_key([
            'benefit', 'line_id', 'customer_id', 'period_start', 'detail'
        ]) }} as entitlement_id,
        cast(benefit as varchar) as benefit,
        cast(line_id as varchar) as line_id,
        cast(customer_id as varchar) as customer_id,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(quantity as bigint) as quantity,
        cast(unit as varchar) as unit,
        cast(detail as varchar) as detail
    from entitlements
)

select * from final
