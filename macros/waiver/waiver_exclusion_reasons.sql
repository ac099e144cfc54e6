{#- W2: every exclusion that applies to a line, as a list of reason codes in precedence
    order (empty when none applies); its first element is the line's exclusion_reason.
    Each argument is a SQL boolean expression for one rule; a null counts as "does not
    apply". The waiver mart passes all eight; the lookup (P5) passes `false` for the
    rules that cannot apply to a line that has not terminated. The codes and their order
    come from waiver_exclusion_rules. -#}
{% macro waiver_exclusion_reasons(
    is_mvno,
    is_iot_or_special,
    is_prepaid,
    is_forced_termination,
    is_new_since_base_date,
    has_device_change_since_base_date,
    has_recontract_since_base_date,
    has_rejoined
) -%}
    {%- set conditions = [
        is_mvno,
        is_iot_or_special,
        is_prepaid,
        is_forced_termination,
        is_new_since_base_date,
        has_device_change_since_base_date,
        has_recontract_since_base_date,
        has_rejoined,
    ] -%}
    cast(list_filter(
        [
            {%- for rule in waiver_exclusion_rules() %}
            case when {{ conditions[loop.index0] }} then '{{ rule[0] }}' end
            {{- "," if not loop.last }}
            {%- endfor %}
        ],
        lambda reason: reason is not null
    ) as varchar[])
{%- endmacro %}
