{#- P1: the grace period G during which the whole subsidy is clawed back (180 days for a
    24-month agreement, 90 for a 12-month one in kt_2025_12), read from the seed
    program_penalty_terms of the active program (dbt var program_id). A term the
    program does not define yields null, and so no expected penalty. The seed's term
    is renamed inside the subquery so that `term_months` always means the caller's. -#}
{% macro penalty_grace_days(term_months) -%}
    (
        select penalty_terms.grace_days
        from (
            select
                program_penalty_terms.term_months as seeded_term_months,
                program_penalty_terms.grace_days
            from {{ ref('program_penalty_terms') }} as program_penalty_terms
            where program_penalty_terms.program_id = '{{ var("program_id") }}'
        ) as penalty_terms
        where penalty_terms.seeded_term_months = {{ term_months }}
    )
{%- endmacro %}
