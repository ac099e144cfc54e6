"""Issue 12: the warehouse's public interface is declared, and the code keeps to it.

Read from the manifest of `dbt parse` (no database): published models (schema main) are
public, contracted and documented, everything else is private to the owning group; every
model has a description and a primary-key test; each consumer's exposure depends on
public models only and lists exactly the relations its code names; rpt_reconciliation is
the union of one control model per domain; and every config path of dbt_project.yml
applies to a resource (the warning dbt_project.yml silences for the evaluator's seed).
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from project_scripts import load_script
from remedy.dbt_runner import PROJECT_DIR, run_dbt

GROUP = "remediation"
RELATION = re.compile(r"main\.((?:fct|dim|rpt)_\w+)")
# Each exposure and the code that reads the published database for it.
CONSUMERS = {
    "remedy_dashboard": ["src/remedy/dashboard/queries.py", "src/remedy/explain.py"],
    "regulator_extract": ["src/remedy/extract.py"],
    "remedy_reconcile": ["src/remedy/reconcile.py"],
    "remedy_validate": ["src/remedy/validate.py", "expectations/*.json"],
}
# Named by the code but not models: the build log the on-run hooks write.
NOT_MODELS = {"rpt_builds"}
DOMAINS = ("sources", "waiver", "refunds", "billing", "rewards", "determinations")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("parse")
    result = run_dbt(["parse"], raw_dir=work / "raw", duckdb_path=work / "parse.duckdb",
                     target_path=work / "target", log_path=work / "logs", quiet=True)
    assert result.success, result.failures
    return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def _models(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["package_name"] == "remedy"}


def test_published_models_are_public_contracted_and_documented(manifest):
    models = _models(manifest)
    published = {name for name, node in models.items() if node["schema"] == "main"}
    assert {"fct_waiver_eligibility", "dim_lines", "rpt_reconciliation",
            "rpt_regulator__refunds_by_wave_and_channel", "rpt_waiver_funnel"} <= published
    for name, node in models.items():
        assert node["group"] == GROUP, name
        assert node["access"] == ("public" if name in published else "private"), name
    for name in published:
        node = models[name]
        assert node["config"]["contract"]["enforced"], name
        assert node["config"]["materialized"] in ("table", "incremental"), name
        undocumented = [column for column, spec in node["columns"].items()
                        if not spec.get("description", "").strip() or not spec.get("data_type")]
        assert undocumented == [], name


def test_the_contract_floor_copies_columns_the_published_marts_have(manifest):
    # scripts/contract_floor.py names PUBLISHED_MARTS.md's fixed columns; each must be a
    # contracted column of that published mart, or its figures measure something else.
    floor = load_script("contract_floor")
    models = _models(manifest)
    missing = {mart: [column for column in columns if column not in models[mart]["columns"]]
               for mart, columns in floor.CONTRACT_COLUMNS.items()
               if models[mart]["schema"] != "main"
               or any(column not in models[mart]["columns"] for column in columns)}
    assert missing == {}


def test_every_model_has_a_description_and_a_primary_key_test(manifest):
    models = _models(manifest)
    keyed = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        test = node["test_metadata"]["name"]
        for parent in node["depends_on"]["nodes"]:
            name = parent.split(".")[-1]
            if test == "unique_combination_of_columns":
                keyed.add(name)
            elif test in ("unique", "not_null"):
                keyed.add((name, node["column_name"], test))
    missing_key = [name for name in models if name not in keyed and not any(
        (name, column, "unique") in keyed and (name, column, "not_null") in keyed
        for column in models[name]["columns"])]
    assert missing_key == []
    assert [name for name, node in models.items() if not node["description"].strip()] == []


def _names_in(patterns: list[str]) -> set[str]:
    names = set()
    for pattern in patterns:
        for path in sorted(PROJECT_DIR.glob(pattern)):
            names |= set(RELATION.findall(path.read_text(encoding="utf-8")))
    return names - NOT_MODELS


def test_exposures_read_public_models_only_and_exactly_what_their_code_reads(manifest):
    models = _models(manifest)
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert set(exposures) == set(CONSUMERS)
    for name, exposure in exposures.items():
        assert exposure["description"].strip() and exposure["owner"]["email"], name
        depends = {unique_id.split(".")[-1] for unique_id in exposure["depends_on"]["nodes"]}
        assert all(models[model]["access"] == "public" for model in depends), name
        assert depends == _names_in(CONSUMERS[name]), name


def test_reconciliation_is_one_control_model_per_domain(manifest):
    models = _models(manifest)
    union = models["rpt_reconciliation"]
    parts = [f"rpt_reconciliation__{domain}" for domain in DOMAINS]
    assert sorted(union["depends_on"]["nodes"]) == sorted(
        models[part]["unique_id"] for part in parts)
    columns = [(name, spec["data_type"]) for name, spec in union["columns"].items()]
    assert columns == [("check_name", "varchar"), ("expected", "bigint"),
                       ("actual", "bigint"), ("difference", "bigint"),
                       ("passed", "boolean"), ("severity", "varchar")]
    for part in parts:
        assert [(name, spec["data_type"]) for name, spec in models[part]["columns"].items()
                ] == columns, part
        assert "control_figures" in " ".join(models[part]["depends_on"]["macros"]), part


def _config_paths(tree: dict, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    paths = []
    for key, value in tree.items():
        if key.startswith("+") or not isinstance(value, dict):
            continue
        paths.append(prefix + (key,))
        paths += _config_paths(value, prefix + (key,))
    return paths


def test_every_config_path_of_dbt_project_applies_to_a_resource(manifest):
    """dbt_project.yml silences UnusedResourceConfigPath for the evaluator's seed only;
    every other path must still match a resource."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    fqns = {
        resource_type: [tuple(node["fqn"]) for node in manifest["nodes"].values()
                        if node["resource_type"] == resource_type]
        for resource_type in ("model", "seed", "test")
    }
    unused = []
    for section, resource_type in (("models", "model"), ("seeds", "seed"),
                                   ("data_tests", "test")):
        for path in _config_paths(project.get(section) or {}, ()):
            if path[0] == "dbt_project_evaluator":
                continue
            if not any(fqn[:len(path)] == path for fqn in fqns[resource_type]):
                unused.append(".".join((section, *path)))
    assert unused == []


def test_evaluator_exceptions_are_explained(manifest):
    """Every exception of the evaluator seed names its rule and is explained in
    docs/decisions.md."""
    import csv

    seed = PROJECT_DIR / "seeds" / "dbt_project_evaluator_exceptions.csv"
    decisions = (PROJECT_DIR / "docs" / "decisions.md").read_text(encoding="utf-8")
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["fct_name"].startswith("fct_") and row["comment"].strip(), row
        assert f"`{row['id_to_exclude']}`" in decisions, row["id_to_exclude"]


def test_no_model_sets_an_alias(manifest):
    """macros/tests/get_where_subquery.sql finds a tested model by its name (a lookup,
    not a scan of the graph for every data test): a model whose relation had another
    name would silently lose its tests' narrowing to the replaced partitions."""
    assert [node["unique_id"] for node in _models(manifest).values()
            if node["alias"] != node["name"]] == []
