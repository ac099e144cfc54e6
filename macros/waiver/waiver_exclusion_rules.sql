{#- W2: the exclusion reason codes in precedence order with the rule id of each, the
    one list that waiver_exclusion_reasons and waiver_exclusion_rule_id read. -#}
{% macro waiver_exclusion_rules() -%}
    {{ return([
        ('mvno', 'W2.1'),
        ('iot_or_special', 'W2.2'),
        ('prepaid', 'W2.3'),
        ('forced_termination', 'W2.4'),
        ('new_since_base_date', 'W2.5'),
        ('device_change_since_base_date', 'W2.6'),
        ('recontract_since_base_date', 'W2.7'),
        ('rejoined', 'W2.8'),
    ]) }}
{%- endmacro %}
