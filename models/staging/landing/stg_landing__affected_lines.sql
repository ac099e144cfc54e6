{#- The lines an incremental build re-derives: every line a new landing row touches
    directly (stg_landing__affected_lines_direct) and every line of an affected
    customer (stg_landing__affected_customers: a customer's own rows, and every
    record of the same person, change what its lines are owed). Every line-keyed
    model of the build replaces exactly these partitions. Empty on a full build. -#}
{{ config(materialized='table') }}

-- depends_on: {{ ref('stg_landing__files') }}
-- depends_on: {{ ref('stg_landing__affected_lines_direct') }}
-- depends_on: {{ ref('stg_landing__affected_customers') }}

{%- set incremental = incremental_build() %}

with

{% if incremental %}
direct as (
    select line_id from {{ ref('stg_landing__affected_lines_direct') }}
),

affected_customers as (
    select partition_key as customer_id from {{ ref('stg_landing__affected_customers') }}
),

{%- set prior_lines = [prior_relation('stg_landing__lines'),
    prior_relation('stg_landing__lines_quarantined')] | reject('none') | list %}

all_lines as (
    select line_id, customer_id
    from ({{ delivered_rows('lines', new_only=true) }})
    {%- for relation in prior_lines %}
    union all
    select line_id, customer_id from {{ relation }}
    {%- endfor %}
),

affected as (
    select line_id from direct
    union
    select all_lines.line_id
    from all_lines
    inner join affected_customers
        on all_lines.customer_id = affected_customers.customer_id
)

select coalesce(line_id, chr(0)) as partition_key
from affected
{% else %}
nothing as (
    select cast(null as varchar) as partition_key
)

select * from nothing
where false
{% endif %}
