{#- A rule trace: the steps (trace_step) in the order given, without the null ones (steps
    whose `when` did not hold), as a LIST of STRUCT(rule_id, outcome, detail). -#}
{% macro rule_trace(steps) -%}
    list_filter(
        [
            {%- for step in steps %}
            {{ step }}{{ "," if not loop.last }}
            {%- endfor %}
        ],
        lambda step: step is not null
    )
{%- endmacro %}
