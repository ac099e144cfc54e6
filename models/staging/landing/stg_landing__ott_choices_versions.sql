{#- OTT choices: the delivered versions this build judges (see landing_versions). A
    choice of a service the program does not offer is accepted here and rejected by R4. -#}
{%- set context %}
accepted_lines as (
    select line_id from {{ ref('stg_landing__lines') }}
    {%- if incremental_build() %}
    where line_id in (select partition_key from {{ ref('stg_landing__affected_lines') }})
    {%- endif %}
),
{%- endset %}
{{ landing_versions('ott_choices', checks=[
    ('missing_required_field', 'line_id is null or service is null'
        ~ ' or chosen_at is null'),
    ('orphan', 'line_id is not null and not parent_found'),
], context=context, parent=('accepted_lines', [('line_id', 'line_id')]), stores=[
    ('stg_landing__ott_choices', 'line_id'),
    ('stg_landing__ott_choices_quarantined', 'line_id'),
]) }}
