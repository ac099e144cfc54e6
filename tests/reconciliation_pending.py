"""The reward controls rpt_reconciliation does not compute yet.

fct_reward_determinations now lists only the determinations that granted nothing, so the
issue-11 control "granted determinations = entitlements" (one per benefit) no longer holds
in models/reports/rpt_reconciliation.sql, which another change owns; `remedy reconcile`
already computes its replacement, "every reward decision accounted for"
(`reward_determinations__<benefit>__..._accounted`, docs/decisions.md, "Readers of the
published database; reward determinations at scale"). Tests that
need both implementations to list the same reward controls are marked with
`awaits_reward_controls`: a strict xfail while the model lacks the new controls, so it turns
into an ordinary test by itself the moment the model has them (then drop the marker).

Not a test module: test modules import it.
"""

from __future__ import annotations

import pytest

from remedy.settings import PROJECT_DIR

RECONCILIATION_MODEL = PROJECT_DIR / "models" / "reports" / "rpt_reconciliation.sql"

MODEL_HAS_REWARD_CONTROLS = "__grants_accounted" in RECONCILIATION_MODEL.read_text(
    encoding="utf-8")

awaits_reward_controls = pytest.mark.xfail(
    not MODEL_HAS_REWARD_CONTROLS, strict=True,
    reason="rpt_reconciliation still has the issue-11 control granted determinations = "
           "entitlements; the new reward controls are computed by remedy reconcile only",
)
