"""The dashboard's figures: one function per question, each a query on the published marts
(schema main) and rpt_ tables of one build, returning a pandas DataFrame.

Nothing here imports Streamlit: the functions are tested against a built warehouse and
against the semantic layer's figures without a browser. Sums are cast back to BIGINT
(DuckDB sums BIGINT to HUGEINT, which pandas would turn into floats).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from remedy.explain import explain_line
from remedy.published import open_published

Connection = duckdb.DuckDBPyConnection

STAGES = ("terminated", "eligible", "applied", "scheduled")
ALL_COHORTS = "all"


def waiver_funnel(con: Connection) -> pd.DataFrame:
    """Lines and waivable amounts at each funnel stage, per termination cohort.

    Stages: `terminated` (the waiver population, W1), `eligible` (W4), `applied` (an
    eligible line with a winning application: scheduled or in manual review, A6),
    `scheduled` (in a refund wave, A5). A cohort is the set of waves whose termination
    days hold the line's termination day (waves 1 and 2 share one cohort; the application
    time splits them); `all` is every line. Amounts are the waivable penalty billed and
    already paid (the refund, A7) of the lines at that stage.
    """
    return con.execute("""
        with calendar as (
            select
                terminated_from_date,
                terminated_to_date,
                string_agg(cast(refund_wave as varchar), ',' order by refund_wave) as waves
            from main.rpt_refund_wave_calendar
            group by 1, 2
        ),

        lines as (
            select
                coalesce(calendar.waves, 'none') as cohort,
                eligibility.waiver_status,
                assignments.assignment_status,
                eligibility.waivable_billed_krw,
                eligibility.waivable_paid_krw
            from main.fct_waiver_eligibility as eligibility
            left join main.fct_refund_assignments as assignments
                on eligibility.line_id = assignments.line_id
            left join calendar
                on eligibility.terminated_date
                between calendar.terminated_from_date and calendar.terminated_to_date
        ),

        staged as (
            select cohort, 'terminated' as stage, waivable_billed_krw, waivable_paid_krw
            from lines
            union all
            select cohort, 'eligible', waivable_billed_krw, waivable_paid_krw
            from lines where waiver_status = 'eligible'
            union all
            select cohort, 'applied', waivable_billed_krw, waivable_paid_krw
            from lines where assignment_status in ('scheduled', 'manual_review')
            union all
            select cohort, 'scheduled', waivable_billed_krw, waivable_paid_krw
            from lines where assignment_status = 'scheduled'
        ),

        counted as (
            select
                coalesce(cohort, 'all') as cohort,
                stage,
                count(*) as lines,
                sum(waivable_billed_krw) as waivable_billed_krw,
                sum(waivable_paid_krw) as waivable_paid_krw
            from staged
            group by grouping sets ((cohort, stage), (stage))
        ),

        stages as (
            select * from (values
                ('terminated', 1), ('eligible', 2), ('applied', 3), ('scheduled', 4)
            ) as stages (stage, stage_order)
        ),

        cohorts as (
            select distinct cohort from lines
            union all
            select 'all'
        ),

        final as (
            select
                cohorts.cohort,
                stages.stage,
                coalesce(counted.lines, 0) as lines,
                cast(coalesce(counted.waivable_billed_krw, 0) as bigint)
                    as waivable_billed_krw,
                cast(coalesce(counted.waivable_paid_krw, 0) as bigint)
                    as waivable_paid_krw
            from cohorts
            cross join stages
            left join counted
                on cohorts.cohort = counted.cohort
                and stages.stage = counted.stage
            order by cohorts.cohort = 'all', cohorts.cohort, stages.stage_order
        )

        select * from final
    """).df()


def wave_calendar(con: Connection) -> pd.DataFrame:
    """One row per refund wave: payout date, termination days, application times (A5)."""
    return con.execute("""
        select refund_wave, payout_date, terminated_from_date, terminated_to_date,
            applied_from_kst, applied_before_kst, application_window_start_kst,
            application_window_end_kst
        from main.rpt_refund_wave_calendar
        order by refund_wave
    """).df()


def application_curve(con: Connection) -> pd.DataFrame:
    """Applications per KST day and A6 outcome."""
    return con.execute("""
        select applied_date, outcome, count(*) as applications
        from main.fct_refund_application_outcomes
        group by 1, 2
        order by 1, 2
    """).df()


def daily_applications(con: Connection) -> pd.DataFrame:
    """Applications per KST day (every outcome) and their running total."""
    return con.execute("""
        with daily as (
            select applied_date, count(*) as applications
            from main.fct_refund_application_outcomes
            group by 1
        )

        select
            applied_date,
            applications,
            cast(sum(applications) over (order by applied_date) as bigint) as cumulative
        from daily
        order by applied_date
    """).df()


def cutoffs(con: Connection) -> pd.DataFrame:
    """The instants to mark on the application curve: the window's opening and close and
    the end of every wave that stops before the window closes (A2, A5)."""
    return con.execute("""
        with calendar as (
            select * from main.rpt_refund_wave_calendar
        ),

        marks as (
            select distinct application_window_start_kst as at_kst, 'window_open' as kind,
                cast(null as integer) as refund_wave
            from calendar
            union all
            select distinct application_window_end_kst, 'window_close', null
            from calendar
            union all
            select applied_before_kst, 'wave_end', refund_wave
            from calendar
            where applied_before_kst is not null
        )

        select * from marks
        order by at_kst, refund_wave
    """).df()


def refunds_by_wave(con: Connection) -> pd.DataFrame:
    """Scheduled refunds per wave, payout date and channel: lines, refund and write-off."""
    return con.execute("""
        select
            refund_wave,
            payout_date,
            channel,
            count(*) as lines,
            cast(sum(refund_krw) as bigint) as refund_krw,
            cast(sum(cancel_krw) as bigint) as cancel_krw
        from main.fct_refund_assignments
        where assignment_status = 'scheduled'
        group by 1, 2, 3
        order by 1, 3
    """).df()


def assignment_totals(con: Connection) -> pd.DataFrame:
    """Eligible lines per assignment status with their refund and write-off (A5-A7)."""
    return con.execute("""
        select
            assignment_status,
            count(*) as lines,
            cast(sum(refund_krw) as bigint) as refund_krw,
            cast(sum(cancel_krw) as bigint) as cancel_krw
        from main.fct_refund_assignments
        group by 1
        order by 1
    """).df()


def review_summary(con: Connection) -> pd.DataFrame:
    """The manual-review queue by reason (A3, A4): lines, refund and write-off at stake."""
    return con.execute("""
        select
            review_reason,
            count(*) as lines,
            cast(sum(refund_krw) as bigint) as refund_krw,
            cast(sum(cancel_krw) as bigint) as cancel_krw
        from main.fct_refund_assignments
        where assignment_status = 'manual_review'
        group by 1
        order by 2 desc, 1
    """).df()


def review_queue(con: Connection) -> pd.DataFrame:
    """Every line in manual review, oldest application first (ties by line)."""
    return con.execute("""
        select
            line_id,
            application_id,
            channel,
            applied_at_kst,
            review_reason,
            refund_krw,
            cancel_krw
        from main.fct_refund_assignments
        where assignment_status = 'manual_review'
        order by applied_at_kst, line_id
    """).df()


def reward_entitlements(con: Connection) -> pd.DataFrame:
    """Entitlements per benefit and month (of period_start) with the quantity granted."""
    return con.execute("""
        select
            benefit,
            entitlement_month,
            unit,
            entitlement_count,
            customer_count,
            total_quantity
        from main.fct_reward_entitlement_summary
        order by benefit, entitlement_month
    """).df()


def reconciliation(con: Connection) -> pd.DataFrame:
    """Every control of rpt_reconciliation, integrity controls before findings, failures
    first within each."""
    return con.execute("""
        select check_name, severity, expected, actual, difference, passed
        from main.rpt_reconciliation
        order by severity = 'finding', passed, check_name
    """).df()


PAGES: dict[str, tuple[Callable[[Connection], pd.DataFrame], ...]] = {
    "funnel": (waiver_funnel, wave_calendar),
    "applications": (daily_applications, application_curve, cutoffs),
    "refunds": (refunds_by_wave, assignment_totals),
    "review": (review_summary, review_queue),
    "rewards": (reward_entitlements,),
    "reconciliation": (reconciliation,),
}


@dataclass(frozen=True)
class BuildStamp:
    """Identifies one build of the published file: a swap gives a new inode."""

    path: str
    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path | str) -> BuildStamp:
        info = os.stat(path)
        return cls(str(path), info.st_ino, info.st_mtime_ns, info.st_size)


class BuildChanged(RuntimeError):
    """The published file was swapped while a page's queries ran; read it again."""


