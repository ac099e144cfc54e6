"""The Python rule book (`remedy.rules`): P1-P4 arithmetic, month arithmetic and ages.

The values are the literal text of PROGRAM_RULES.md (P4's worked examples, R4/R6's
examples) and hand-computed grace and month-end edges; grace days are passed as the
program seed gives them for kt_2025_12.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from remedy.program import read_program
from remedy.rules import (
    add_months,
    completed_years,
    expected_penalty_krw,
    first_day_of_next_month,
    penalty_days,
)

D = dt.date
KT = read_program("kt_2025_12")


def _penalty(kind: str, start: D, term: int, amount: int, on: D) -> int:
    subsidy, discount = (amount, None) if kind == "device_subsidy" else (None, amount)
    return expected_penalty_krw(kind, start, term, subsidy, discount, on, KT.grace_days)


def test_grace_days_come_from_the_program_seed() -> None:
    assert KT.grace_days == {24: 180, 12: 90}


@pytest.mark.parametrize(("kind", "amount", "on", "days", "expected"), [
    # P4, 24-month agreement from 2024-03-15: C = 730, G = 180.
    ("device_subsidy", 600_000, D(2025, 1, 15), (730, 306, 424), 462_545),
    ("device_subsidy", 600_000, D(2024, 8, 1), (730, 139, 591), 600_000),
    ("selective_discount", 17_250, D(2026, 2, 13), (730, 700, 30), 21_653),
    # U >= C: the agreement has run its course.
    ("device_subsidy", 600_000, D(2026, 3, 15), (730, 730, 0), 0),
])
def test_p4_worked_examples(kind: str, amount: int, on: D, days: tuple, expected: int) -> None:
    assert penalty_days(D(2024, 3, 15), 24, on) == days
    assert _penalty(kind, D(2024, 3, 15), 24, amount, on) == expected


@pytest.mark.parametrize(("kind", "start", "term", "amount", "on", "expected"), [
    # Grace edges U = G and U = G + 1 (P2, P3).
    ("device_subsidy", D(2025, 3, 5), 24, 500_000, D(2025, 9, 1), 500_000),
    ("device_subsidy", D(2025, 3, 5), 24, 500_000, D(2025, 9, 2), 499_090),
    ("device_subsidy", D(2025, 6, 10), 12, 500_000, D(2025, 9, 8), 500_000),
    ("device_subsidy", D(2025, 6, 10), 12, 500_000, D(2025, 9, 9), 498_181),
    ("selective_discount", D(2025, 6, 10), 12, 20_000, D(2025, 9, 8), 59_178),
    ("selective_discount", D(2025, 6, 10), 12, 20_000, D(2025, 9, 9), 59_618),
    # E clamped: 2024-02-29 + 24 months = 2026-02-28 (C = 730); U >= C gives 0.
    ("device_subsidy", D(2024, 2, 29), 24, 500_000, D(2025, 10, 1), 136_363),
    ("device_subsidy", D(2024, 2, 29), 24, 500_000, D(2026, 2, 28), 0),
    ("device_subsidy", D(2024, 5, 1), 12, 500_000, D(2025, 10, 1), 0),
])
def test_grace_and_term_edges(kind: str, start: D, term: int, amount: int, on: D,
                              expected: int) -> None:
    assert _penalty(kind, start, term, amount, on) == expected


def test_no_agreement_means_no_penalty() -> None:
    assert expected_penalty_krw(None, None, None, None, None, D(2025, 10, 1),
                                KT.grace_days) == 0


def test_a_term_the_program_does_not_define_is_an_error() -> None:
    with pytest.raises(KeyError):
        _penalty("device_subsidy", D(2025, 3, 5), 36, 500_000, D(2025, 9, 1))


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 24, D(2026, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2023, 8, 31), 6, D(2024, 2, 29)),
    (D(2025, 3, 31), 1, D(2025, 4, 30)),
    (D(2024, 1, 31), 24, D(2026, 1, 31)),
    (D(2025, 12, 15), 1, D(2026, 1, 15)),
    (D(2026, 3, 31), -1, D(2026, 2, 28)),
])
def test_add_months_clamps_to_the_month_end(day: D, months: int, expected: D) -> None:
    assert add_months(day, months) == expected


def test_first_day_of_next_month() -> None:
    # R4: chosen 2026-01-20 -> 2026-02-01; chosen 2026-03-15 -> 2026-04-01.
    assert first_day_of_next_month(D(2026, 1, 20)) == D(2026, 2, 1)
    assert first_day_of_next_month(D(2026, 3, 15)) == D(2026, 4, 1)
    assert first_day_of_next_month(D(2026, 12, 31)) == D(2027, 1, 1)


@pytest.mark.parametrize(("birth", "on", "age"), [
    # R6: born 1961-01-13 is 65 on 2026-01-13; born 1961-01-14 is 64.
    (D(1961, 1, 13), D(2026, 1, 13), 65),
    (D(1961, 1, 14), D(2026, 1, 13), 64),
    # 29 February: the year is completed when February ends (1 March in a common year).
    (D(1960, 2, 29), D(2025, 2, 28), 64),
    (D(1960, 2, 29), D(2025, 3, 1), 65),
    (D(1960, 2, 29), D(2024, 2, 29), 64),
    (D(1960, 2, 29), D(2024, 2, 28), 63),
    (D(1960, 2, 29), D(2026, 1, 13), 65),
])
def test_completed_years(birth: D, on: D, age: int) -> None:
    assert completed_years(birth, on) == age


# --- no program facts in Python (issue 12) ---------------------------------------------------

SRC = Path(__file__).resolve().parents[1] / "src" / "remedy"
SCANNED = [SRC / "reconcile.py", SRC / "edge_cases.py", *sorted((SRC / "generator").glob("*.py"))]
# A calendar date, or a grace period of P1 (180 / 90 days) as a number of its own.
FORBIDDEN = {
    "date literal": re.compile(r"20\d\d-\d\d-\d\d"),
    "grace days": re.compile(r"(?<![\w.])(180|90)(?![\w.])"),
}


@pytest.mark.parametrize("path", SCANNED, ids=lambda path: path.name)
def test_no_program_date_or_grace_period_is_written_in_python(path: Path) -> None:
    """Program dates, amounts and grace periods come from seeds/programs/ (remedy.program)."""
    found = [f"{path.name}:{number}: {kind}: {line.strip()}"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for kind, pattern in FORBIDDEN.items() if pattern.search(line)]
    assert not found, "\n".join(found)
