-- int_landing_instants_summarised is the one clock of the unclaimed register: exactly
-- one row (its grain), whatever the landing data holds.
select count(*) as summary_rows
from {{ ref('int_landing_instants_summarised') }}
having count(*) <> 1
