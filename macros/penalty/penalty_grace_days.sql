{#- P1: the grace period G during which the whole subsidy is clawed back: 180 days for a
    24-month agreement, 90 days for a 12-month one (term_months is 12 or 24 by contract;
    any other term has no grace period defined and yields null). -#}
{% macro penalty_grace_days(term_months) -%}
    case {{ term_months }} when 24 then 180 when 12 then 90 end
{%- endmacro %}
