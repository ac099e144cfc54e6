{#- dbt's `unique` test, cheaper at scale: a narrow aggregate on the value's 64-bit hash
    (key_hash) finds the few candidates, and only those are grouped exactly (grouping
    135 M event ids as strings takes several times longer). Same result as the built-in
    test. -#}
{% macro duckdb__test_unique(model, column_name) %}
with

candidate_hashes as (
    select {{ key_hash(column_name) }} as value_hash
    from {{ model }}
    where {{ column_name }} is not null
    group by 1
    having count(*) > 1
)

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    and {{ key_hash(column_name) }} in (select value_hash from candidate_hashes)
group by 1
having count(*) > 1
{% endmacro %}
