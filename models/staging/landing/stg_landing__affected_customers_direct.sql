{#- The customers that a build's new landing rows name directly: every new customer
    record, the customer of every new insurance application and of every stored one whose
    key a new application repeats, and the customer of every line a new row touches
    (stg_landing__affected_lines_direct). See stg_landing__affected_customers for the
    whole set (widened to every record of the same person). A table of its own, so the
    widening's lookups know how few these are (a join builds its hash table on the side
    it estimates smaller). Empty on a full build. -#}
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
)

select coalesce(customer_id, chr(0)) as customer_id
from directly_touched
{% else %}
{{ no_affected_partitions('customer_id') }}
{% endif %}
