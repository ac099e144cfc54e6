"""One small published warehouse for the dashboard, semantic-layer and browser tests.

Built once per test session (the first test that asks builds it) under the build lock, as
`remedy build` does, with its own dbt target folder (whose manifest.json and
semantic_manifest.json the semantic-layer and docs tests read). It is the one build of
the suite that runs the project's unit tests (conftest.build_warehouse skips them).
Not a test module: the test modules import it, and a module-level cache, not a fixture,
makes the build happen once whichever module runs first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from remedy.dbt_runner import run_dbt
from remedy.generate import generate
from remedy.publish import build_lock
from remedy.published import open_published

SCALE = 0.001
SEED = 7

# Every published relation a reader might count (PUBLISHED_MARTS.md and the rpt_ tables
# the dashboard reads).
PUBLISHED_RELATIONS = (
    "fct_contract_events",
    "fct_waiver_eligibility",
    "fct_refund_assignments",
    "fct_refund_application_outcomes",
    "fct_refund_notices",
    "fct_penalty_lookup",
    "fct_reward_entitlements",
    "fct_reward_entitlement_summary",
    "rpt_reconciliation",
    "rpt_refund_wave_calendar",
)


@dataclass(frozen=True)
class Sample:
    root: Path
    landing: Path
    database: Path
    target: Path


_BUILT: dict[str, Sample] = {}


def build_published(root: Path, scale: float = SCALE, seed: int = SEED) -> Sample:
    """Generate a landing directory under root and publish a warehouse built from it."""
    landing = root / "raw"
    generate(landing, scale=scale, seed=seed, bad_rows=0.001, progress=False)
    sample = Sample(root, landing, root / "published" / "warehouse.duckdb", root / "target")

    with build_lock(sample.database):
        result = run_dbt(["build"], raw_dir=landing, duckdb_path=sample.database,
                         target_path=sample.target, log_path=root / "logs", quiet=True)
    assert result.success, "sample build failed:\n" + "\n".join(result.failures)
    ran = json.loads((sample.target / "run_results.json").read_text())["results"]
    assert any(node["unique_id"].startswith("unit_test.") for node in ran), \
        "the sample build ran no unit test"
    return sample


def published_sample(tmp_path_factory) -> Sample:
    if "sample" not in _BUILT:
        _BUILT["sample"] = build_published(tmp_path_factory.mktemp("published-sample"))
    return _BUILT["sample"]


def relation_counts(database: Path) -> dict[str, int]:
    """Row counts of every published relation, read from one handle (one build)."""
    with open_published(database) as con:
        return {
            name: con.execute(f"select count(*) from main.{name}").fetchone()[0]
            for name in PUBLISHED_RELATIONS
        }
