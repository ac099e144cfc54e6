"""The model lineage picture of the README, drawn from dbt's manifest.json.

The nine per-table chains of the source layer (landing -> judged versions and repeated
keys -> accepted and quarantined stores) are drawn as one node per layer ("x9") so the rule
logic, the published marts and their consumers (exposures, the semantic layer) stay
readable. Writes Graphviz DOT; renders SVG
with `dot` (Debian package graphviz) when it is installed.

    python -m remedy.dashboard.lineage target/manifest.json docs/images/lineage.svg
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# (cluster, label, fill colour) in drawing order, left to right. Seeds are left out: the
# program parameters feed nearly every rule model, and their edges would hide the rest.
CLUSTERS: dict[str, tuple[str, str]] = {
    "sources": ("landing (Parquet)", "#eeeeee"),
    "staging": ("staging", "#e3f2fd"),
    "quality": ("quality and quarantine", "#e8f5e9"),
    "intermediate": ("rule logic (intermediate)", "#fff8e1"),
    "marts": ("published marts (schema main)", "#ffe0b2"),
    "reports": ("reports (rpt_)", "#fce4ec"),
    "consumers": ("consumers", "#e0f7fa"),
}

COLLAPSED = (
    (re.compile(r"^source\.[^.]+\.landing\.(\w+)$"), "landing.<table>"),
    (re.compile(r"^model\.[^.]+\.stg_landing__\w+_versions$"), "stg_landing__<table>_versions"),
    (re.compile(r"^model\.[^.]+\.stg_landing__\w+_repeated_keys$"),
     "stg_landing__<table>_repeated_keys"),
    (re.compile(r"^model\.[^.]+\.stg_landing__\w+_quarantined$"),
     "stg_landing__<table>_quarantined"),
    (re.compile(r"^model\.[^.]+\.stg_landing__(?!affected_|files$)\w+$"),
     "stg_landing__<table>"),
    (re.compile(r"^(semantic_model|metric)\..+$"), "semantic layer"),
)


def _group(unique_id: str) -> str:
    for pattern, name in COLLAPSED:
        if pattern.match(unique_id):
            return name
    return unique_id.split(".")[-1]


def _cluster(node: dict) -> str:
    kind = node["resource_type"]
    if kind == "source":
        return "sources"
    if kind in {"exposure", "semantic_model", "metric"}:
        return "consumers"
    if node["name"].startswith("rpt_"):
        return "reports"
    path = node.get("original_file_path", "")
    for folder, cluster in (("models/staging/landing/quarantine/", "quality"),
                            ("models/staging/", "staging"), ("models/quality/", "quality"),
                            ("models/intermediate/quality/", "quality"),
                            ("models/intermediate/", "intermediate"),
                            ("models/reports/", "reports"), ("models/semantic/", "consumers")):
        if path.startswith(folder):
            return cluster
    if path.startswith("models/marts/"):
        return "marts"
    return "intermediate"


def lineage_dot(manifest: dict) -> str:
    """Graphviz DOT of the project's models, sources, exposures and semantic layer."""
    nodes = {
        unique_id: node
        for collection in ("nodes", "sources", "exposures", "semantic_models", "metrics")
        for unique_id, node in manifest.get(collection, {}).items()
        if node["resource_type"] in {"model", "source", "exposure", "semantic_model",
                                     "metric"}
    }
    sizes = Counter(_group(unique_id) for unique_id in nodes)
    groups: dict[str, tuple[str, str]] = {}
    for unique_id, node in nodes.items():
        group = _group(unique_id)
        groups.setdefault(group, (_cluster(node), node["resource_type"]))
    edges = set()
    for unique_id, node in nodes.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in nodes and _group(parent) != _group(unique_id):
                edges.add((_group(parent), _group(unique_id)))
    lines = [
        "digraph lineage {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.12, '
        'ranksep=0.9, label="remedy: model lineage (from dbt manifest.json; the program '
        'and reference seeds that feed the rule models are not drawn)", '
        "labelloc=t];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, '
        "height=0.3];",
        '  edge [color="#90a4ae", arrowsize=0.5];',
    ]
    for cluster, (title, colour) in CLUSTERS.items():
        members = sorted(group for group, (where, _) in groups.items() if where == cluster)
        if not members:
            continue
        lines.append(f'  subgraph "cluster_{cluster}" {{')
        lines.append(f'    label="{title}"; style="rounded"; color="#b0bec5";')
        for group in members:
            kind = groups[group][1]
            label = _label(group, sizes[group], manifest)
            shape = {"exposure": "component", "source": "cylinder"}.get(kind, "box")
            lines.append(f'    "{group}" [label="{label}", fillcolor="{colour}", '
                         f"shape={shape}];")
        lines.append("  }")
    lines += [f'  "{parent}" -> "{child}";' for parent, child in sorted(edges)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _label(group: str, size: int, manifest: dict) -> str:
    if group == "semantic layer":
        return (f"semantic layer (MetricFlow): {len(manifest.get('semantic_models', {}))} "
                f"semantic models, {len(manifest.get('metrics', {}))} metrics")
    return group if size == 1 else f"{group}  x{size}"


def render(manifest_path: Path, out: Path) -> Path:
    """Write `out` (.svg, .png: rendered by dot; .dot: the source) from a manifest."""
    dot_source = lineage_dot(json.loads(Path(manifest_path).read_text(encoding="utf-8")))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".dot":
        out.write_text(dot_source, encoding="utf-8")
        return out
    dot = shutil.which("dot")
    if dot is None:
        raise FileNotFoundError("graphviz `dot` not found (Debian package graphviz); "
                                "write a .dot file instead")
    subprocess.run([dot, f"-T{out.suffix.lstrip('.')}", "-o", str(out)],
                   input=dot_source, text=True, check=True)
    return out


def main(argv: list[str] | None = None) -> None:
    manifest_path, out = (argv or sys.argv[1:])[:2]
    print(render(Path(manifest_path), Path(out)))


if __name__ == "__main__":
    main()
