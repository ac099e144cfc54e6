"""Control severities and empty sets on hand-written landing directories built with dbt.

- Billing whose penalties follow no formula (28 of 30 lines off the P1-P3 arithmetic) is a
  finding about the billing system, not a broken warehouse: the build publishes with
  `--require-controls`, `remedy reconcile` exits 0 and reports the finding with its counts
  and amounts, `--strict` (and `--strict-controls`) fail.
- The state on 2025-12-31, before any refund application: every control compares 0 with 0
  where its set is empty, and passes.
- A delivery whose every table is empty builds with every control passing.

Times are KST wall-clock strings; write_table stores them as UTC instants.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from remedy.cli import main
from remedy.contract import TABLES
from remedy.landing import write_empty_tables, write_tables
from remedy.program import read_program
from remedy.rules import expected_penalty_krw

pytestmark = pytest.mark.slow

ACTIVE = "2023-03-01 10:00:00"
AGREEMENT_START = dt.date(2025, 2, 1)
BIN = Path(sys.executable).parent


class Landing:
    """Rows per contract table: lines of their own customers, terminated or in service."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = defaultdict(list)

    def line(self, line_id: str, terminated: str | None = None, subsidy: int | None = None,
             billed: int = 0, paid: int = 0, **overrides) -> None:
        customer_id = f"C-{line_id}"
        self.tables["customers"].append(dict(
            customer_id=customer_id, person_key=f"P-{line_id}", customer_type="individual",
            full_name="홍길동", birth_date="1970-05-05", created_at="2019-12-01 09:00:00"))
        row = dict(line_id=line_id, customer_id=customer_id, msisdn="010-1234-5678",
                   network="kt", line_class="phone", payment_type="postpaid",
                   activated_at=ACTIVE)
        row.update(overrides)
        self.tables["lines"].append(row)
        self.event(f"{line_id}-act", line_id, "activation", ACTIVE)
        if subsidy is not None:
            self.tables["agreements"].append(dict(
                agreement_id=f"{line_id}-ag", line_id=line_id, agreement_type="device_subsidy",
                start_date=AGREEMENT_START.isoformat(), term_months=24, subsidy_krw=subsidy))
        if terminated is not None:
            self.event(f"{line_id}-term", line_id, "termination", terminated)
            if billed:
                self.tables["penalty_charges"].append(dict(
                    charge_id=f"{line_id}-ch", line_id=line_id,
                    termination_event_id=f"{line_id}-term", component="subsidy_clawback",
                    billed_krw=billed, paid_krw=paid, billed_on=terminated[:10]))

    def event(self, event_id: str, line_id: str, event_type: str, at: str) -> None:
        self.tables["contract_events"].append(dict(
            event_id=event_id, line_id=line_id, event_type=event_type, event_at=at,
            channel="store"))

    def application(self, application_id: str, line_id: str, at: str) -> None:
        self.tables["refund_applications"].append(dict(
            application_id=application_id, line_id=line_id, channel="web", applied_at=at,
            account_holder_matches=True, bank_account_token=f"tok-{application_id}"))

    def write(self, root: Path) -> Path:
        write_tables(root, self.tables)
        return root


def _arithmetic(terminated: str, subsidy: int) -> int:
    """What P1-P2 gives for a 24-month subsidy agreement from AGREEMENT_START."""
    return expected_penalty_krw("device_subsidy", AGREEMENT_START, 24, subsidy, None,
                                dt.date.fromisoformat(terminated[:10]),
                                read_program("kt_2025_12").grace_days)


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="False", **extra)
    return env


def _controls(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select check_name, expected, actual, passed, severity "
            "from main.rpt_reconciliation order by check_name"
        ).fetchall()


def _reconcile(database: Path, *args: str, landing: Path | None = None):
    raw_dir = ["--raw-dir", str(landing)] if landing is not None else []
    return CliRunner().invoke(main, ["reconcile", "--duckdb", str(database), *raw_dir, *args])


