{#- A2-A6: every accepted refund application with its timing against the application
    window, whether it can be paid (A3), its rank among its line's contending
    applications and its one outcome. Outcomes are decided in A6's order:
    unknown_line (no such accepted line), not_eligible (the line's waiver_status is
    not `eligible`), before_window; then per line the earliest payable application
    (on time, holder accepted) is `accepted`, or, when none can be paid, the
    earliest remaining one is `manual_review`; every other contending application is
    `duplicate`. Ties on applied_at break by application_id. Incremental by line. -#}
{{ replaces_partitions() }}

with

applications as (
    select * from {{ affected_rows(
        ref('stg_landing__refund_applications'), 'line_id'
    ) }}
),

lines as (
    select * from {{ affected_rows(ref('stg_landing__lines'), 'line_id') }}
),

waiver_terminations as (
    select * from {{ affected_rows(
        ref('int_waiver_terminations_classified'), 'line_id'
    ) }}
),

program_parameters as (
    select * from {{ ref('stg_program__parameters') }}
),

codes as (
    select * from {{ ref('ref_codes') }}
),

holder_exceptions as (
    select code as holder_exception from codes
    where code_list = 'holder_exception'
),

hardship_reasons as (
    select code as hardship_reason from codes
    where code_list = 'hardship_reason'
),

classified as (
    select
        applications.application_id,
        applications.line_id,
        applications.channel,
        applications.holder_exception,
        applications.hardship_reason,
        applications.account_holder_matches,
        lines.line_id is not null as is_known_line,
        coalesce(waiver_terminations.waiver_status = 'eligible', false)
            as is_eligible_line,
        case
            when applications.applied_at_kst
                < program_parameters.application_window_start_kst
                then 'before_window'
            when applications.applied_at_kst
                <= program_parameters.application_window_end_kst
                then 'on_time'
            else 'late'
        end as application_timing,
        -- A3: a null account_holder_matches counts as a mismatch
        coalesce(applications.account_holder_matches, false)
        or holder_exceptions.holder_exception is not null as is_holder_accepted,
        -- A4: within the grace days after the hardship ended (KST dates)
        coalesce(
            hardship_reasons.hardship_reason is not null
            and applications.applied_date <= cast({{ dbt.dateadd(
                'day', 'program_parameters.hardship_grace_days',
                'applications.hardship_ended_on') }} as date),
            false
        ) as is_hardship_extension,
        applications.hardship_ended_on,
        applications.applied_date,
        applications.applied_at_kst
    from applications
    cross join program_parameters
    left join lines
        on applications.line_id = lines.line_id
    left join waiver_terminations
        on applications.line_id = waiver_terminations.line_id
    left join holder_exceptions
        on applications.holder_exception = holder_exceptions.holder_exception
    left join hardship_reasons
        on applications.hardship_reason = hardship_reasons.hardship_reason
),

contending as (
    select
        *,
        is_known_line
        and is_eligible_line
        and application_timing <> 'before_window' as is_contending,
        application_timing = 'on_time' and is_holder_accepted as is_payable
    from classified
),

contenders_ranked as (
    -- a line's first contender is its earliest payable application, else its earliest
    -- application
    select
        application_id,
        row_number() over (
            partition by line_id
            order by is_payable desc, applied_at_kst asc, application_id asc
        ) as line_rank
    from contending
    where is_contending
),

ranked as (
    select
        contending.*,
        contenders_ranked.line_rank
    from contending
    left join contenders_ranked
        on contending.application_id = contenders_ranked.application_id
),

final as (
    select
        application_id,
        line_id,
        channel,
        case
            when not is_known_line then 'unknown_line'
            when not is_eligible_line then 'not_eligible'
            when application_timing = 'before_window' then 'before_window'
            when line_rank = 1 and is_payable then 'accepted'
            when line_rank = 1 then 'manual_review'
            else 'duplicate'
        end as outcome,
        case
            when line_rank = 1 and not is_payable then
                case
                    when application_timing = 'on_time' then 'account_holder_mismatch'
                    when is_hardship_extension then 'hardship_extension'
                    else 'late_application'
                end
        end as review_reason,
        application_timing,
        is_holder_accepted,
        is_hardship_extension,
        line_rank,
        -- the inputs of A3 and A4, for fct_waiver_determinations
        holder_exception,
        hardship_reason,
        account_holder_matches,
        hardship_ended_on,
        applied_date,
        applied_at_kst
    from ranked
)

select * from final
