{#- Insurance applications: the delivered versions this build judges (see
    landing_versions). An application of a missing or quarantined customer is an orphan. -#}
{%- set context %}
accepted_customers as (
    select customer_id from {{ ref('stg_landing__customers') }}
    {%- if incremental_build() %}
    where customer_id in (
        select partition_key from {{ ref('stg_landing__affected_customers') }}
    )
    {%- endif %}
),
{%- endset %}
{{ landing_versions('insurance_applications', checks=[
    ('missing_required_field', 'customer_id is null or applied_at is null'),
    ('orphan', 'customer_id is not null and not parent_found'),
], context=context, parent=('accepted_customers', [('customer_id', 'customer_id')]), stores=[
    ('stg_landing__insurance_applications', 'customer_id'),
    ('stg_landing__insurance_applications_quarantined', 'customer_id'),
]) }}