def _assert_every_control_passes_over_zeros_not_nulls(database: Path, landing: Path) -> None:
    controls = _controls(database)
    assert controls
    assert [row for row in controls if row[1] is None or row[2] is None] == []
    assert [row[0] for row in controls if not row[3]] == []
    result = _reconcile(database, landing=landing)
    assert result.exit_code == 0, result.output
    assert "raw rows recounted from the Parquet footers" in result.output
    assert result.output.splitlines()[-1] == "RECONCILIATION PASSED"
    assert _reconcile(database, "--strict", landing=landing).exit_code == 0


# --- billing that follows no formula --------------------------------------------------------

TERMINATED = "2025-10-10 12:00:00"


@pytest.fixture(scope="module")
def unformulaic_billing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 eligible lines whose billed subsidy clawback is a made-up number on 28 of them,
    the P2 figure on two; ten of them applied on time."""
    landing = Landing()
    for number in range(1, 31):
        line_id = f"L{number:02d}"
        subsidy = 400_000 + 1_000 * number
        billed = (_arithmetic(TERMINATED, subsidy) if number <= 2
                  else 100_000 + 7_919 * number)
        landing.line(line_id, TERMINATED, subsidy=subsidy, billed=billed,
                     paid=billed if number % 2 else billed // 2)
        if number <= 10:
            landing.application(f"A{number:02d}", line_id, "2026-01-15 10:00:00")
    return landing.write(tmp_path_factory.mktemp("unformulaic") / "landing")


def _remedy_build(landing: Path, database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "remedy"), "build", *args, "--target-path",
         str(database.parent / "target")],
        cwd=database.parent, env=_env(RAW_DIR=str(landing), DUCKDB_PATH=str(database)),
        capture_output=True, text=True, timeout=900,
    )


def test_billing_off_the_formula_is_a_finding_not_a_failure(
    unformulaic_billing: Path, tmp_path: Path
) -> None:
    """P1-P3 vs billing (A7: billing is the truth): integrity holds, the build publishes
    with --require-controls, reconcile exits 0 reporting the finding, --strict exits 1."""
    database = tmp_path / "published" / "warehouse.duckdb"
    database.parent.mkdir()
    built = _remedy_build(unformulaic_billing, database, "--require-controls")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert f"built {database}" in built.stdout

    by_name = {name: (expected, actual, passed, severity)
               for name, expected, actual, passed, severity in _controls(database)}
    assert by_name["penalty_billing__lines_agreeing"] == (30, 2, False, "finding")
    billed = sum(row["billed_krw"] for row in _landing_rows(unformulaic_billing,
                                                            "penalty_charges"))
    arithmetic = sum(_arithmetic(TERMINATED, 400_000 + 1_000 * number)
                     for number in range(1, 31))
    assert by_name["penalty_billing__waivable_krw"] == (arithmetic, billed, False, "finding")
    assert all(passed for expected, actual, passed, severity in by_name.values()
               if severity == "integrity")

    result = _reconcile(database, landing=unformulaic_billing)
    assert result.exit_code == 0, result.output
    assert "integrity: 32 of 32 controls hold" in result.output
    assert "findings: 2 of 2 outside tolerance" in result.output
    assert ("penalty_billing__lines_agreeing (OUTSIDE tolerance): 28 of 30 non-excluded "
            "waiver lines are billed a waivable penalty other than the P1-P3 arithmetic "
            "gives") in result.output
    assert (f"penalty_billing__waivable_krw (OUTSIDE tolerance): billed {billed:,} won "
            f"against {arithmetic:,} won by the P1-P3 arithmetic (difference "
            f"{billed - arithmetic:+,} won)") in result.output
    assert result.output.splitlines()[-1] == (
        "RECONCILIATION PASSED WITH FINDINGS: penalty_billing__lines_agreeing, "
        "penalty_billing__waivable_krw")

    strict = _reconcile(database, "--strict", landing=unformulaic_billing)
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == (
        "RECONCILIATION FAILED: penalty_billing__lines_agreeing, "
        "penalty_billing__waivable_krw")

    # publishing is in place: a build whose required findings fail is published and marked
    refused = _remedy_build(unformulaic_billing, database, "--strict-controls")
    assert refused.returncode == 1
    assert ("reconciliation control failed: penalty_billing__lines_agreeing"
            in refused.stderr)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select status from main.rpt_builds "
                           "order by build_seq desc limit 1").fetchone() == ("failed_checks",)


def test_a_broken_integrity_control_fails_strict_or_not(
    unformulaic_billing: Path, tmp_path: Path, build
) -> None:
    database = build(unformulaic_billing, tmp_path)
    with duckdb.connect(str(database)) as con:
        con.execute("update main.rpt_reconciliation set actual = actual - 1, passed = false "
                    "where check_name = 'eligible__by_assignment_status'")
        con.execute("delete from main.fct_refund_assignments where line_id = 'L30'")
    for args in ((), ("--strict",)):
        result = _reconcile(database, *args, landing=unformulaic_billing)
        assert result.exit_code == 1, result.output
        assert "eligible__by_assignment_status" in result.output.splitlines()[-1]
        assert result.output.splitlines()[-1].startswith("RECONCILIATION FAILED")


def _landing_rows(landing: Path, table: str) -> list[dict]:
    with duckdb.connect() as con:
        cursor = con.execute(f"select * from read_parquet('{landing / table}/*.parquet')")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- empty sets ---------------------------------------------------------------------------

def test_before_any_application_every_control_passes(tmp_path: Path, build) -> None:
    """The landing directory as it stood on 2025-12-31: terminations and penalties, no
    refund application, roaming pass, OTT choice or insurance application yet."""
    landing = Landing()
    for number, terminated in enumerate(
            ("2025-09-01 00:00:00", "2025-10-10 12:00:00", "2025-12-31 23:59:59"), start=1):
        subsidy = 300_000 + 10_000 * number
        billed = _arithmetic(terminated, subsidy)
        landing.line(f"L{number}", terminated, subsidy=subsidy, billed=billed, paid=billed)
    landing.line("L-nopenalty", "2025-11-11 11:00:00")
    landing.line("L-mvno", "2025-11-12 11:00:00", network="mvno", mvno_brand="brand-x")
    landing.line("L-iot", "2025-11-13 11:00:00", line_class="iot")
    landing.line("L-stay-1")
    landing.line("L-stay-2", subsidy=500_000)
    root = landing.write(tmp_path / "landing")
    assert not any((root / "refund_applications").glob("part-*.parquet"))

    database = build(root, tmp_path)
    _assert_every_control_passes_over_zeros_not_nulls(database, root)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute(
            "select assignment_status, count(*) from main.fct_refund_assignments group by 1"
        ).fetchall() == [("not_applied", 3)]
        assert con.execute(
            "select count(*) from main.fct_refund_application_outcomes").fetchone() == (0,)
        figures = dict(con.execute(
            "select check_name, expected from main.rpt_reconciliation").fetchall())
    assert figures["applications__one_outcome_each"] == 0
    assert figures["applications__accepted_equal_scheduled"] == 0
    assert figures["scheduled__in_exactly_one_wave"] == 0
    assert figures["waiver_population__by_status"] == 6


def test_every_table_empty_every_control_passes(tmp_path: Path, build) -> None:
    """A delivery of nine empty Parquet files."""
    root = tmp_path / "landing"
    write_empty_tables(root)
    _assert_every_control_passes_over_zeros_not_nulls(build(root, tmp_path), root)


def test_every_table_folder_empty_every_control_passes(tmp_path: Path, build) -> None:
    """A delivery of nine table folders holding no file at all."""
    root = tmp_path / "landing"
    for table in TABLES:
        (root / table).mkdir(parents=True)
    _assert_every_control_passes_over_zeros_not_nulls(build(root, tmp_path), root)
