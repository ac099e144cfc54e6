-- The P macros fed with literal values (P4's worked examples, 24-month agreement from
-- 2024-03-15: C = 730, G = 180); a row is returned for each case that does not give the
-- published amount.
with

cases as (
    select cases.* from (
        values
        ('P4 subsidy, ended 2025-01-15', 'subsidy', 600000, 730, 306, 424, 180, 462545),
        ('P4 subsidy, ended 2024-08-01', 'subsidy', 600000, 730, 139, 591, 180, 600000),
        ('P4 selective, ended 2026-02-13', 'selective', 17250, 730, 700, 30, 180, 21653)
    ) as cases (
        case_name, component, amount_krw, contract_days, days_used, remaining_days,
        grace_days, expected_krw
    )
),

computed as (
    select
        *,
        case component
            when 'subsidy' then {{ subsidy_clawback_krw(
                'amount_krw', 'contract_days', 'days_used', 'remaining_days',
                'grace_days') }}
            else {{ selective_discount_clawback_krw(
                'amount_krw', 'contract_days', 'days_used', 'remaining_days',
                'grace_days') }}
        end as computed_krw,
        {{ agreement_end_date("cast('2024-03-15' as date)", '24') }} as end_date,
        {{ penalty_grace_days('24') }} as grace_days_24,
        {{ penalty_grace_days('12') }} as grace_days_12
    from cases
)

select *
from computed
where
    computed_krw <> expected_krw
    or end_date <> cast('2026-03-15' as date)
    or grace_days_24 <> 180
    or grace_days_12 <> 90
