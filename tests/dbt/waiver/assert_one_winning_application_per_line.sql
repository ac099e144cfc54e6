-- A6: one refund per line. At most one application of a line is accepted or sent to
-- manual review, and a line with an accepted application has none in manual review.
select
    line_id,
    count(*) as winning_applications
from {{ ref('fct_refund_application_outcomes') }}
where outcome in ('accepted', 'manual_review')
group by 1
having count(*) > 1
