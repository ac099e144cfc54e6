-- control_figures fed with literal controls; a row is returned for every control whose
-- difference, verdict or severity is not the expected one.
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

figures as (
    {{ control_figures('controls') }}
)

select
    figures.check_name,
    figures.difference,
    figures.passed
from figures
inner join controls
    on figures.check_name = controls.check_name
where
    figures.difference is distinct from controls.want_difference
    or figures.passed is distinct from controls.want_passed
    or figures.severity is distinct from controls.severity
