{#- Rules R1-R6: one row per entitlement, every benefit in one narrow table. Line
    benefits come from the reward intermediates; the membership discount (R5) is one
    row per population line that is not iot/special, so it is derived here rather than
    copied into an intermediate table. The key is the entitlement's natural key as text
    (benefit|line or customer|period start|detail): deterministic, readable, and cheap
    to store for 90 M rows. Incremental: a build re-derives the line benefits of the
    lines and the policies of the customers a delivery touched. -#}
{{ replaces_partitions('lines_and_customers') }}

with

population as (
    select * from {{ affected_rows(
        ref('int_reward_population_selected'), 'line_id', 'lines'
    ) }}
),

data_grants as (
    select * from {{ affected_rows(
        ref('int_data_grants_allocated'), 'line_id', 'lines'
    ) }}
),

roaming_bonuses as (
    select * from {{ affected_rows(
        ref('int_roaming_bonuses_allocated'), 'line_id', 'lines'
    ) }}
),

ott_choices as (
    select * from {{ affected_rows(ref('int_ott_choices_ranked'), 'line_id', 'lines') }}
),

insurance_policies as (
    select * from {{ affected_rows(
        ref('int_insurance_policies_assigned'), 'customer_id', 'customers'
    ) }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
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
        concat_ws(
            '|', benefit, coalesce(line_id, customer_id), period_start, detail
        ) as entitlement_id,
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
