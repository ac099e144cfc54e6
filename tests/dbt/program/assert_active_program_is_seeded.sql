-- The active program (var program_id) must have a row in every program seed; otherwise
-- every rule would silently run on an empty parameter set.
{%- set program_seeds = ['program_parameters', 'program_refund_waves',
    'program_reminder_dates', 'program_data_grants', 'program_ott_services'] %}

{% for seed in program_seeds %}
select '{{ seed }}' as program_seed
where not exists (
    select 1 from {{ ref(seed) }} where program_id = '{{ var("program_id") }}'
)
{% if not loop.last %}union all{% endif %}
{% endfor %}
