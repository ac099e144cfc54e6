-- R4, R6: first_day_of_next_month and add_months fed with literal values (the rule's
-- own examples), including month ends and leap years. Fails on every differing case.
with

next_month_cases as (
    select
        literal_cases.day,
        literal_cases.expected_day
    from (
        values
        (date '2026-01-20', date '2026-02-01'),
        (date '2026-03-15', date '2026-04-01'),
        (date '2026-01-31', date '2026-02-01'),
        (date '2026-12-31', date '2027-01-01'),
        (date '2026-03-01', date '2026-04-01')
    ) as literal_cases (day, expected_day)
),

add_months_cases as (
    select
        literal_cases.day,
        literal_cases.months,
        literal_cases.expected_day
    from (
        values
        (date '2026-02-01', 6, date '2026-08-01'),
        (date '2026-04-01', 6, date '2026-10-01'),
        (date '2026-02-01', 24, date '2028-02-01'),
        (date '2026-01-31', 1, date '2026-02-28'),
        (date '2028-02-29', 12, date '2029-02-28')
    ) as literal_cases (day, months, expected_day)
),

failures as (
    select
        'first_day_of_next_month' as macro_name,
        day,
        expected_day,
        {{ first_day_of_next_month('day') }} as computed_day
    from next_month_cases

    union all

    select
        'add_months' as macro_name,
        day,
        expected_day,
        {{ add_months('day', 'months') }} as computed_day
    from add_months_cases
)

select * from failures
where computed_day is distinct from expected_day
