"""The Python rule book: calendar and penalty arithmetic of PROGRAM_RULES.md, written once.

`remedy.reconcile` (the independent recomputation of the marts) and the edge-case catalogue
(`remedy.edge_cases`) both use these functions; the warehouse has its own SQL macros
(`macros/dates/`, `macros/penalty/`), deliberately not shared with Python. Program facts
(the grace days G, ...) are arguments: they come from the program seeds
(`remedy.program`), never from literals here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

SUBSIDY = "device_subsidy"
SELECTIVE_DISCOUNT = "selective_discount"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, clamped to the target month's last day (P1, R4, R6).

    2024-02-29 + 12 months = 2025-02-28; 2024-01-31 + 1 month = 2024-02-29. An inclusive
    period of n months from `start` ends on add_months(start, n) - 1 day.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_day_of_next_month(day: dt.date) -> dt.date:
    """The 1st of the calendar month after `day` (R4, R6)."""
    return add_months(day.replace(day=1), 1)


def completed_years(birth: dt.date, on: dt.date) -> int:
    """Age in completed years (만 나이, R6): anniversaries of `birth` reached by `on`.

    A 29 February birthday has no anniversary in a common year; that year is completed
    when February ends, so the age goes up on 1 March (Korean Civil Code art. 158, 160(3)).
    """
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    return on.year - birth.year - int(before_birthday)


def penalty_days(start: dt.date, term_months: int, on: dt.date) -> tuple[int, int, int]:
    """P1: C = E - S, U = D - S and R = max(C - U, 0) in days, E = S + T months (clamped)."""
    contract_days = (add_months(start, term_months) - start).days
    days_used = (on - start).days
    return contract_days, days_used, max(contract_days - days_used, 0)


def subsidy_clawback_krw(subsidy_krw: int, contract_days: int, days_used: int,
                         remaining_days: int, grace_days: int) -> int:
    """P2: the whole subsidy while U <= G, then floor(subsidy * R / (C - G)); 0 once U >= C."""
    if days_used >= contract_days:
        return 0
    if days_used <= grace_days:
        return subsidy_krw
    return subsidy_krw * remaining_days // (contract_days - grace_days)


def selective_discount_clawback_krw(monthly_discount_krw: int, contract_days: int,
                                    days_used: int, remaining_days: int,
                                    grace_days: int) -> int:
    """P3: floor(m * 12 * U / 365) while U <= G, then floor(m * 12 * U * R / (365 * (C - G)))."""
    if days_used >= contract_days:
        return 0
    if days_used <= grace_days:
        return monthly_discount_krw * 12 * days_used // 365
    return (monthly_discount_krw * 12 * days_used * remaining_days
            // (365 * (contract_days - grace_days)))


def expected_penalty_krw(
    agreement_type: str | None,
    start: dt.date | None,
    term_months: int | None,
    subsidy_krw: int | None,
    monthly_discount_krw: int | None,
    on: dt.date,
    grace_days: Mapping[int, int],
) -> int:
    """P1-P3: the waivable penalty of one agreement for a termination (or lookup) on `on`.

    `grace_days` maps term_months to G (the program seed `program_penalty_terms`). No
    agreement (start None) gives 0; a term the program does not define raises KeyError.
    """
    if start is None or term_months is None:
        return 0
    contract_days, days_used, remaining_days = penalty_days(start, term_months, on)
    grace = grace_days[term_months]
    if agreement_type == SUBSIDY:
        return subsidy_clawback_krw(subsidy_krw or 0, contract_days, days_used,
                                    remaining_days, grace)
    if agreement_type == SELECTIVE_DISCOUNT:
        return selective_discount_clawback_krw(monthly_discount_krw or 0, contract_days,
                                               days_used, remaining_days, grace)
    return 0
