{#- The columns of a control table (rpt_reconciliation and its per-domain parts) from a
    relation or CTE of (check_name, expected, actual, passed, severity): `passed` is
    left null for an equality control and given for the others (`_within_` bounds,
    tolerances). A control passes only when both figures are known: a null figure is a
    defect, never "null = null". With `severity`, every row of the relation has that
    severity and the relation needs only (check_name, expected, actual): every control
    is an equality, unless `has_verdicts` says the relation carries `passed`. -#}
{% macro control_figures(controls, severity=none, has_verdicts=none) -%}
    {%- if has_verdicts is none -%}
        {%- set has_verdicts = severity is none -%}
    {%- endif -%}
    {%- set passed = 'passed' if has_verdicts else 'cast(null as boolean)' -%}
    {%- set severity = "'" ~ severity ~ "'" if severity else 'severity' -%}
    select
        cast(check_name as varchar) as check_name,
        cast(expected as bigint) as expected,
        cast(actual as bigint) as actual,
        cast(actual - expected as bigint) as difference,
        coalesce(
            expected is not null
            and actual is not null
            and coalesce({{ passed }}, actual = expected),
            false
        ) as passed,
        cast({{ severity }} as varchar) as severity
    from {{ controls }}
{%- endmacro %}