def read_page(page: str, stamp: BuildStamp) -> dict[str, pd.DataFrame]:
    """Every frame of one page, from one connection on the build `stamp` names.

    Raises BuildChanged when the file at the path is no longer that build when the queries
    end (it was swapped meanwhile), so a caller never caches new data under an old stamp.
    """
    with open_published(stamp.path) as con:
        frames = {query.__name__: query(con) for query in PAGES[page]}
    if BuildStamp.of(stamp.path) != stamp:
        raise BuildChanged(stamp.path)
    return frames


def load_page(
    page: str,
    path: Path | str,
    reader: Callable[[str, BuildStamp], dict[str, pd.DataFrame]] = read_page,
    attempts: int = 5,
) -> tuple[BuildStamp, dict[str, pd.DataFrame]]:
    """The current build's stamp and a page's frames, retrying across a swap or a writer's
    lock (a plain in-place `dbt build`) for a moment before giving up."""
    delay = 0.2
    for attempt in range(attempts):
        try:
            stamp = BuildStamp.of(path)
            return stamp, reader(page, stamp)
        except (BuildChanged, duckdb.IOException):
            if attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def line_explanation(
    path: Path | str, line_id: str, attempts: int = 5,
) -> tuple[BuildStamp, dict]:
    """`remedy explain` for the line lookup page: one line's explanation from one build
    (remedy.explain reads main.fct_waiver_determinations, main.fct_penalty_lookup,
    main.fct_reward_determinations, main.fct_refund_application_outcomes and
    main.fct_unclaimed_refunds), read again across a swap or a writer's lock. Raises
    remedy.explain.UnknownLine for an id no published mart knows."""
    delay = 0.2
    for attempt in range(attempts):
        try:
            stamp = BuildStamp.of(path)
            with open_published(stamp.path) as con:
                explanation = explain_line(con, line_id)
            if BuildStamp.of(path) != stamp:
                raise BuildChanged(stamp.path)
            return stamp, explanation
        except (BuildChanged, duckdb.IOException):
            if attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")
