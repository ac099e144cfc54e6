{#- One row per accepted customer record, without personal data: its type and, for
    individuals, an age band in completed years on the program's insurance reference
    date (R6). The bands break at the program's automatic-insurance age, so R6 can be
    checked from here without a birth date. Incremental: a build re-derives the
    customers a delivery touched. -#}
{{ replaces_partitions('customers') }}

with

customers as (
    select * from {{ affected_rows(
        ref('stg_landing__customers'), 'customer_id', 'customers'
    ) }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

aged as (
    select
        customers.customer_id,
        customers.customer_type,
        customers.person_key is not null as has_person_key,
        {{ completed_years(
            'customers.birth_date', 'program_parameters.insurance_age_reference_date'
        ) }} as age,
        program_parameters.insurance_auto_min_age
    from customers
    cross join program_parameters
),

final as (
    select
        customer_id,
        customer_type,
        case
            when age is null then null
            when age < 20 then 'under_20'
            when age < insurance_auto_min_age - 5
                then concat(age // 10 * 10, 's')
            when age < insurance_auto_min_age
                then concat(
                        insurance_auto_min_age - 5,
                        '_to_',
                        insurance_auto_min_age - 1
                    )
            else concat(insurance_auto_min_age, '_and_over')
        end as age_band,
        age >= insurance_auto_min_age as is_insurance_auto_age,
        has_person_key
    from aged
)

select * from final
