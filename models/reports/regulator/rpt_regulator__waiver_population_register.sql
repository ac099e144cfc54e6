{#- Regulator package table `waiver_population_register` (issue 11): one row per
    waiver-population line with its waiver status and assignment status (`none` when
    the line is not eligible). The frame the package's audit sample is drawn from:
    `remedy extract` pseudonymises the line and ranks the pseudonyms (the key stays
    outside the warehouse), so a regulator redraws the sample from this table alone. -#}
with

determinations as (
    select * from {{ ref('fct_waiver_determinations') }}
),

final as (
    select
        cast(line_id as varchar) as line_id,
        cast(waiver_status as varchar) as waiver_status,
        cast(coalesce(assignment_status, 'none') as varchar) as assignment_status
    from determinations
)

select * from final
