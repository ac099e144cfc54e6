{#- A7 / W4: what billing charged each terminated line, summed per line (a line's
    charges all belong to its one accepted terminating event). Waivable amounts
    follow ref_charge_components.is_waivable; the two P-rule components are also
    kept apart (billed and paid) for the reconciliation against the warehouse's own
    arithmetic and for fct_waiver_determinations. Incremental by line. -#}
{{ replaces_partitions() }}

with

penalty_charges as (
    select * from {{ affected_rows(ref('stg_landing__penalty_charges'), 'line_id') }}
),

charge_components as (
    select * from {{ ref('ref_charge_components') }}
),

classified as (
    select
        penalty_charges.line_id,
        penalty_charges.termination_event_id,
        penalty_charges.component,
        penalty_charges.billed_krw,
        penalty_charges.paid_krw,
        charge_components.is_waivable
    from penalty_charges
    inner join charge_components
        on penalty_charges.component = charge_components.component
),

summed as (
    select
        line_id,
        termination_event_id,
        cast(sum(case when is_waivable then billed_krw else 0 end) as bigint)
            as waivable_billed_krw,
        cast(sum(case when is_waivable then paid_krw else 0 end) as bigint)
            as waivable_paid_krw,
        cast(sum(
            case when component = 'subsidy_clawback' then billed_krw else 0 end
        ) as bigint) as billed_subsidy_clawback_krw,
        cast(sum(
            case
                when component = 'selective_discount_clawback' then billed_krw else 0
            end
        ) as bigint) as billed_selective_discount_clawback_krw,
        cast(sum(
            case when component = 'subsidy_clawback' then paid_krw else 0 end
        ) as bigint) as paid_subsidy_clawback_krw,
        cast(sum(
            case
                when component = 'selective_discount_clawback' then paid_krw else 0
            end
        ) as bigint) as paid_selective_discount_clawback_krw,
        cast(sum(billed_krw) as bigint) as billed_krw,
        cast(count(*) as bigint) as charges
    from classified
    group by 1, 2
)

select * from summed
