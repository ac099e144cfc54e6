{#- The lines an incremental build re-derives. A line's published facts depend on its
    own rows, its customer's record and, for W2.8 (re-joined), the activations of the
    same person's other lines; so the set is

    - every line a new landing row touches directly (stg_landing__affected_lines_direct);
    - every line of a customer whose own record a new row names (its attributes, say
      customer_type, reach every line; a quarantined record takes them all away);
    - of every line of an affected person (stg_landing__affected_customers is widened
      to every record of the same person), the ones W2.8 can read: terminated lines and
      lines activated since the waiver window opened, by dim_lines as the last build
      left it (a line whose termination or activation arrives now is direct).

    A touched line's other lines are not re-derived merely for sharing its customer (a
    business customer holds thousands): customer-level facts (R6, the per-customer
    reward counts) are re-derived by customer and read those lines as stored. Every
    line-keyed model of the build replaces exactly these partitions. Empty on a full
    build. -#}
{{ config(materialized='table') }}

-- depends_on: {{ ref('stg_landing__files') }}
-- depends_on: {{ ref('stg_landing__affected_lines_direct') }}
-- depends_on: {{ ref('stg_landing__affected_customers') }}
-- depends_on: {{ ref('stg_program__parameters') }}

{%- set incremental = incremental_build() %}

with

{% if incremental %}
direct as (
    select line_id from {{ ref('stg_landing__affected_lines_direct') }}
),

affected_customers as (
    select partition_key as customer_id from {{ ref('stg_landing__affected_customers') }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

{%- set prior_lines = [prior_relation('stg_landing__lines'),
    prior_relation('stg_landing__lines_quarantined')] | reject('none') | list %}
{%- set prior_dim_lines = prior_relation('dim_lines') %}

all_lines as (
    select line_id, customer_id
    from ({{ delivered_rows('lines', new_only=true) }})
    {%- for relation in prior_lines %}
    union all
    select line_id, customer_id from {{ relation }}
    {%- endfor %}
),

customers_delivered as (
    select customer_id
    from ({{ delivered_rows('customers', new_only=true) }})
),

-- the lines are many and the customers few: every lookup below is a semi-join (in) or
-- an anti-join (not exists), so each join's hash table holds the few, and the lines are
-- read once
customers_read as (
    select customer_id from affected_customers
    union
    select customer_id from customers_delivered
),

lines_of_customers as (
    select line_id, customer_id
    from all_lines
    where customer_id in (select customers_read.customer_id from customers_read)
),

lines_of_persons as (
    select line_id
    from lines_of_customers
    where customer_id in (select affected_customers.customer_id from affected_customers)
),

{%- if prior_dim_lines is not none %}

settled_lines as (
    -- W2.8 reads neither side of these, by the line dimension as the last build left
    -- it: not terminated, and activated before the window's first day
    select dimension.line_id
    from {{ prior_dim_lines }} as dimension
    cross join program_parameters
    where
        dimension.line_id in (select lines_of_persons.line_id from lines_of_persons)
        and not coalesce(
            dimension.terminated_date is not null
            or dimension.activated_date >= program_parameters.waiver_window_start_date,
            false
        )
),

rejoin_candidates as (
    -- W2.8's both sides: a terminated line, or one activated on or after the window's
    -- first day (and a line the dimension does not hold, quarantined or new, to be safe)
    select lines_of_persons.line_id
    from lines_of_persons
    where not exists (
        select 1 from settled_lines
        where settled_lines.line_id = lines_of_persons.line_id
    )
),
{%- else %}

rejoin_candidates as (
    -- no line dimension to judge by: every line of the persons
    select line_id from lines_of_persons
),
{%- endif %}

affected as (
    select line_id from direct
    union
    select line_id
    from lines_of_customers
    where customer_id in (select customers_delivered.customer_id from customers_delivered)
    union
    select line_id from rejoin_candidates
)

select coalesce(line_id, chr(0)) as partition_key
from affected
{% else %}
{{ no_affected_partitions('partition_key') }}
{% endif %}
