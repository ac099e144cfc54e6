{#- P3: the 25 % selective-discount clawback. The discount received so far is
    monthly_discount_krw * 12 * U / 365; within the grace period (U <= G) all of it,
    then that amount times R / (C - G); floored to whole won, 0 once U >= C. The
    product is formed before the one division so that no intermediate rounding
    happens; it is formed in HUGEINT, so it is exact for any BIGINT inputs whose result
    fits a BIGINT (agreements whose result could not are quarantined, issue 10.3). -#}
{% macro selective_discount_clawback_krw(
    monthly_discount_krw, contract_days, days_used, remaining_days, grace_days
) -%}
    case
        when {{ days_used }} >= {{ contract_days }} then 0
        when {{ days_used }} <= {{ grace_days }} then {{ floor_divide(
            'cast(' ~ monthly_discount_krw ~ ' as hugeint) * 12 * (' ~ days_used ~ ')',
            '365') }}
        else {{ floor_divide(
            'cast(' ~ monthly_discount_krw ~ ' as hugeint) * 12 * (' ~ days_used
                ~ ') * (' ~ remaining_days ~ ')',
            '365 * ((' ~ contract_days ~ ') - (' ~ grace_days ~ '))') }}
    end
{%- endmacro %}
