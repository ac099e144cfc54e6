"""The semantic layer (models/semantic/): every metric MetricFlow serves equals the figure
computed directly from the published marts, queried with the real `mf query` command on a
small published warehouse."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from published_sample import published_sample
from remedy.dbt_runner import PROJECT_DIR

BIN = Path(sys.executable).parent
PROJECT_ENTRIES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return published_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def mf_project(sample, tmp_path_factory) -> Path:
    """A shadow of the dbt project whose target/ is the sample build's.

    `mf` reads `target/semantic_manifest.json` under the project directory (not dbt's
    --target-path), and the repository's own target/ belongs to whoever builds there.
    """
    shadow = tmp_path_factory.mktemp("mf-project")
    for name in PROJECT_ENTRIES:
        (shadow / name).symlink_to(PROJECT_DIR / name)
    (shadow / "target").symlink_to(sample.target)
    return shadow


@pytest.fixture(scope="module")
def mf(mf_project, sample, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("mf-results")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="False", DUCKDB_PATH=str(sample.database))

    def query(metrics: Sequence[str], group_by: Sequence[str] = ()) -> list[dict[str, str]]:
        out = out_dir / f"{len(list(out_dir.iterdir()))}.csv"
        command = [str(BIN / "mf"), "query", "--metrics", ",".join(metrics), "--csv", str(out)]
        if group_by:
            command += ["--group-by", ",".join(group_by)]
        completed = subprocess.run(command, cwd=mf_project, env=env, capture_output=True,
                                   text=True, timeout=300)
        assert completed.returncode == 0 and out.exists(), completed.stdout + completed.stderr
        with out.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return query


def _sql(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _key(value: object) -> str:
    """Group-by values as MetricFlow's CSV spells them: '' for null, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value)


def _number(text: str) -> int:
    """A metric cell: MetricFlow leaves a filtered metric with no row empty (null)."""
    return int(float(text)) if text else 0


def _by_group(rows: list[dict[str, str]], group_by: Sequence[str],
              metrics: Sequence[str]) -> dict[tuple[str, ...], tuple[int, ...]]:
    return {
        tuple(row[column][:10] if column.startswith("metric_time") else row[column]
              for column in group_by): tuple(_number(row[metric]) for metric in metrics)
        for row in rows
    }


def _expected(rows: list[tuple], width: int) -> dict[tuple[str, ...], tuple[int, ...]]:
    return {
        tuple(_key(value) for value in row[:width]): tuple(int(value or 0)
                                                           for value in row[width:])
        for row in rows
    }


def test_waiver_population_and_eligible_lines_by_status_reason_and_termination_type(
        sample, mf):
    metrics = ("waiver_population", "eligible_lines", "excluded_lines",
               "waivable_billed_krw", "waivable_paid_krw")
    group_by = ("line__waiver_status", "line__exclusion_reason", "line__termination_type")
    actual = _by_group(mf(metrics, group_by), group_by, metrics)
    expected = _expected(_sql(sample.database, """
        select waiver_status, exclusion_reason, termination_type, count(*),
            count(*) filter (where waiver_status = 'eligible'),
            count(*) filter (where waiver_status = 'excluded'),
            sum(waivable_billed_krw), sum(waivable_paid_krw)
        from main.fct_waiver_eligibility
        group by 1, 2, 3
    """), 3)
    assert len(expected) > 3
    assert actual == expected


def test_refund_amount_and_count_by_wave_and_channel(sample, mf):
    metrics = ("refunds_scheduled", "refund_scheduled_krw", "refund_due_krw", "cancel_krw",
               "manual_review_lines", "refund_assignment_lines")
    group_by = ("line__refund_wave", "line__refund_channel")
    actual = _by_group(mf(metrics, group_by), group_by, metrics)
    expected = _expected(_sql(sample.database, """
        select refund_wave, channel,
            count(*) filter (where assignment_status = 'scheduled'),
            sum(refund_krw) filter (where assignment_status = 'scheduled'),
            sum(refund_krw), sum(cancel_krw),
            count(*) filter (where assignment_status = 'manual_review'),
            count(*)
        from main.fct_refund_assignments
        group by 1, 2
    """), 2)
    assert {key[0] for key in expected} >= {"1", "2", "3"}
    assert actual == expected


