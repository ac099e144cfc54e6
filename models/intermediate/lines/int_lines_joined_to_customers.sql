{#- One row per accepted line with the two customer attributes the published dimension
    leaves out: person_key (W2.8 re-joiners) and birth_date (R6). A view over
    int_lines_timed; only the rule models that need a person read it. -#}
{{ partition_view('lines') }}

with

lines as (
    select * from {{ ref('int_lines_timed') }}
),

customers as (
    select * from {{ ref('stg_landing__customers') }}
),

joined as (
    select
        lines.*,
        customers.person_key,
        customers.birth_date
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
)

select * from joined
