{#- P2: the device-subsidy clawback. The whole subsidy within the grace period (U <= G),
    then pro rata of the remaining days over the days after the grace period, floored to
    whole won; 0 once the agreement has run its course (U >= C). The product is formed
    in HUGEINT: exact for any BIGINT subsidy. Arguments are SQL
    expressions of the agreement's subsidy and the P1 day counts C, U, R and G. -#}
{% macro subsidy_clawback_krw(
    subsidy_krw, contract_days, days_used, remaining_days, grace_days
) -%}
    case
        when {{ days_used }} >= {{ contract_days }} then 0
        when {{ days_used }} <= {{ grace_days }} then {{ subsidy_krw }}
        else {{ floor_divide(
            'cast(' ~ subsidy_krw ~ ' as hugeint) * (' ~ remaining_days ~ ')',
            '(' ~ contract_days ~ ') - (' ~ grace_days ~ ')') }}
    end
{%- endmacro %}