def test_applications_per_day_and_outcome(sample, mf):
    group_by = ("metric_time__day", "application__outcome")
    actual = _by_group(mf(["applications"], group_by), group_by, ["applications"])
    expected = _expected(_sql(sample.database, """
        select applied_date, outcome, count(*)
        from main.fct_refund_application_outcomes
        group by 1, 2
    """), 2)
    assert len(expected) > 10
    assert actual == expected


def test_reminders_sent_by_date_and_number(sample, mf):
    group_by = ("metric_time__day", "notice__notice_number")
    actual = _by_group(mf(["reminders_sent"], group_by), group_by, ["reminders_sent"])
    expected = _expected(_sql(sample.database, """
        select notice_date, notice_number, count(*)
        from main.fct_refund_notices
        group by 1, 2
    """), 2)
    assert len(expected) == 3
    assert actual == expected


def test_reward_grants_and_quantities_by_benefit_and_month(sample, mf):
    """Against the dashboard's own summary mart, fct_reward_entitlement_summary."""
    metrics = ("reward_grants", "data_bonus_gb", "roaming_bonus_mb", "insured_customers")
    group_by = ("entitlement__benefit", "metric_time__month")
    actual = _by_group(mf(metrics, group_by), group_by, metrics)
    expected = _expected(_sql(sample.database, """
        select benefit, entitlement_month, entitlement_count,
            case when benefit = 'data_bonus' then total_quantity end,
            case when benefit = 'roaming_bonus' then total_quantity end,
            case when benefit = 'safety_insurance' then customer_count end
        from main.fct_reward_entitlement_summary
    """), 2)
    assert {key[0] for key in expected} == {
        "data_bonus", "roaming_bonus", "ott_voucher", "membership_discount", "safety_insurance"
    }
    assert actual == expected


def test_totals_across_semantic_models(sample, mf):
    metrics = ("waiver_population", "eligible_lines", "insured_customers", "reminders_sent",
               "applications", "refund_take_up")
    (row,) = mf(metrics)
    (expected,) = _sql(sample.database, """
        select
            (select count(*) from main.fct_waiver_eligibility),
            (select count(*) from main.fct_waiver_eligibility
                where waiver_status = 'eligible'),
            (select count(distinct customer_id) from main.fct_reward_entitlements
                where benefit = 'safety_insurance'),
            (select count(*) from main.fct_refund_notices),
            (select count(*) from main.fct_refund_application_outcomes),
            (select count(*) filter (where assignment_status = 'scheduled') / count(*)
                from main.fct_refund_assignments)
    """)
    assert tuple(_number(row[metric]) for metric in metrics[:-1]) == expected[:-1]
    assert float(row["refund_take_up"]) == pytest.approx(expected[-1])


def test_every_metric_is_labelled_described_and_on_a_public_mart(sample):
    manifest = json.loads((sample.target / "semantic_manifest.json").read_text("utf-8"))
    published = {"fct_waiver_eligibility", "fct_refund_assignments",
                 "fct_refund_application_outcomes", "fct_refund_notices",
                 "fct_reward_entitlements"}
    assert {model["node_relation"]["alias"] for model in manifest["semantic_models"]} \
        == published
    assert all(model["node_relation"]["schema_name"] == "main"
               for model in manifest["semantic_models"])
    metrics = {metric["name"]: metric for metric in manifest["metrics"]}
    assert {"waiver_population", "eligible_lines", "refunds_scheduled",
            "refund_scheduled_krw", "applications", "reminders_sent", "reward_grants",
            "data_bonus_gb", "insured_customers"} <= set(metrics)
    assert all(metric["label"] and metric["description"] for metric in metrics.values())
    assert [spine["node_relation"]["alias"]
            for spine in manifest["project_configuration"]["time_spines"]] \
        == ["time_spine_daily"]
