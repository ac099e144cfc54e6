{#- P1-P3 against billing, summarised: for each scope (every terminated line, or
    only the waiver population's window) and each component (the two P-rule
    clawbacks and their waivable total), how many lines billing and the warehouse's
    arithmetic disagree on and by how much. Every scope and component has a row,
    even with nothing to compare. -#}
with

compared as (
    select * from {{ ref('int_termination_penalties_compared') }}
),

scopes as (
    select 'all_terminations' as scope
    union all
    select 'waiver_window' as scope
),

components as (
    select 'subsidy_clawback' as component
    union all
    select 'selective_discount_clawback' as component
    union all
    select 'waivable_total' as component
),

scoped as (
    select
        'all_terminations' as scope,
        *
    from compared

    union all

    select
        'waiver_window' as scope,
        *
    from compared
    where is_in_waiver_window
),

by_component as (
    select
        scope,
        'subsidy_clawback' as component,
        billed_subsidy_clawback_krw as billed_krw,
        expected_subsidy_clawback_krw as computed_krw
    from scoped

    union all

    select
        scope,
        'selective_discount_clawback' as component,
        billed_selective_discount_clawback_krw as billed_krw,
        expected_selective_discount_clawback_krw as computed_krw
    from scoped

    union all

    select
        scope,
        'waivable_total' as component,
        waivable_billed_krw as billed_krw,
        expected_waivable_penalty_krw as computed_krw
    from scoped
),

summarised as (
    select
        scope,
        component,
        count(*) as lines_compared,
        count(*) filter (where billed_krw <> computed_krw) as lines_disagreeing,
        count(*) filter (where billed_krw > computed_krw)
            as lines_billed_above_computed,
        count(*) filter (where billed_krw < computed_krw)
            as lines_billed_below_computed,
        sum(billed_krw) as billed_krw,
        sum(computed_krw) as computed_krw,
        sum(billed_krw - computed_krw) as difference_krw,
        sum(abs(billed_krw - computed_krw)) as absolute_difference_krw,
        max(abs(billed_krw - computed_krw)) as max_absolute_difference_krw
    from by_component
    group by 1, 2
),

final as (
    select
        scopes.scope,
        components.component,
        cast(coalesce(summarised.lines_compared, 0) as bigint) as lines_compared,
        cast(coalesce(summarised.lines_disagreeing, 0) as bigint) as lines_disagreeing,
        cast(coalesce(summarised.lines_billed_above_computed, 0) as bigint)
            as lines_billed_above_computed,
        cast(coalesce(summarised.lines_billed_below_computed, 0) as bigint)
            as lines_billed_below_computed,
        cast(coalesce(summarised.billed_krw, 0) as bigint) as billed_krw,
        cast(coalesce(summarised.computed_krw, 0) as bigint) as computed_krw,
        cast(coalesce(summarised.difference_krw, 0) as bigint) as difference_krw,
        cast(coalesce(summarised.absolute_difference_krw, 0) as bigint)
            as absolute_difference_krw,
        cast(coalesce(summarised.max_absolute_difference_krw, 0) as bigint)
            as max_absolute_difference_krw
    from scopes
    cross join components
    left join summarised
        on scopes.scope = summarised.scope
            and components.component = summarised.component
)

select * from final
