-- control_figures fed with literal controls, with each row's own severity and verdict,
-- with one severity for all (equalities only) and with one severity and verdicts; a row
-- is returned for every control whose difference, verdict or severity is not the
-- expected one.
with

controls as (
    select
        'equal' as check_name,
        5 as expected,
        5 as actual,
        cast(null as boolean) as passed,
        'integrity' as severity,
        0 as want_difference,
        true as want_passed
    union all
    select
        'unequal' as check_name,
        5 as expected,
        7 as actual,
        cast(null as boolean) as passed,
        'integrity' as severity,
        2 as want_difference,
        false as want_passed
    union all
    select
        'within_bound' as check_name,
        9 as expected,
        7 as actual,
        true as passed,
        'integrity' as severity,
        -2 as want_difference,
        true as want_passed
    union all
    select
        'outside_tolerance' as check_name,
        100 as expected,
        90 as actual,
        false as passed,
        'finding' as severity,
        -10 as want_difference,
        false as want_passed
    union all
    select
        'null_expected' as check_name,
        null as expected,
        0 as actual,
        cast(null as boolean) as passed,
        'integrity' as severity,
        null as want_difference,
        false as want_passed
    union all
    select
        'null_actual' as check_name,
        0 as expected,
        null as actual,
        true as passed,
        'integrity' as severity,
        null as want_difference,
        false as want_passed
),

equality_controls as (
    -- the same figures without verdicts: every control an equality
    select
        check_name,
        expected,
        actual,
        coalesce(expected = actual, false) as want_passed
    from controls
),

figures as (
    {{ control_figures('controls') }}
),

equality_figures as (
    {{ control_figures('equality_controls', severity='finding') }}
),

verdict_figures as (
    {{ control_figures('controls', severity='finding', has_verdicts=true) }}
),

mismatches as (
    select
        figures.check_name,
        'own severity' as called_with
    from figures
    inner join controls
        on figures.check_name = controls.check_name
    where
        figures.difference is distinct from controls.want_difference
        or figures.passed is distinct from controls.want_passed
        or figures.severity is distinct from controls.severity

    union all

    select
        equality_figures.check_name,
        'one severity' as called_with
    from equality_figures
    inner join equality_controls
        on equality_figures.check_name = equality_controls.check_name
    where
        equality_figures.passed is distinct from equality_controls.want_passed
        or equality_figures.severity is distinct from 'finding'

    union all

    select
        verdict_figures.check_name,
        'one severity, verdicts' as called_with
    from verdict_figures
    inner join controls
        on verdict_figures.check_name = controls.check_name
    where
        verdict_figures.passed is distinct from controls.want_passed
        or verdict_figures.severity is distinct from 'finding'
)

select * from mismatches
