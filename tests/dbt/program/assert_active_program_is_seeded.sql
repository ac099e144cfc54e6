-- The active program (var program_id) must have a row in every program seed; otherwise
-- every rule would silently run on an empty parameter set.
{%- set program_seeds = ['program_parameters', 'program_refund_waves',
    'program_reminder_dates', 'program_data_grants', 'program_ott_services'] %}

with

active_program_rows as (
    {% for seed in program_seeds -%}
    select
        '{{ seed }}' as program_seed,
        count(*) as active_rows
    from {{ ref(seed) }}
    where program_id = '{{ var("program_id") }}'
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select program_seed
from active_program_rows
where active_rows = 0
