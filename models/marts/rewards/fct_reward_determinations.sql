{#- Issue 11: every reward decision with its reason, granted or not (R1-R6). One row per

    - accepted line and the R1 gate (`reward_population`): in the population or why not;
    - population line and data grant date (R2), roaming pass bought by a population line
      (R3), population line's OTT voucher (R4) and membership discount (R5);
    - customer record with a population line and the safety insurance (R6, line_id null).

    Granted rows are exactly the entitlements of fct_reward_entitlements (rpt_reconciliation
    checks it per benefit); R3, R4 and R6 are read from the intermediates that grant them.
    R2 is decided here from the service history: a population line that is neither
    iot/special nor prepaid gets a grant unless a `suspended` or `terminated` interval
    covers 00:00 KST of the grant date (intervals partition a line's life from
    activation, and every population line is activated before the first grant, so this
    is the same test as int_data_grants_allocated's in_service cover, without reading
    the 90 M-row grant view a second time). -#}
with

lines as (
    select * from {{ ref('int_lines_joined_to_customers') }}
),

population as (
    select * from {{ ref('int_reward_population_selected') }}
),

suspensions as (
    select * from {{ ref('int_line_suspensions_at_grants') }}
),

roaming_passes as (
    select * from {{ ref('stg_landing__roaming_passes') }}
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

customers as (
    select * from {{ ref('stg_landing__customers') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

reward_population as (
    select
        'R1' as rule_id,
        'reward_population' as benefit,
        lines.line_id,
        lines.customer_id,
        cast(null as integer) as grant_number,
        cast(null as varchar) as purchase_id,
        case
            when population.line_id is not null then 'in_population'
            when not lines.is_kt_network then 'mvno'
            when lines.activated_at_kst is null then 'no_activation_time'
            when
                lines.activated_at_kst
                >= program_parameters.reward_population_as_of_kst
                then 'activated_after_population_instant'
            else 'terminated_before_population_instant'
        end as reason,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as bigint) as quantity,
        cast(null as varchar) as unit,
        cast(null as varchar) as detail,
        program_parameters.reward_population_as_of_kst as checked_at_kst
    from lines
    cross join program_parameters
    left join population
        on lines.line_id = population.line_id
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

terminated_at_grants as (
    select
        population.line_id,
        grant_instants.grant_number
    from population
    inner join grant_instants
        on population.terminated_at_kst <= grant_instants.granted_at_kst
),

out_of_service_at_grants as (
    -- the few lines terminated or suspended at a grant instant
    select
        line_id,
        grant_number,
        'terminated' as status
    from terminated_at_grants

    union all

    select
        suspensions.line_id,
        suspensions.grant_number,
        'suspended' as status
    from suspensions
    left join terminated_at_grants
        on suspensions.line_id = terminated_at_grants.line_id
            and suspensions.grant_number = terminated_at_grants.grant_number
    where terminated_at_grants.line_id is null
),

data_bonus as (
    select
        'R2' as rule_id,
        'data_bonus' as benefit,
        population.line_id,
        population.customer_id,
        grant_instants.grant_number,
        cast(null as varchar) as purchase_id,
        case
            when population.is_iot_or_special then 'iot_or_special'
            when population.is_prepaid then 'prepaid'
            when out_of_service_at_grants.status = 'suspended' then 'suspended_at_grant'
            when out_of_service_at_grants.status = 'terminated'
                then 'terminated_at_grant'
            when out_of_service_at_grants.status is not null
                then 'not_in_service_at_grant'
            else 'in_service_at_grant'
        end as reason,
        grant_instants.grant_date as period_start,
        grant_instants.period_end,
        grant_instants.quantity,
        grant_instants.unit,
        cast(null as varchar) as detail,
        grant_instants.granted_at_kst as checked_at_kst
    from population
    cross join grant_instants
    left join out_of_service_at_grants
        on population.line_id = out_of_service_at_grants.line_id
            and grant_instants.grant_number = out_of_service_at_grants.grant_number
),

roaming_bonus as (
    select
        'R3' as rule_id,
        'roaming_bonus' as benefit,
        roaming_passes.line_id,
        population.customer_id,
        cast(null as integer) as grant_number,
        roaming_passes.purchase_id,
        case
            when roaming_bonuses.purchase_id is not null then 'in_service_in_window'
            when population.is_iot_or_special then 'iot_or_special'
            when roaming_passes.purchased_date
                not between program_parameters.roaming_window_start_date
                and program_parameters.roaming_window_end_date
                then 'outside_roaming_window'
            else 'not_in_service_at_purchase'
        end as reason,
        roaming_passes.purchased_date as period_start,
        roaming_passes.purchased_date as period_end,
        roaming_bonuses.bonus_mb as quantity,
        'MB' as unit,
        roaming_passes.purchase_id as detail,
        roaming_passes.purchased_at_kst as checked_at_kst
    from roaming_passes
    inner join population
        on roaming_passes.line_id = population.line_id
    cross join program_parameters
    left join roaming_bonuses
        on roaming_passes.purchase_id = roaming_bonuses.purchase_id
),

ott_deciding_choices as (
    -- the granted choice of a line, else its first choice (whose rejection explains)
    select
        line_id,
        service,
        choice_status,
        rejection_reason,
        voucher_start_date,
        voucher_end_date,
        chosen_at_kst
    from ott_choices
    qualify
        row_number() over (
            partition by line_id
            order by
                choice_status = 'granted' desc, chosen_at_kst asc, choice_id asc
        ) = 1
),

ott_voucher as (
    select
        'R4' as rule_id,
        'ott_voucher' as benefit,
        population.line_id,
        population.customer_id,
        cast(null as integer) as grant_number,
        cast(null as varchar) as purchase_id,
        case
            when ott_deciding_choices.choice_status = 'granted'
                then 'first_valid_choice'
            when population.is_iot_or_special then 'iot_or_special'
            when ott_deciding_choices.line_id is null then 'no_choice'
            else ott_deciding_choices.rejection_reason
        end as reason,
        ott_deciding_choices.voucher_start_date as period_start,
        ott_deciding_choices.voucher_end_date as period_end,
        case when ott_deciding_choices.choice_status = 'granted' then 1 end
            as quantity,
        'voucher' as unit,
        ott_deciding_choices.service as detail,
        ott_deciding_choices.chosen_at_kst as checked_at_kst
    from population
    left join ott_deciding_choices
        on population.line_id = ott_deciding_choices.line_id
),

membership_discount as (
    select
        'R5' as rule_id,
        'membership_discount' as benefit,
        population.line_id,
        population.customer_id,
        cast(null as integer) as grant_number,
        cast(null as varchar) as purchase_id,
        case
            when population.is_iot_or_special then 'iot_or_special'
            else 'population_line'
        end as reason,
        program_parameters.membership_start_date as period_start,
        program_parameters.membership_end_date as period_end,
        1 as quantity,
        'membership' as unit,
        cast(null as varchar) as detail,
        program_parameters.reward_population_as_of_kst as checked_at_kst
    from population
    cross join program_parameters
),

population_customers as (
    select distinct customer_id
    from population
),

safety_insurance as (
    select
        'R6' as rule_id,
        'safety_insurance' as benefit,
        cast(null as varchar) as line_id,
        population_customers.customer_id,
        cast(null as integer) as grant_number,
        cast(null as varchar) as purchase_id,
        case
            when insurance_policies.enrolment = 'auto' then 'auto_enrolled_by_age'
            when insurance_policies.enrolment = 'application' then 'applied'
            when customers.customer_type = 'business' then 'business_customer'
            when customers.birth_date is null then 'no_birth_date_no_application'
            else 'under_auto_age_no_application'
        end as reason,
        insurance_policies.cover_start_date as period_start,
        insurance_policies.cover_end_date as period_end,
        case when insurance_policies.customer_id is not null then 1 end as quantity,
        'policy' as unit,
        insurance_policies.enrolment as detail,
        cast(program_parameters.insurance_age_reference_date as timestamp)
            as checked_at_kst
    from population_customers
    inner join customers
        on population_customers.customer_id = customers.customer_id
    cross join program_parameters
    left join insurance_policies
        on population_customers.customer_id = insurance_policies.customer_id
),

determinations as (
    select * from reward_population
    union all
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

granted as (
    -- a reason names either why the benefit is granted or why it is not
    select
        *,
        reason in (
            'in_population', 'in_service_at_grant', 'in_service_in_window',
            'first_valid_choice', 'population_line', 'auto_enrolled_by_age', 'applied'
        ) as is_granted
    from determinations
),

final as (
    select
        cast(rule_id as varchar) as rule_id,
        cast(benefit as varchar) as benefit,
        cast(line_id as varchar) as line_id,
        cast(customer_id as varchar) as customer_id,
        cast(grant_number as integer) as grant_number,
        cast(purchase_id as varchar) as purchase_id,
        cast(is_granted as boolean) as is_granted,
        cast(reason as varchar) as reason,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(case when is_granted then quantity end as bigint) as quantity,
        cast(unit as varchar) as unit,
        cast(detail as varchar) as detail,
        cast(checked_at_kst as timestamp) as checked_at_kst
    from granted
)

select * from final
