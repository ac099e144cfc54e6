{#- Every contract check a row fails, in precedence order, as a list of reason codes
    (empty when the row is accepted). `checks` is a list of (reason, condition) pairs. -#}
{% macro quarantine_reasons(checks) -%}
    list_filter(
        [
            {%- for reason, condition in checks %}
            case when {{ condition }} then '{{ reason }}' end{{ "," if not loop.last }}
            {%- endfor %}
        ],
        lambda reason: reason is not null
    )
{%- endmacro %}
