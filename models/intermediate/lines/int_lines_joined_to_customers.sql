{#- One row per accepted line for the rule models: the line dimension (dim_lines) with
    its KST times back at nanosecond precision, and the two customer attributes the
    published dimension leaves out, person_key (W2.8 re-joiners) and birth_date (R6).
    A view: rule models read the slice they need (a window's terminations, a program's
    population), never a second stored copy of 29 M lines. -#}
{{ config(materialized='view') }}

with

lines as (
    select * from {{ ref('dim_lines') }}
),

customers as (
    select * from {{ ref('stg_landing__customers') }}
),

joined as (
    select
        lines.* exclude (
            {%- for instant in ['activated_at', 'line_activated_at', 'terminated_at',
                'first_device_change_at', 'first_recontract_at'] %}
            {{ instant }}_kst,
            {{ instant }}_nanoseconds{{ "," if not loop.last }}
            {%- endfor %}
        ),
        customers.person_key,
        customers.birth_date,
        {%- for instant in ['activated_at', 'line_activated_at', 'terminated_at',
            'first_device_change_at', 'first_recontract_at'] %}
        {{ local_time_ns('lines.' ~ instant ~ '_kst', 'lines.' ~ instant ~ '_nanoseconds') }}
            as {{ instant }}_kst{{ "," if not loop.last }}
        {%- endfor %}
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
)

select * from joined
