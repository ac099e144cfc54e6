{#- Billing controls (P1-P3; findings): billing against the warehouse's own penalty
    arithmetic over the non-excluded waiver lines, lines agreeing and won, within the
    tolerance var `reconciliation_penalty_tolerance` of dbt_project.yml. Billing is the
    truth for refunds (A7), so a disagreement describes the source system, not the
    warehouse: both are `finding` controls. -#}
{%- set penalty_tolerance = var('reconciliation_penalty_tolerance') -%}

with

penalties_compared as (
    select * from {{ ref('int_termination_penalties_compared') }}
),

waiver_eligibility as (
    select * from {{ ref('fct_waiver_eligibility') }}
),

billing_compared as (
    select
        count(*) as lines_compared,
        count(*) filter (
            where penalties_compared.waivable_billed_krw
            = penalties_compared.expected_waivable_penalty_krw
        ) as lines_agreeing,
        coalesce(sum(penalties_compared.expected_waivable_penalty_krw), 0)
            as arithmetic_krw,
        coalesce(sum(penalties_compared.waivable_billed_krw), 0) as billed_krw
    from penalties_compared
    inner join waiver_eligibility
        on penalties_compared.line_id = waiver_eligibility.line_id
    where waiver_eligibility.waiver_status in ('eligible', 'eligible_no_penalty')
),

controls as (
    select
        'penalty_billing__lines_agreeing' as check_name,
        lines_compared as expected,
        lines_agreeing as actual,
        lines_agreeing >= lines_compared * (1 - {{ penalty_tolerance }}) as passed,
        'finding' as severity
    from billing_compared

    union all

    select
        'penalty_billing__waivable_krw' as check_name,
        arithmetic_krw as expected,
        billed_krw as actual,
        abs(billed_krw - arithmetic_krw)
        <= arithmetic_krw * {{ penalty_tolerance }} as passed,
        'finding' as severity
    from billing_compared
),

final as (
    {{ control_figures('controls') }}
)

select * from final
