{#- Roaming passes: the delivered versions this build judges (see landing_versions). -#}
{%- set context %}
accepted_lines as (
    select line_id from {{ ref('stg_landing__lines') }}
    {%- if incremental_build() %}
    where line_id in (select partition_key from {{ ref('stg_landing__affected_lines') }})
    {%- endif %}
),
{%- endset %}
{{ landing_versions('roaming_passes', checks=[
    ('missing_required_field', 'line_id is null or base_data_mb is null'
        ~ ' or purchased_at is null'),
    ('invalid_value', 'base_data_mb <= 0'),
    ('orphan', 'line_id is not null and not parent_found'),
], context=context, parent=('accepted_lines', [('line_id', 'line_id')]), stores=[
    ('stg_landing__roaming_passes', 'line_id'),
    ('stg_landing__roaming_passes_quarantined', 'line_id'),
]) }}
