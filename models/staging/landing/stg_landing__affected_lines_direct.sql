{#- The lines that a build's new landing rows touch directly: the line of every new
    row of a line-keyed table, and the line of every stored version whose key a new
    row repeats (a key re-delivered under another line is a conflict on both lines).
    See stg_landing__affected_lines for the whole set. Empty on a full build. -#}
{{ config(materialized='table') }}

-- depends_on: {{ ref('stg_landing__files') }}
{%- set incremental = incremental_build() %}
{%- set line_tables = [] %}
{%- for source_table, spec in var('landing_tables').items() %}
{%- if spec['partition'] == 'line_id' %}
{%- do line_tables.append(source_table) %}
{%- endif %}
{%- endfor %}

with

{% if incremental %}
{% for source_table in line_tables %}
{%- set key = landing_table(source_table)['key'] %}
{%- set accepted_store = 'fct_contract_events' if source_table == 'contract_events'
    else 'stg_landing__' ~ source_table %}
{%- set stores = [prior_relation(accepted_store),
    prior_relation('stg_landing__' ~ source_table ~ '_quarantined')]
    | reject('none') | list %}
new_{{ source_table }} as (
    select {{ key }} as row_key, line_id
    from ({{ delivered_rows(source_table, new_only=true) }})
),

touched_by_{{ source_table }} as (
    select line_id from new_{{ source_table }}
    {%- for relation in stores %}
    union
    select stored.line_id
    from {{ relation }} as stored
    inner join new_{{ source_table }} as new_rows
        on stored.{{ key }} = new_rows.row_key
    {%- endfor %}
),

{% endfor %}
touched as (
    {%- for source_table in line_tables %}
    select line_id from touched_by_{{ source_table }}
    {% if not loop.last %}union{% endif %}
    {%- endfor %}
)

select coalesce(line_id, chr(0)) as line_id
from touched
{% else %}
{{ no_affected_partitions('line_id') }}
{% endif %}
