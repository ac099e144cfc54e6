{#- The customers an incremental build re-derives: every customer that a new landing
    row names or could change (stg_landing__affected_customers_direct: its own rows, its
    insurance applications, the customers of every line a new row touches, the customer
    holding a re-delivered key), widened to every customer record of the same person
    (W2.8 re-joining reads across them). Read from the stores as they were before this
    build. Empty on a full build, which derives everything. -#}
{{ config(materialized='table') }}

-- depends_on: {{ ref('stg_landing__files') }}
-- depends_on: {{ ref('stg_landing__affected_customers_direct') }}

{%- set incremental = incremental_build() %}

with

{% if incremental %}
new_customers as (
    select customer_id, person_key
    from ({{ delivered_rows('customers', new_only=true) }})
),

directly_touched as (
    select customer_id from {{ ref('stg_landing__affected_customers_direct') }}
),

{%- set prior_customers = [prior_relation('stg_landing__customers'),
    prior_relation('stg_landing__customers_quarantined')] | reject('none') | list %}

all_customers as (
    select customer_id, person_key from new_customers
    {%- for relation in prior_customers %}
    union all
    select customer_id, person_key from {{ relation }}
    {%- endfor %}
),

-- the customers' records are many and the touched few: each lookup below is a semi-join
-- (in), so the join's hash table holds the few, not the 17 M records
persons as (
    select distinct person_key
    from all_customers
    where
        customer_id in (select directly_touched.customer_id from directly_touched)
        and person_key is not null
),

affected as (
    select customer_id from directly_touched
    union
    select customer_id
    from all_customers
    where person_key in (select persons.person_key from persons)
)

select coalesce(customer_id, chr(0)) as partition_key
from affected
{% else %}
{{ no_affected_partitions('partition_key') }}
{% endif %}
