{#- P1-P3, the one implementation of the warehouse's own penalty arithmetic, used by
    the lookup (P5, D = the as-of date) and by the billing reconciliation (D = the
    termination date). Emits five CTEs, to be placed inside the caller's `with`:

    agreements_in_force  one row per line of `line_dates` (all its columns kept): the
                         latest agreement with start_date <= D (ties: greatest
                         agreement_id), or nulls if none
    agreement_terms      + E = agreement_end_date (month-end clamped)
    penalty_days         + C, U, R, G (contract_days, days_used, remaining_days,
                         grace_days)
    penalty_amounts      + expected_subsidy_clawback_krw (P2) and
                         expected_selective_discount_clawback_krw (P3)
    expected_penalties   + expected_waivable_penalty_krw (their sum)

    `line_dates` names a relation or CTE with line_id and penalty_date (D); `agreements`
    one with the columns of int_agreements_accepted. Without an agreement in force every
    amount is 0. -#}
{% macro expected_penalties(line_dates, agreements) -%}
agreements_in_force as (
    select
        line_dates.*,
        agreements.agreement_id,
        agreements.agreement_type,
        agreements.start_date as agreement_start_date,
        agreements.term_months,
        agreements.subsidy_krw,
        agreements.monthly_discount_krw
    from {{ line_dates }} as line_dates
    left join {{ agreements }} as agreements
        on line_dates.line_id = agreements.line_id
        and agreements.start_date <= line_dates.penalty_date
    qualify row_number() over (
        partition by line_dates.line_id
        order by agreements.start_date desc, agreements.agreement_id desc
    ) = 1
),

agreement_terms as (
    select
        *,
        {{ agreement_end_date('agreement_start_date', 'term_months') }}
            as agreement_end_date
    from agreements_in_force
),

penalty_days as (
    select
        *,
        {{ dbt.datediff('agreement_start_date', 'agreement_end_date', 'day') }}
            as contract_days,
        {{ dbt.datediff('agreement_start_date', 'penalty_date', 'day') }} as days_used,
        -- R = max(C - U, 0), and C - U = (E - S) - (D - S) = E - D
        greatest(
            {{ dbt.datediff('penalty_date', 'agreement_end_date', 'day') }}, 0
        ) as remaining_days,
        {{ penalty_grace_days('term_months') }} as grace_days
    from agreement_terms
),

penalty_amounts as (
    select
        *,
        cast(case
            when agreement_type = 'device_subsidy' then {{ subsidy_clawback_krw(
                'subsidy_krw', 'contract_days', 'days_used', 'remaining_days',
                'grace_days') }}
            else 0
        end as bigint) as expected_subsidy_clawback_krw,
        cast(case
            when agreement_type = 'selective_discount'
                then {{ selective_discount_clawback_krw(
                    'monthly_discount_krw', 'contract_days', 'days_used',
                    'remaining_days', 'grace_days') }}
            else 0
        end as bigint) as expected_selective_discount_clawback_krw
    from penalty_days
),

expected_penalties as (
    select
        *,
        expected_subsidy_clawback_krw + expected_selective_discount_clawback_krw
            as expected_waivable_penalty_krw
    from penalty_amounts
)
{%- endmacro %}
