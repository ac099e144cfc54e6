-- R6: completed_years fed with literal values. Fails on every case whose age differs
-- from the expected one. A 29 February birthday completes its year on 1 March in a
-- common year and on 29 February in a leap year.
with

cases as (
    select
        literal_cases.birth_date,
        literal_cases.on_date,
        literal_cases.expected_age
    from (
        values
        (date '1961-01-13', date '2026-01-13', 65),
        (date '1961-01-14', date '2026-01-13', 64),
        (date '1961-01-13', date '2026-01-12', 64),
        (date '1960-02-29', date '2025-02-28', 64),
        (date '1960-02-29', date '2025-03-01', 65),
        (date '1960-02-29', date '2024-02-28', 63),
        (date '1960-02-29', date '2024-02-29', 64),
        (date '1960-02-29', date '2026-01-13', 65),
        (date '1960-02-28', date '2025-02-28', 65),
        (date '1961-03-01', date '2026-01-31', 64),
        (date '1961-01-20', date '2026-01-31', 65),
        (date '2000-12-31', date '2001-12-30', 0)
    ) as literal_cases (birth_date, on_date, expected_age)
),

computed as (
    select
        birth_date,
        on_date,
        expected_age,
        {{ completed_years('birth_date', 'on_date') }} as computed_age
    from cases
)

select * from computed
where computed_age is distinct from expected_age
