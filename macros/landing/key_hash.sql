{#- A 64-bit hash of a key, to find the keys delivered more than once (and the unique
    test's candidates) without grouping the strings themselves. A collision costs work,
    never a wrong answer: every candidate is compared exactly afterwards. Dispatched:
    DuckDB hashes the key together with its reverse, because its hash() of one string
    collides far more often than 64 bits should on keys shaped like this program's
    (prefix, two numbers and a separator: 'EV0000000000-000' and 'EV0000090000-007' hash
    alike; among the 135 M event ids of scale 1.0, 4.8 M hash values are shared, where
    25 k keys are really repeated); with the reverse, none of those collide (docs/decisions.md, "Key
    hashes"). Elsewhere, dbt's hash. -#}
{% macro key_hash(expression) -%}
    {{- return(adapter.dispatch('key_hash', 'remedy')(expression)) -}}
{%- endmacro %}

{% macro default__key_hash(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro duckdb__key_hash(expression) -%}
    hash({{ expression }}, reverse(cast({{ expression }} as varchar)))
{%- endmacro %}
