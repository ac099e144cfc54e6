"""The dashboard's figures: one function per question, each a select from the published
models (schema main) of one build, returning a pandas DataFrame. The figures themselves are
dbt models (models/reports/: rpt_waiver_funnel, rpt_applications_by_day[_and_outcome],
rpt_refund_assignments_by_status and the regulator package's refund and remediation
tables), so a page selects, filters and orders, and formatting.py formats.

Nothing here imports Streamlit: the functions are tested against a built warehouse and
against the semantic layer's figures without a browser.
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
    """Lines and waivable amounts at each funnel stage, per termination cohort
    (main.rpt_waiver_funnel: stages W1, W4, A6, A5; cohorts by the waves' termination
    days, `all` last), stages in funnel order."""
    return con.execute("""
        select cohort, stage, lines, waivable_billed_krw, waivable_paid_krw
        from main.rpt_waiver_funnel
        order by cohort = 'all', cohort, stage_order
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
        select applied_date, outcome, applications
        from main.rpt_applications_by_day_and_outcome
        order by 1, 2
    """).df()


def daily_applications(con: Connection) -> pd.DataFrame:
    """Applications per KST day (every outcome) and their running total."""
    return con.execute("""
        select applied_date, applications, cumulative_applications as cumulative
        from main.rpt_applications_by_day
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
    """Scheduled refunds per wave, payout date and channel: lines, refund and write-off
    (the regulator package's refund totals, main.rpt_regulator__refunds_by_wave_and_channel)."""
    return con.execute("""
        select refund_wave, payout_date, channel, lines, refund_krw, cancel_krw
        from main.rpt_regulator__refunds_by_wave_and_channel
        where assignment_status = 'scheduled'
        order by 1, 3
    """).df()


def assignment_totals(con: Connection) -> pd.DataFrame:
    """Eligible lines per assignment status with their refund and write-off (A5-A7)."""
    return con.execute("""
        select assignment_status, lines, refund_krw, cancel_krw
        from main.rpt_refund_assignments_by_status
        order by 1
    """).df()


def review_summary(con: Connection) -> pd.DataFrame:
    """The manual-review queue by reason (A3, A4): lines, refund and write-off at stake
    (the manual_review rows of main.rpt_regulator__remediation_status_by_state)."""
    return con.execute("""
        select review_reason, lines, refund_krw, cancel_krw
        from main.rpt_regulator__remediation_status_by_state
        where remediation_state = 'manual_review'
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
