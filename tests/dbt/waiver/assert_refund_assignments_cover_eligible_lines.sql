-- Identity: eligible = scheduled + manual_review + not_applied. Every eligible line has
-- exactly one assignment (the primary-key test covers "one") and every assignment is of
-- an eligible line; a row is returned for each line that breaks this.
with

eligible_lines as (
    select line_id from {{ ref('fct_waiver_eligibility') }}
    where waiver_status = 'eligible'
),

assignments as (
    select * from {{ ref('fct_refund_assignments') }}
    where assignment_status in ('scheduled', 'manual_review', 'not_applied')
)

select
    coalesce(eligible_lines.line_id, assignments.line_id) as line_id,
    eligible_lines.line_id is not null as is_eligible,
    assignments.line_id is not null as is_assigned
from eligible_lines
full outer join assignments
    on eligible_lines.line_id = assignments.line_id
where eligible_lines.line_id is null or assignments.line_id is null
