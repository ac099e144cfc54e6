"""Documentation for the people who read the marts: `dbt docs generate --static` gives one
self-contained page with the exposures, every published model and column is described,
exposures read only published marts, and the lineage picture is drawn from the manifest."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from published_sample import published_sample
from remedy.dashboard.lineage import lineage_dot, render
from remedy.dbt_runner import run_dbt

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    """The target folder of `dbt docs generate --static` on a copy of the sample build
    (docs generate opens the database read-write for its catalog queries)."""
    sample = published_sample(tmp_path_factory)
    root = tmp_path_factory.mktemp("docs")
    database = root / "warehouse.duckdb"
    shutil.copyfile(sample.database, database)
    result = run_dbt(["docs", "generate", "--static"], raw_dir=sample.landing,
                     duckdb_path=database, target_path=root / "target",
                     log_path=root / "logs", quiet=True)
    assert result.success, result.failures
    return root / "target"


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_static_catalog_is_one_self_contained_page_with_the_exposures(docs):
    page = (docs / "static_index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=[\"']https?:", page)
    for name in ("remedy_dashboard", "regulator_extract", "fct_waiver_eligibility",
                 "rpt_reconciliation", "waiver_population"):
        assert name in page


def test_every_published_model_and_column_is_described(docs):
    manifest, catalog = _json(docs / "manifest.json"), _json(docs / "catalog.json")
    published = {
        unique_id: node for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "main"
    }
    assert {"fct_waiver_eligibility", "fct_refund_assignments", "fct_reward_entitlements",
            "rpt_reconciliation", "rpt_refund_wave_calendar"} <= {
        node["name"] for node in published.values()}
    missing = [node["name"] for node in published.values() if not node["description"].strip()]
    for unique_id, node in published.items():
        columns = {name.lower() for name in catalog["nodes"][unique_id]["columns"]}
        missing += [
            f"{node['name']}.{column}" for column in sorted(columns)
            if not node["columns"].get(column, {}).get("description", "").strip()
        ]
    assert missing == []


def test_exposures_depend_only_on_published_marts(docs):
    manifest = _json(docs / "manifest.json")
    exposures = manifest["exposures"]
    assert {exposure["name"] for exposure in exposures.values()} == {
        "remedy_dashboard", "regulator_extract", "remedy_reconcile", "remedy_validate"}
    for exposure in exposures.values():
        assert exposure["description"] and exposure["owner"]["email"]
        for unique_id in exposure["depends_on"]["nodes"]:
            node = manifest["nodes"][unique_id]
            assert node["schema"] == "main", (exposure["name"], node["name"])
            assert node["config"]["contract"]["enforced"], (exposure["name"], node["name"])
            # incremental models are tables too (rebuilt partition by partition)
            assert node["config"]["materialized"] in ("table", "incremental")


def test_the_dashboard_exposure_lists_what_the_dashboard_reads(docs):
    """Every relation the dashboard's queries name is in its exposure, and back."""
    from remedy import explain
    from remedy.dashboard import queries

    # the line lookup page reads through remedy.explain
    source = "".join(Path(module.__file__).read_text(encoding="utf-8")
                     for module in (queries, explain))
    read = set(re.findall(r"main\.((?:fct|dim|rpt)_\w+)", source))
    exposure = _json(docs / "manifest.json")["exposures"]["exposure.remedy.remedy_dashboard"]
    assert {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]} == read


def test_lineage_picture_covers_marts_and_consumers(docs, tmp_path):
    manifest = _json(docs / "manifest.json")
    dot = lineage_dot(manifest)
    for edge in ('"fct_refund_assignments" -> "remedy_dashboard"',
                 '"fct_waiver_determinations" -> "regulator_extract"',
                 '"fct_reward_entitlements" -> "semantic layer"',
                 '"stg_landing__<table>_versions" -> "stg_landing__<table>"',
                 '"stg_landing__<table>" -> "dim_lines"'):
        assert edge in dot
    assert render(docs / "manifest.json", tmp_path / "lineage.dot").read_text() == dot
    if shutil.which("dot"):
        svg = render(docs / "manifest.json", tmp_path / "lineage.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "remedy_dashboard" in svg
