-- The trace macros and waiver_exclusion_rule_id fed with literal values; a row is
-- returned when a macro does not give the expected value.
with

traced as (
    select
        {{ rule_trace([
            trace_step('W1', "'in_waiver_population'", [
                ('kept', "'yes'"),
                ('dropped', 'null'),
                ('amount_krw', '12345'),
            ]),
            trace_step('A5', "'scheduled'", [('refund_wave', '2')], when='false'),
            trace_step('N2', "'not_reminded'", []),
        ]) }} as rule_trace,
        {{ waiver_exclusion_rule_id("'mvno'") }} as first_rule,
        {{ waiver_exclusion_rule_id("'rejoined'") }} as last_rule,
        {{ waiver_exclusion_rule_id("'unknown'") }} as no_rule
),

expected as (
    select
        [
            {
                'rule_id': 'W1',
                'outcome': 'in_waiver_population',
                'detail': 'kept=yes; amount_krw=12345'
            },
            {
                'rule_id': 'N2',
                'outcome': 'not_reminded',
                'detail': ''
            }
        ] as rule_trace
)

select traced.*
from traced
cross join expected
where
    traced.rule_trace is distinct from expected.rule_trace
    or traced.first_rule is distinct from 'W2.1'
    or traced.last_rule is distinct from 'W2.8'
    or traced.no_rule is not null
