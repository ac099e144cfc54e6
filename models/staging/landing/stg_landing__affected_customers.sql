{#- The customers an incremental build re-derives: every customer that a new landing
    row names or could change (its own rows, its insurance applications, the
    customers of every line a new row touches, the customer holding a re-delivered
    key), widened to every customer record of the same person (W2.8 re-joining reads
    across them). Read from the stores as they were before this build. Empty on a
    full build, which derives everything. -#}
{{ config(materialized='table') }}

-- depends_on: {{ ref('stg_landing__files') }}
-- depends_on: {{ ref('stg_landing__affected_lines_direct') }}

{%- set incremental = incremental_build() %}

with

{% if incremental %}
new_customers as (
    select customer_id, person_key
    from ({{ delivered_rows('customers', new_only=true) }})
),

new_lines as (
    select line_id, customer_id
    from ({{ delivered_rows('lines', new_only=true) }})
),

new_insurance_applications as (
    select application_id, customer_id
    from ({{ delivered_rows('insurance_applications', new_only=true) }})
),

touched_lines as (
    select line_id from {{ ref('stg_landing__affected_lines_direct') }}
),

{%- set prior_lines = [prior_relation('stg_landing__lines'),
    prior_relation('stg_landing__lines_quarantined')] | reject('none') | list %}
{%- set prior_customers = [prior_relation('stg_landing__customers'),
    prior_relation('stg_landing__customers_quarantined')] | reject('none') | list %}
{%- set prior_insurance = [prior_relation('stg_landing__insurance_applications'),
    prior_relation('stg_landing__insurance_applications_quarantined')]
    | reject('none') | list %}

all_lines as (
    select line_id, customer_id from new_lines
    {%- for relation in prior_lines %}
    union all
    select line_id, customer_id from {{ relation }}
    {%- endfor %}
),

all_customers as (
    select customer_id, person_key from new_customers
    {%- for relation in prior_customers %}
    union all
    select customer_id, person_key from {{ relation }}
    {%- endfor %}
),

directly_touched as (
    select customer_id from new_customers
    union
    select customer_id from new_insurance_applications
    {%- for relation in prior_insurance %}
    union
    select stored.customer_id
    from {{ relation }} as stored
    inner join new_insurance_applications as new_rows
        on stored.application_id = new_rows.application_id
    {%- endfor %}
    union
    select all_lines.customer_id
    from all_lines
    inner join touched_lines
        on all_lines.line_id = touched_lines.line_id
),

persons as (
    select distinct all_customers.person_key
    from all_customers
    inner join directly_touched
        on all_customers.customer_id = directly_touched.customer_id
    where all_customers.person_key is not null
),

affected as (
    select customer_id from directly_touched
    union
    select all_customers.customer_id
    from all_customers
    inner join persons
        on all_customers.person_key = persons.person_key
)

select coalesce(customer_id, chr(0)) as partition_key
from affected
{% else %}
nothing as (
    select cast(null as varchar) as partition_key
)

select * from nothing
where false
{% endif %}
