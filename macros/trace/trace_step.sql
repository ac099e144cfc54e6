{#- One step of a rule trace: a struct {rule_id, outcome, detail}. `facts` is a list of
    (name, SQL expression) pairs rendered as `name=value` joined by '; ' (a fact whose
    value is null is left out); `outcome` is a SQL expression; with `when` (a SQL
    boolean) the step is null unless it holds, and rule_trace drops null steps. -#}
{% macro trace_step(rule_id, outcome, facts, when=none) -%}
    {%- set step -%}
    {
        'rule_id': '{{ rule_id }}',
        'outcome': cast({{ outcome }} as varchar),
        'detail': {% if facts -%}
        concat_ws(
            '; '
            {%- for name, value in facts %},
            '{{ name }}=' || cast({{ value }} as varchar)
            {%- endfor %}
        )
        {%- else -%}
        ''
        {%- endif %}
    }
    {%- endset -%}
    {%- if when is none -%}
    {{ step }}
    {%- else -%}
    case when {{ when }} then {{ step }} end
    {%- endif -%}
{%- endmacro %}
