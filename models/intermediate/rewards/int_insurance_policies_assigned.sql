{#- R6: one row per insured customer record. Individual customers with at least one
    population line (of any class: R6 names no class exclusion) are insured
    automatically from insurance_start_date when their age in completed years on
    insurance_age_reference_date is at least insurance_auto_min_age; the others when
    they apply (first application by applied_at, then application_id), from the later
    of insurance_start_date and the 1st of the month after the application. Business
    customers are never insured. Cover ends the day before the insurance_term_years
    anniversary of its start. Incremental: a build re-derives the customers a delivery
    touched. -#}
{{ replaces_partitions('customers') }}

with

population as (
    select * from {{ affected_rows(
        ref('int_reward_population_selected'), 'customer_id', 'customers'
    ) }}
),

customers as (
    select * from {{ affected_rows(
        ref('stg_landing__customers'), 'customer_id', 'customers'
    ) }}
),

insurance_applications as (
    select * from {{ affected_rows(
        ref('stg_landing__insurance_applications'), 'customer_id', 'customers'
    ) }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

population_customers as (
    select distinct customer_id
    from population
),

individuals_aged as (
    select
        customers.customer_id,
        {{ completed_years(
            'customers.birth_date',
            'program_parameters.insurance_age_reference_date'
        ) }} as age_on_reference_date,
        program_parameters.insurance_auto_min_age,
        program_parameters.insurance_start_date,
        program_parameters.insurance_term_years
    from population_customers
    inner join customers
        on population_customers.customer_id = customers.customer_id
    cross join program_parameters
    where customers.customer_type = 'individual'
),

applications_ranked as (
    select
        customer_id,
        application_id,
        applied_date,
        row_number() over (
            partition by customer_id order by applied_at_kst, application_id
        ) as application_rank
    from insurance_applications
),

first_applications as (
    select
        customer_id,
        application_id,
        applied_date,
        {{ first_day_of_next_month('applied_date') }} as month_after_application
    from applications_ranked
    where application_rank = 1
),

enrolled as (
    select
        individuals_aged.customer_id,
        case
            when individuals_aged.age_on_reference_date
                >= individuals_aged.insurance_auto_min_age
                then 'auto'
            when first_applications.application_id is not null then 'application'
        end as enrolment,
        individuals_aged.age_on_reference_date,
        first_applications.application_id,
        first_applications.applied_date,
        first_applications.month_after_application,
        individuals_aged.insurance_start_date,
        individuals_aged.insurance_term_years
    from individuals_aged
    left join first_applications
        on individuals_aged.customer_id = first_applications.customer_id
),

covered as (
    select
        customer_id,
        enrolment,
        age_on_reference_date,
        case when enrolment = 'application' then application_id end as application_id,
        case when enrolment = 'application' then applied_date end as applied_date,
        case
            when enrolment = 'auto' then insurance_start_date
            else greatest(insurance_start_date, month_after_application)
        end as cover_start_date,
        insurance_term_years
    from enrolled
    where enrolment is not null
),

final as (
    select
        customer_id,
        enrolment,
        age_on_reference_date,
        application_id,
        applied_date,
        cover_start_date,
        {{ add_months('cover_start_date', 'insurance_term_years * 12') }} - 1
            as cover_end_date
    from covered
)

select * from final
