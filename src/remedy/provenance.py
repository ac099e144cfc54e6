"""Which database, and which dbt build of it, a package was extracted from.

Both are read from the published database itself, never from the project's `target/`
folder (whose newest run_results.json may belong to another build, another database or
another machine):

- the build is the latest row of `main.rpt_builds` (one row per dbt build of the warehouse);
  a database built before that table existed records no build, with a note saying why;
- the fingerprint is a SHA-256 over, for every relation the extract reads, its name, row
  count and an order-independent checksum of its rows, plus the build's invocation id. It
  changes when any row of those relations changes, and it costs one scan per relation
  (no copy, no sort), which matters for a 5 GB database (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from remedy.program import jsonable
from remedy.published import relation_exists

BUILDS_RELATION = ("main", "rpt_builds")
FINGERPRINT_METHOD = (
    "sha256 over canonical JSON of {build_invocation_id, relations: sorted [relation, rows, "
    "checksum]}; checksum = sum over rows of DuckDB hash(row) as HUGEINT (order-independent, "
    "recomputable with the same DuckDB version)"
)


@dataclass(frozen=True)
class RelationChecksum:
    relation: str
    rows: int
    checksum: str

    def as_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "rows": self.rows, "checksum": self.checksum}


@dataclass(frozen=True)
class Provenance:
    """The latest build recorded in the database and the fingerprint of what was read."""

    build: dict[str, Any] | None
    build_note: str | None
    relations: tuple[RelationChecksum, ...] = field(default_factory=tuple)
    duckdb_version: str = duckdb.__version__

    @property
    def invocation_id(self) -> str | None:
        return (self.build or {}).get("invocation_id")

    @property
    def fingerprint(self) -> str:
        return database_fingerprint(self.relations, self.invocation_id)

    def as_manifest(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "fingerprint_method": FINGERPRINT_METHOD,
            "duckdb_version": self.duckdb_version,
            "relations": [item.as_dict() for item in self.relations],
            "build": self.build,
            "build_note": self.build_note,
        }


def latest_build(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any] | None, str | None]:
    """The latest row of main.rpt_builds (by build_seq) and a note when there is none."""
    schema, name = BUILDS_RELATION
    if not relation_exists(con, schema, name):
        return None, (
            f"{schema}.{name} does not exist in this database (built by a warehouse version "
            "that does not record its builds): the dbt invocation that built it is unknown"
        )
    cursor = con.execute(f"select * from {schema}.{name} order by build_seq desc limit 1")
    names = [column[0] for column in cursor.description]
    row = cursor.fetchone()
    if row is None:
        return None, f"{schema}.{name} is empty: the dbt invocation that built it is unknown"
    build = {column: jsonable(value) for column, value in zip(names, row, strict=True)}
    if build.get("status") != "success":
        return build, (
            f"the latest build (build_seq {build.get('build_seq')}) has status "
            f"{build.get('status')!r}, not 'success'"
        )
    return build, None


def relation_checksums(
    con: duckdb.DuckDBPyConnection, relations: tuple[str, ...]
) -> tuple[RelationChecksum, ...]:
    """Row count and an order-independent checksum of every row, per relation.

    A sum (not an xor) of row hashes, so that two identical rows do not cancel out.
    """
    checksums = []
    for relation in sorted(relations):
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash(checked)::hugeint), 0) "
            f"from {relation} as checked"
        ).fetchone()
        checksums.append(RelationChecksum(relation, int(rows), str(total)))
    return tuple(checksums)


def database_fingerprint(relations: tuple[RelationChecksum, ...], invocation_id: str | None
                         ) -> str:
    canonical = json.dumps(
        {"build_invocation_id": invocation_id,
         "relations": [item.as_dict() for item in sorted(relations,
                                                         key=lambda item: item.relation)]},
        sort_keys=True, separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def read_provenance(con: duckdb.DuckDBPyConnection, relations: tuple[str, ...]) -> Provenance:
    build, note = latest_build(con)
    return Provenance(build, note, relation_checksums(con, relations))
