{#- One row per control figure (PUBLISHED_MARTS.md): the controls of every domain, each
    computed by its own model (rpt_reconciliation__sources, __waiver, __refunds,
    __billing, __rewards, __determinations; verdicts by the macro control_figures).
    `remedy reconcile` recomputes every row independently in Python
    (src/remedy/reconcile.py) and fails when the two disagree.

    Severity: an `integrity` control is an identity the warehouse itself guarantees (every
    row accounted for, populations partitioned, money conserved); a `finding` compares the
    warehouse with a source system (billing vs the P arithmetic: billing is the truth for
    refunds, A7) and measures the source, not the warehouse. `remedy reconcile` and
    `remedy build --require-controls` fail on integrity controls; findings only fail
    `--strict`.

    Every figure is over a set that may be empty (no refund application before
    2026-01-14): counts and sums are coalesced to 0, so an empty set compares 0 with 0, and
    a null figure fails its control instead of passing as "null is not distinct from
    null". Counts use `count(*) filter (where ...)`, which is 0 over an empty set
    (DuckDB's `count_if` is null there). -#}
with

source_controls as (
    select * from {{ ref('rpt_reconciliation__sources') }}
),

waiver_controls as (
    select * from {{ ref('rpt_reconciliation__waiver') }}
),

refund_controls as (
    select * from {{ ref('rpt_reconciliation__refunds') }}
),

billing_controls as (
    select * from {{ ref('rpt_reconciliation__billing') }}
),

reward_controls as (
    select * from {{ ref('rpt_reconciliation__rewards') }}
),

determination_controls as (
    select * from {{ ref('rpt_reconciliation__determinations') }}
),

unioned as (
    select * from source_controls
    union all
    select * from waiver_controls
    union all
    select * from refund_controls
    union all
    select * from billing_controls
    union all
    select * from reward_controls
    union all
    select * from determination_controls
),

final as (
    select
        check_name,
        expected,
        actual,
        difference,
        passed,
        severity
    from unioned
)

select * from final
