"""The warehouse built on generated data: every injected contract violation is quarantined
with the reason the generator recorded, raw rows reconcile, and every hand-written edge
case of `remedy.edge_cases` (cut-offs of W, A, N, P, R rules) holds in the marts, for the
default program and for the revision kt_2025_12_rev1 (generated with its own dates and
built with `--vars '{program_id: kt_2025_12_rev1}'`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from remedy.contract import TABLES
from remedy.edge_cases import Expectation, expectations
from remedy.generate import generate
from remedy.program import load_program, read_program

PENALTY_PSEUDO_MART = "penalty_arithmetic"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    landing = tmp_path_factory.mktemp("generated") / "raw"
    info = generate(landing, scale=0.001, seed=11, bad_rows=0.002, progress=False)
    return landing, info


@pytest.fixture(scope="module")
def warehouse(generated, tmp_path_factory, build) -> Path:
    landing, _ = generated
    return build(landing, tmp_path_factory.mktemp("generated-wh"))


def test_every_injected_violation_is_quarantined_with_its_reason(generated, warehouse, sql):
    _, info = generated
    quarantined = Counter(
        (table, key, reason)
        for table, key, reason in sql(warehouse, """
            select source_table, record_key, quarantine_reason
            from restricted.quarantine.quarantined_rows
        """)
    )
    missing = []
    for row in info["injected"]:
        if row["kind"] in {"exact_duplicate", "activated_at_mismatch"}:
            continue
        if quarantined[(row["table"], row["key"], row["expected_reason"])] == 0:
            missing.append(row)
    assert not missing, f"{len(missing)} injected rows not quarantined as expected: {missing[:5]}"
    kinds = {row["kind"] for row in info["injected"]}
    assert {"null_key", "conflicting_duplicate_key", "unknown_code", "orphan",
            "paid_exceeds_billed", "negative_amount", "second_terminating_event",
            "exact_duplicate"} <= kinds


def test_nothing_but_injected_rows_is_quarantined(generated, warehouse, sql):
    """Clean generated rows pass the contract: quarantine holds injected rows only (orphans
    of injected parents aside, which the generator avoids)."""
    _, info = generated
    expected = Counter(
        (row["table"], row["expected_reason"])
        for row in info["injected"]
        if row["kind"] not in {"exact_duplicate", "activated_at_mismatch"}
    )
    actual = Counter(dict(
        ((table, reason), count)
        for table, reason, count in sql(warehouse, """
            select source_table, quarantine_reason, count(*)
            from restricted.quarantine.quarantined_rows group by 1, 2
        """)
    ))
    assert actual == expected


def test_exact_duplicates_are_collapsed_not_quarantined(generated, warehouse, sql):
    _, info = generated
    duplicates = [row for row in info["injected"] if row["kind"] == "exact_duplicate"]
    assert duplicates
    counts = {
        table: collapsed
        for table, collapsed in sql(warehouse, """
            select source_table, collapsed_duplicate_rows from main.rpt_source_row_counts
        """)
    }
    assert sum(counts.values()) == len(duplicates)


def test_activation_disagreements_are_kept_and_counted(generated, warehouse, sql):
    _, info = generated
    injected = sum(1 for row in info["injected"] if row["kind"] == "activated_at_mismatch")
    assert injected > 0
    assert sql(warehouse, "select accepted_with_disagreement_rows from main.rpt_source_row_counts "
                          "where source_table = 'lines'") == [(injected,)]


def test_raw_rows_reconcile_with_the_files(generated, warehouse, sql):
    landing, _ = generated
    for table, raw, accepted, duplicates, quarantined in sql(
        warehouse, "select source_table, raw_rows, accepted_rows, collapsed_duplicate_rows, "
                   "quarantined_rows from main.rpt_source_row_counts"
    ):
        assert raw == pq.read_table(landing / table).num_rows, table
        assert raw == accepted + duplicates + quarantined, table
    assert {row[0] for row in sql(warehouse, "select source_table from main.rpt_source_row_counts")
            } == set(TABLES)


def _normalise(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _mart_rows(sql, warehouse: Path, expectation: Expectation) -> list[dict]:
    if expectation.mart == PENALTY_PSEUDO_MART:
        where = expectation.where
        rows = sql(warehouse, """
            select expected_waivable_penalty_krw
            from restricted.intermediate.int_termination_penalties_compared
            where agreement_id = ? and terminated_date = ?
        """, [where["agreement_id"], where["terminated_on"]])
        return [{"expected_penalty_krw": row[0]} for row in rows]
    columns = sorted({column for row in expectation.rows for column in row}) or ["1"]
    conditions = " and ".join(f"{column} = ?" for column in expectation.where)
    rows = sql(
        warehouse,
        f"select {', '.join(columns)} from main.{expectation.mart} where {conditions}",
        [str(value) if isinstance(value, dt.date) else value
         for value in expectation.where.values()],
    )
    return [dict(zip(columns, map(_normalise, row), strict=True)) for row in rows]


def _assert_holds(sql, warehouse: Path, case_id: str, expectation: Expectation) -> None:
    actual = _mart_rows(sql, warehouse, expectation)
    expected = [dict(row) for row in expectation.rows]
    key = repr
    assert sorted(actual, key=key) == sorted(expected, key=key), case_id


def test_every_owed_won_ends_in_one_state(warehouse, sql):
    """Issue 11 on generated data: waivable paid of eligible lines = refunds scheduled + held
    in manual review + unclaimed, the unclaimed register is exactly the owed lines without
    a payable application, and rpt_reconciliation carries the identity as a control."""
    [(paid, scheduled, review, unclaimed, owed_lines, register_lines)] = sql(warehouse, """
        select
            (select sum(waivable_paid_krw) from main.fct_waiver_eligibility
             where waiver_status = 'eligible'),
            (select sum(refund_krw) from main.fct_refund_assignments
             where assignment_status = 'scheduled'),
            (select sum(refund_krw) from main.fct_refund_assignments
             where assignment_status = 'manual_review'),
            (select sum(refund_krw) from main.fct_unclaimed_refunds),
            (select count(*) from main.fct_refund_assignments
             where assignment_status = 'not_applied' and refund_krw > 0),
            (select count(*) from main.fct_unclaimed_refunds)
    """)
    assert paid == scheduled + review + unclaimed and unclaimed > 0
    assert owed_lines == register_lines > 0
    states = dict(sql(warehouse, """
        select remediation_state, count(*) from main.fct_waiver_determinations
        where waiver_status = 'eligible' group by 1
    """))
    assert set(states) <= {"refund_scheduled", "manual_review", "unclaimed",
                           "nothing_to_refund"}
    assert states["unclaimed"] == register_lines
    assert sql(warehouse, "select distinct is_window_closed from main.fct_unclaimed_refunds"
               ) == [(True,)]  # generated activity runs to 2026-09-30
    controls = dict(sql(warehouse, """
        select check_name, passed from main.rpt_reconciliation
        where check_name in ('refunds__paid_equal_scheduled_review_unclaimed',
            'unclaimed__lines_equal_owed_not_applied')
    """))
    assert len(controls) == 2 and all(controls.values()), controls


def test_every_reward_decision_is_accounted_for(warehouse, sql):
    """R2-R6 on generated data: rpt_reconciliation's reward-determination controls (every
    scheduled grant, pass, choice and insurance application an entitlement or a
    determination; memberships for every population line not iot/special) hold."""
    controls = dict(sql(warehouse, """
        select check_name, passed from main.rpt_reconciliation
        where check_name like 'reward_determinations__%'
    """))
    assert set(controls) == {
        "reward_determinations__data_bonus__grants_accounted",
        "reward_determinations__roaming_bonus__passes_accounted",
        "reward_determinations__ott_voucher__choices_accounted",
        "reward_determinations__safety_insurance__applications_accounted",
        "reward_determinations__membership_discount__population_accounted",
    }
    assert all(controls.values()), controls


def test_every_generated_trace_names_the_deciding_rules(warehouse, sql):
    """The rule that decided each line's waiver and assignment status is a step of its rule
    trace, with the status (or review reason) as outcome."""
    [(lines, undecided)] = sql(warehouse, """
        with steps as (
            select line_id, waiver_status, waiver_decided_by, assignment_status,
                review_reason, assignment_decided_by, unnest(rule_trace) as step
            from main.fct_waiver_determinations
        ),
        decided as (
            select line_id,
                bool_or(step.rule_id = waiver_decided_by and step.outcome in (
                    'applies', waiver_status)) as waiver_named,
                bool_or(assignment_decided_by is null or (
                    step.rule_id = assignment_decided_by and step.outcome in (
                        'scheduled', 'not_applied', review_reason))) as assignment_named
            from steps
            group by 1
        )
        select count(*), count(*) filter (where not (waiver_named and assignment_named))
        from decided
    """)
    assert lines > 100 and undecided == 0
    [(mismatches, shown)] = sql(warehouse, """
        select count(*), coalesce(count_if(list_contains(
            list_transform(rule_trace, lambda step: step.detail like
                '%activation_source=activation_event_overrides_lines%'), true)), 0)
        from main.fct_waiver_determinations
        where has_activation_mismatch
    """)
    assert mismatches == shown


def _ids(pairs: list[tuple[str, Expectation]]) -> list[str]:
    return [f"{case_id}-{expectation.mart}-{index}"
            for index, (case_id, expectation) in enumerate(pairs)]


EDGE_EXPECTATIONS = expectations("kt_2025_12")
REVISION = "kt_2025_12_rev1"
REVISION_EXPECTATIONS = expectations(REVISION)


@pytest.mark.parametrize(("case_id", "expectation"), EDGE_EXPECTATIONS,
                         ids=_ids(EDGE_EXPECTATIONS))
def test_edge_case_holds_in_the_marts(case_id, expectation, warehouse, sql):
    _assert_holds(sql, warehouse, case_id, expectation)


@pytest.fixture(scope="module")
def revision_warehouse(tmp_path_factory, build) -> Path:
    landing = tmp_path_factory.mktemp("generated-rev1") / "raw"
    info = generate(landing, scale=0.001, seed=11, bad_rows=0.002, progress=False,
                    program_id=REVISION)
    assert info["program_id"] == REVISION
    return build(landing, tmp_path_factory.mktemp("generated-rev1-wh"),
                 dbt_vars={"program_id": REVISION})


@pytest.mark.parametrize(("case_id", "expectation"), REVISION_EXPECTATIONS,
                         ids=_ids(REVISION_EXPECTATIONS))
def test_revision_edge_case_holds_in_the_marts(case_id, expectation, revision_warehouse, sql):
    _assert_holds(sql, revision_warehouse, case_id, expectation)


def test_the_seed_reader_agrees_with_the_built_program_schema(warehouse, revision_warehouse):
    """The generator's program (seed CSVs) is the one dbt loaded for the checks."""
    for database, program_id in ((warehouse, "kt_2025_12"), (revision_warehouse, REVISION)):
        with duckdb.connect(str(database), read_only=True) as con:
            assert load_program(con, program_id) == read_program(program_id)
