{#- Landing table penalty_charges: every delivered version this build judges, with
    each contract check it fails (checks: macros/landing/rules/penalty_charges.sql;
    mechanics: landing_versions). A line's accepted charges must sum to an amount a
    BIGINT holds (the waiver marts add them up): when they cannot, every one of them
    is an invalid_value, so one line never stops the build. -#}
with

judged as (
    {{ landing_versions('penalty_charges') }}
),

unrepresentable_lines as (
    select line_id
    from judged
    where quarantine_reason is null
    group by 1
    having sum(cast(billed_krw as hugeint)) > {{ bigint_max() }}
),

final as (
    select
        * exclude (quarantine_reasons, quarantine_reason),
        case
            when
                quarantine_reason is null
                and line_id in (
                    select unrepresentable_lines.line_id from unrepresentable_lines
                )
                then ['invalid_value']
            else quarantine_reasons
        end as quarantine_reasons,
        case
            when
                quarantine_reason is null
                and line_id in (
                    select unrepresentable_lines.line_id from unrepresentable_lines
                )
                then 'invalid_value'
            else quarantine_reason
        end as quarantine_reason
    from judged
)

select * from final
