"""The dashboard's page logic without a browser: formatting, the queries against the marts,
reading across a rebuild, and every page run through Streamlit's AppTest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from published_sample import published_sample
from remedy.dashboard import app as dashboard_app
from remedy.dashboard import formatting as fmt
from remedy.dashboard import queries
from remedy.publish import build_lock
from remedy.published import open_published

APP = Path(dashboard_app.__file__)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return published_sample(tmp_path_factory)


def _scalar(database: Path, sql: str) -> int:
    with open_published(database) as con:
        return int(con.execute(sql).fetchone()[0] or 0)


def test_won_and_counts_have_thousands_separators():
    assert fmt.won(1234567) == "1,234,567원"
    assert fmt.won(0) == "0원"
    assert fmt.won(None) == fmt.won(float("nan")) == fmt.won(pd.NA) == "–"
    assert fmt.count(29_000_000, "회선") == "29,000,000회선"
    assert fmt.day(pd.Timestamp("2026-01-22")) == "2026-01-22"
    assert fmt.wave(2) == "2차"


def test_korean_labels_fall_back_to_the_code():
    assert fmt.label("review_reason", "account_holder_mismatch") == "예금주 불일치"
    assert fmt.label("benefit", "safety_insurance") == "안심 보험"
    assert fmt.label("channel", "kiosk") == "kiosk"
    assert fmt.label("channel", None) == "–"
    assert fmt.cohort("1,2") == "1·2차"
    assert fmt.cohort("all") == "전체"
    assert fmt.cutoff_label("wave_end", 1) == "1차 신청 마감"


def test_refunds_table_adds_wave_subtotals_and_a_total():
    refunds = pd.DataFrame({
        "refund_wave": [1, 1, 2], "payout_date": ["2026-01-22", "2026-01-22", "2026-02-05"],
        "channel": ["web", "store", "web"], "lines": [2, 1, 4],
        "refund_krw": [1_000_000, 250_000, 3_000], "cancel_krw": [0, 10, 0],
    })
    table = fmt.refunds_table(refunds)
    assert list(table["신청 경로"]) == ["웹", "매장", "소계", "웹", "소계", "–"]
    assert list(table["환급액"]) == ["1,000,000원", "250,000원", "1,250,000원", "3,000원",
                                    "3,000원", "1,253,000원"]
    assert table.iloc[-1]["차수"] == "합계"


def test_rewards_table_pivots_months_with_a_total():
    rewards = pd.DataFrame({
        "benefit": ["data_bonus", "data_bonus", "safety_insurance"],
        "entitlement_month": pd.to_datetime(["2026-02-01", "2026-03-01", "2026-02-01"]),
        "unit": ["GB", "GB", "policy"], "entitlement_count": [10, 12, 3],
        "customer_count": [10, 12, 3], "total_quantity": [1000, 1200, 3],
    })
    counts = fmt.rewards_table(rewards, "entitlement_count").set_index("혜택")
    assert counts.loc["데이터 보너스"].to_dict() == {"2026-02": "10", "2026-03": "12",
                                                "합계": "22"}
    quantities = fmt.rewards_table(rewards, "total_quantity").set_index("혜택")
    assert quantities.loc["데이터 보너스 (GB)", "합계"] == "2,200"


def test_reconciliation_tables_keep_integrity_and_findings_apart():
    controls = pd.DataFrame({
        "check_name": ["a", "b", "penalty_billing__lines_agreeing",
                       "penalty_billing__waivable_krw"],
        "severity": ["integrity", "integrity", "finding", "finding"],
        "expected": [10, 5, 30, 1_000_000], "actual": [10, 7, 2, 1_250_000],
        "difference": [0, 2, -28, 250_000], "passed": [True, False, False, True],
    })
    integrity = fmt.reconciliation_table(controls, "integrity")
    assert list(integrity["통제 항목"]) == ["a", "b"]
    assert list(integrity["상태"]) == ["통과", "실패"]
    assert list(integrity["차이"]) == ["+0", "+2"]
    findings = fmt.reconciliation_table(controls, "finding")
    assert list(findings["상태"]) == ["허용 범위 초과", "허용 범위 내"]
    assert list(findings["기대값"]) == ["비교 회선 30", "산식 (P1-P3) 1,000,000원"]
    assert list(findings["실제값"]) == ["산식과 일치 2", "청구 1,250,000원"]
    assert list(findings["차이"]) == ["-28", "+250,000원"]


@pytest.mark.slow
def test_funnel_stages_and_cohorts_match_the_marts(sample):
    with open_published(sample.database) as con:
        funnel = queries.waiver_funnel(con)
    overall = funnel[funnel["cohort"] == "all"].set_index("stage")
    database = sample.database
    assert list(overall.index) == list(queries.STAGES)
    assert overall.loc["terminated", "lines"] == _scalar(
        database, "select count(*) from main.fct_waiver_eligibility")
    assert overall.loc["eligible", "lines"] == _scalar(
        database, "select count(*) from main.fct_refund_assignments")
    assert overall.loc["applied", "lines"] == _scalar(
        database, "select count(*) from main.fct_refund_assignments "
                  "where assignment_status <> 'not_applied'")
    assert overall.loc["scheduled", "waivable_paid_krw"] == _scalar(
        database, "select sum(refund_krw) from main.fct_refund_assignments "
                  "where assignment_status = 'scheduled'")
    assert overall.loc["eligible", "waivable_billed_krw"] == _scalar(
        database, "select sum(waivable_billed_krw) from main.fct_waiver_eligibility "
                  "where waiver_status = 'eligible'")
    cohorts = funnel[funnel["cohort"] != "all"]
    assert set(cohorts["cohort"]) == {"1,2", "3"}
    summed = cohorts.groupby("stage")[["lines", "waivable_billed_krw", "waivable_paid_krw"]]
    assert (summed.sum().loc[list(queries.STAGES)].values
            == overall[["lines", "waivable_billed_krw", "waivable_paid_krw"]].values).all()


@pytest.mark.slow
def test_every_page_reads_only_published_relations(sample, tmp_path):
    """A database holding nothing but schema main's marts and rpt_ tables serves every
    page (nothing reads the program seeds, intermediate models or quarantine)."""
    only_main = tmp_path / "main-only.duckdb"
    with duckdb.connect(str(only_main)) as con:
        con.execute(f"attach '{sample.database}' as built (read_only)")
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'built' and table_schema = 'main' "
            "and (table_name like 'fct\\_%' escape '\\' or table_name like 'rpt\\_%' escape '\\')"
        ).fetchall():
            con.execute(f"create table main.{name} as select * from built.main.{name}")
    for page in queries.PAGES:
        stamp, frames = queries.load_page(page, only_main)
        assert frames and all(isinstance(frame, pd.DataFrame) for frame in frames.values())


def test_the_dashboard_never_loads_the_code_that_writes_a_database():
    """Pages, queries and the lookup import the read-only module only (remedy.published),
    never remedy.publish, remedy.build or the dbt runner."""
    script = ("import sys\n"
              "import remedy.dashboard.views, remedy.dashboard.queries, remedy.explain\n"
              "print(sorted(name for name in ('remedy.publish', 'remedy.build', "
              "'remedy.dbt_runner') if name in sys.modules))\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=120, check=True)
    assert completed.stdout.strip() == "[]"


def test_load_page_reads_again_when_the_build_changes_under_it(tmp_path):
    database = tmp_path / "wh.duckdb"
    duckdb.connect(str(database)).close()
    calls = []

    def reader(page, stamp):
        calls.append(stamp)
        if len(calls) == 1:
            raise queries.BuildChanged(stamp.path)
        return {"frame": pd.DataFrame()}

    stamp, frames = queries.load_page("funnel", database, reader=reader)
    assert len(calls) == 2 and stamp == queries.BuildStamp.of(database)

    def always_changed(page, stamp):
        raise queries.BuildChanged(stamp.path)

    with pytest.raises(queries.BuildChanged):
        queries.load_page("funnel", database, reader=always_changed, attempts=2)


def _app(database: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DUCKDB_PATH", str(database))
    return AppTest.from_file(str(APP), default_timeout=120)


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


@pytest.mark.slow
def test_every_page_renders_figures_of_the_marts(sample, monkeypatch):
    database = sample.database
    at = _app(database, monkeypatch).run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["면제 모집단"] == fmt.count(
        _scalar(database, "select count(*) from main.fct_waiver_eligibility"), "회선")
    assert metrics["환급 예정액"] == fmt.won(_scalar(
        database, "select sum(refund_krw) from main.fct_refund_assignments "
                  "where assignment_status = 'scheduled'"))

    expected = {
        "applications": ("전체 신청", fmt.count(_scalar(
            database, "select count(*) from main.fct_refund_application_outcomes"), "건")),
        "refunds": ("1차 (2026-01-22)", fmt.won(_scalar(
            database, "select sum(refund_krw) from main.fct_refund_assignments "
                      "where refund_wave = 1"))),
        "review": ("검토 대기", fmt.count(_scalar(
            database, "select count(*) from main.fct_refund_assignments "
                      "where assignment_status = 'manual_review'"), "회선")),
        "rewards": ("보험 가입 고객", fmt.count(_scalar(
            database, "select count(distinct customer_id) from main.fct_reward_entitlements "
                      "where benefit = 'safety_insurance'"), "명")),
        "reconciliation": ("무결성 통과", fmt.count(_scalar(
            database, "select count(*) from main.rpt_reconciliation "
                      "where passed and severity = 'integrity'"), "건")),
    }
    for page, (name, value) in expected.items():
        at.switch_page(f"page_scripts/{page}.py").run()
        assert not at.exception, page
        assert _metrics(at)[name] == value, page
        assert at.table, page


@pytest.mark.slow
def test_review_queue_filters_by_reason(sample, monkeypatch):
    at = _app(sample.database, monkeypatch).run()
    at.switch_page("page_scripts/review.py").run()
    reasons = at.multiselect(key="review_reasons")
    assert reasons.value
    total = at.main.caption[-1].value
    at.multiselect(key="review_reasons").set_value(reasons.value[:1]).run()
    chosen = reasons.value[0]
    expected = _scalar(sample.database, "select count(*) from main.fct_refund_assignments "
                                        f"where review_reason = '{chosen}'")
    assert at.main.caption[-1].value.startswith(fmt.count(expected, "건"))
    assert at.main.caption[-1].value != total or len(reasons.value) == 1


@pytest.mark.slow
def test_a_page_shows_the_new_build_after_a_rebuild(sample, monkeypatch, tmp_path):
    database = tmp_path / "wh.duckdb"
    shutil.copyfile(sample.database, database)
    at = _app(database, monkeypatch).run()
    before = _metrics(at)["면제 모집단"]
    with build_lock(database), duckdb.connect(str(database)) as con:
        con.execute("update main.rpt_waiver_funnel set lines = lines - 7 "
                    "where stage = 'terminated'")
    at.run()
    after = _metrics(at)["면제 모집단"]
    assert after != before
    assert after == fmt.count(_scalar(
        database, "select lines from main.rpt_waiver_funnel "
                  "where cohort = 'all' and stage = 'terminated'"), "회선")


LOOKUP_LINES = {
    # line -> (waiver status, remediation state label, review reason label)
    "L-EDGE-A4-MILITARY-D14-1": ("면제 대상", "수동 검토", "군복무·해외체류 연장"),
    "L-EDGE-N2-NONE-1": ("면제 대상", "미청구", None),
    "L-EDGE-W2-MVNO-ALL-1": ("제외", fmt.MISSING, None),
}


@pytest.mark.slow
@pytest.mark.parametrize("line_id", sorted(LOOKUP_LINES))
def test_line_lookup_shows_the_explanation_of_the_marts(sample, monkeypatch, line_id):
    status, state, reason = LOOKUP_LINES[line_id]
    at = _app(sample.database, monkeypatch).run()
    at.switch_page("page_scripts/lookup.py").run()
    assert not at.exception
    assert at.info and not at.metric  # nothing to show before an id is entered
    at.text_input(key="lookup_line_id").set_value(line_id).run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["면제 판정"] == status
    assert metrics["환급 상태"] == state
    with open_published(sample.database) as con:
        row = con.execute("select refund_krw, rule_trace, exclusion_reasons "
                          "from main.fct_waiver_determinations where line_id = ?",
                          [line_id]).fetchone()
    assert metrics["환급액"] == fmt.won(row[0])
    tables = [table.value for table in at.table]
    tests = tables[0]
    assert list(tests["결과"] == "해당") == [
        rule in {fmt.code(reason, "ko") for reason in row[2]} for rule in tests["제외 사유"]]
    trace = tables[-1]
    assert list(trace["규칙"]) == [step["rule_id"] for step in row[1]]
    if reason:
        assert any(reason in text.value for text in at.markdown)


@pytest.mark.slow
def test_line_lookup_explains_rewards_and_unknown_lines(sample, monkeypatch):
    at = _app(sample.database, monkeypatch).run()
    at.switch_page("page_scripts/lookup.py").run()
    at.text_input(key="lookup_line_id").set_value("L-EDGE-R2-SUSPENDED-1").run()
    assert not at.exception
    assert _metrics(at)["면제 판정"] == "모집단 아님"
    rewards = at.table[-1].value
    missed = rewards[rewards["결과"] == "미지급"]
    assert set(missed["혜택"]) >= {"데이터 보너스 2026-03-01", "데이터 보너스 2026-04-01"}
    assert "일시정지" in missed.set_index("혜택").loc["데이터 보너스 2026-03-01", "사유"]
    at.text_input(key="lookup_line_id").set_value("NO-SUCH-LINE").run()
    assert not at.exception
    assert "unknown line" in at.warning[0].value


def test_a_missing_database_is_explained(tmp_path, monkeypatch):
    at = _app(tmp_path / "nowhere.duckdb", monkeypatch).run()
    assert not at.exception
    assert "remedy build" in at.error[0].value
