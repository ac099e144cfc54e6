{#- Every reward determination that granted nothing, with its reason (R2-R6).
    One row per

    - data grant a data-eligible population line missed (R2): not iot/special, not
      prepaid, but suspended or terminated (or not yet activated) at 00:00 KST of the
      grant date;
    - accepted roaming pass that earned no bonus (R3);
    - accepted OTT choice that gave no voucher (R4);
    - accepted insurance application that gave no policy (R6, line_id null).

    What a line or customer was granted is in fct_reward_entitlements; what follows from
    a published attribute alone is not repeated here: the R1 gate (dim_lines
    .is_reward_population / reward_population_reason), the class exclusions of R2-R5
    (dim_lines.is_iot_or_special, is_prepaid) and why a customer was not insured without
    applying (dim_customers: customer_type, age_band, is_insurance_auto_age). So every
    scheduled data grant of a data-eligible population line is an entitlement or a row
    here, and every roaming pass, OTT choice and insurance application is an entitlement
    or a row here. Incremental: a build re-derives the lines and customers a delivery
    touched. -#}
{{ replaces_partitions('lines_and_customers') }}

with

lines as (
    select * from {{ affected_rows(ref('dim_lines'), 'line_id', 'lines') }}
),

population as (
    select * from {{ affected_rows(
        ref('int_reward_population_selected'), 'line_id', 'lines'
    ) }}
),

suspensions as (
    select * from {{ affected_rows(
        ref('int_line_suspensions_at_grants'), 'line_id', 'lines'
    ) }}
),

roaming_passes as (
    select * from {{ affected_rows(
        ref('stg_landing__roaming_passes'), 'line_id', 'lines'
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

customers as (
    select * from {{ affected_rows(ref('dim_customers'), 'customer_id', 'customers') }}
),

customer_population as (
    select * from {{ affected_rows(
        ref('int_reward_population_selected'), 'customer_id', 'customers'
    ) }}
),

insurance_applications as (
    select * from {{ affected_rows(
        ref('stg_landing__insurance_applications'), 'customer_id', 'customers'
    ) }}
),

insurance_policies as (
    select * from {{ affected_rows(
        ref('int_insurance_policies_assigned'), 'customer_id', 'customers'
    ) }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

program_data_grants as (
    select * from {{ ref('stg_program__data_grants') }}
),

grant_instants as (
    select
        grant_number,
        grant_date,
        cast(grant_date as timestamp) as granted_at_kst,
        last_day(grant_date) as period_end
    from program_data_grants
),

data_lines as (
    -- R2's class exclusions are published in dim_lines, not listed here
    select
        line_id,
        customer_id,
        activated_at_kst,
        terminated_at_kst
    from population
    where not is_iot_or_special and not is_prepaid
),

not_activated_at_grants as (
    -- empty for a program whose grants follow its population instant (kt_2025_12)
    select
        data_lines.line_id,
        grant_instants.grant_number,
        'not_in_service_at_grant' as reason
    from data_lines
    inner join grant_instants
        on data_lines.activated_at_kst > grant_instants.granted_at_kst
),

terminated_at_grants as (
    select
        data_lines.line_id,
        grant_instants.grant_number,
        'terminated_at_grant' as reason
    from data_lines
    inner join grant_instants
        on data_lines.terminated_at_kst <= grant_instants.granted_at_kst
),

suspended_at_grants as (
    -- a line is suspended only after its activation and before its termination
    select
        suspensions.line_id,
        suspensions.grant_number,
        'suspended_at_grant' as reason
    from suspensions
    inner join data_lines
        on suspensions.line_id = data_lines.line_id
    left join terminated_at_grants
        on suspensions.line_id = terminated_at_grants.line_id
            and suspensions.grant_number = terminated_at_grants.grant_number
    where terminated_at_grants.line_id is null
),

missed_grants as (
    select * from not_activated_at_grants
    union all
    select * from terminated_at_grants
    union all
    select * from suspended_at_grants
),

data_bonus as (
    select
        'R2' as rule_id,
        'data_bonus' as benefit,
        missed_grants.line_id,
        data_lines.customer_id,
        missed_grants.grant_number,
        cast(null as varchar) as request_id,
        missed_grants.reason,
        grant_instants.grant_date as period_start,
        grant_instants.period_end,
        cast(null as varchar) as detail,
        grant_instants.granted_at_kst as checked_at_kst
    from missed_grants
    inner join data_lines
        on missed_grants.line_id = data_lines.line_id
    inner join grant_instants
        on missed_grants.grant_number = grant_instants.grant_number
),

roaming_bonus as (
    select
        'R3' as rule_id,
        'roaming_bonus' as benefit,
        roaming_passes.line_id,
        lines.customer_id,
        cast(null as integer) as grant_number,
        roaming_passes.purchase_id as request_id,
        case
            when not lines.is_reward_population then 'not_in_population'
            when lines.is_iot_or_special then 'iot_or_special'
            when roaming_passes.purchased_date
                not between program_parameters.roaming_window_start_date
                and program_parameters.roaming_window_end_date
                then 'outside_roaming_window'
            else 'not_in_service_at_purchase'
        end as reason,
        roaming_passes.purchased_date as period_start,
        roaming_passes.purchased_date as period_end,
        roaming_passes.pass_code as detail,
        {{ truncate_to_microseconds('roaming_passes.purchased_at_kst') }}
            as checked_at_kst
    from roaming_passes
    inner join lines
        on roaming_passes.line_id = lines.line_id
    cross join program_parameters
    left join roaming_bonuses
        on roaming_passes.purchase_id = roaming_bonuses.purchase_id
    where roaming_bonuses.purchase_id is null
),

ott_voucher as (
    select
        'R4' as rule_id,
        'ott_voucher' as benefit,
        ott_choices.line_id,
        lines.customer_id,
        cast(null as integer) as grant_number,
        ott_choices.choice_id as request_id,
        ott_choices.rejection_reason as reason,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        ott_choices.service as detail,
        {{ truncate_to_microseconds('ott_choices.chosen_at_kst') }} as checked_at_kst
    from ott_choices
    inner join lines
        on ott_choices.line_id = lines.line_id
    where ott_choices.choice_status = 'rejected'
),

population_customers as (
    select distinct customer_id
    from customer_population
),

insurance_decided as (
    select
        insurance_applications.application_id,
        insurance_applications.customer_id,
        insurance_applications.applied_at_kst,
        case
            when population_customers.customer_id is null then 'no_population_line'
            when customers.customer_type = 'business' then 'business_customer'
            when insurance_policies.enrolment = 'auto' then 'insured_automatically'
            when
                insurance_policies.application_id
                <> insurance_applications.application_id
                then 'not_first_application'
        end as reason
    from insurance_applications
    inner join customers
        on insurance_applications.customer_id = customers.customer_id
    left join population_customers
        on insurance_applications.customer_id = population_customers.customer_id
    left join insurance_policies
        on insurance_applications.customer_id = insurance_policies.customer_id
),

safety_insurance as (
    select
        'R6' as rule_id,
        'safety_insurance' as benefit,
        cast(null as varchar) as line_id,
        customer_id,
        cast(null as integer) as grant_number,
        application_id as request_id,
        reason,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as varchar) as detail,
        {{ truncate_to_microseconds('applied_at_kst') }} as checked_at_kst
    from insurance_decided
    where reason is not null
),

determinations as (
    select * from data_bonus
    union all
    select * from roaming_bonus
    union all
    select * from ott_voucher
    union all
    select * from safety_insurance
),

final as (
    select
        concat_ws(
            '|', benefit, coalesce(line_id, customer_id), grant_number, request_id
        ) as determination_id,
        cast(rule_id as varchar) as rule_id,
        cast(benefit as varchar) as benefit,
        cast(line_id as varchar) as line_id,
        cast(customer_id as varchar) as customer_id,
        cast(grant_number as integer) as grant_number,
        cast(request_id as varchar) as request_id,
        false as is_granted,
        cast(reason as varchar) as reason,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(detail as varchar) as detail,
        cast(checked_at_kst as timestamp) as checked_at_kst
    from determinations
)

select * from final
