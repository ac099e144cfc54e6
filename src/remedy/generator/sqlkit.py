"""SQL building blocks shared by every table: seeded hashing, KST time, ids, weighted picks.

Pseudo-randomness is `hash(seed, a, b, salt)` mapped to [0, 1): a pure function of its
arguments, so results do not depend on threads or execution order (DuckDB's random() does).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from remedy.generator.params import KST_OFFSET_S


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(sql_str(v) for v in values) + "]"


def install_macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Macros every generation query uses; the seed is baked into `rnd`."""
    statements = [
        # Multi-argument hash() only XORs the arguments' hashes into a running product, so
        # draws differing by salt alone come out ~0.99 correlated; hashing the combined
        # value again mixes them. Arguments are cast so INTEGER and BIGINT hash alike.
        f"""CREATE OR REPLACE MACRO mix(a, b, salt) AS
            hash(hash({int(seed)}::BIGINT, (a)::BIGINT, (b)::BIGINT, (salt)::VARCHAR))""",
        # 53 random bits -> [0, 1).
        "CREATE OR REPLACE MACRO rnd(a, b, salt) AS "
        "(mix(a, b, salt) >> 11)::DOUBLE / 9007199254740992.0",
        "CREATE OR REPLACE MACRO rint(a, b, salt, n) AS "
        "CAST(floor(rnd(a, b, salt) * (n)) AS BIGINT)",
        "CREATE OR REPLACE MACRO hexkey(a, b, salt) AS lpad(to_hex(mix(a, b, salt)), 16, '0')",
        # KST seconds -> UTC instant: KST is UTC+9 all year (no daylight saving).
        f"CREATE OR REPLACE MACRO utc(ks) AS to_timestamp(((ks) - {KST_OFFSET_S})::DOUBLE)",
        "CREATE OR REPLACE MACRO kdate(ks) AS "
        "(DATE '1970-01-01' + CAST((ks) // 86400 AS INTEGER))",
        "CREATE OR REPLACE MACRO dsec(d) AS "
        "(date_diff('day', DATE '1970-01-01', d)::BIGINT * 86400)",
        # Zero-padded digits of 0 <= n < 10^w; casting n + 10^w beats lpad() by ~40 %.
        "CREATE OR REPLACE MACRO pad(n, w) AS "
        "substr(CAST(CAST(n AS BIGINT) + CAST(10 ** w AS BIGINT) AS VARCHAR), 2)",
        "CREATE OR REPLACE MACRO line_id(i) AS 'L' || pad(i, 10)",
        "CREATE OR REPLACE MACRO customer_id(i) AS 'C' || pad(i, 10)",
        "CREATE OR REPLACE MACRO event_id(i, seq) AS 'EV' || pad(i, 10) || '-' || pad(seq, 3)",
        "CREATE OR REPLACE MACRO agreement_id(i, seq) AS "
        "'AG' || pad(i, 10) || '-' || pad(seq, 3)",
    ]
    for statement in statements:
        con.execute(statement)


def weighted_case(r_expr: str, choices: Sequence[tuple[str, float]]) -> str:
    """CASE picking one SQL value by weight with a uniform draw `r_expr` in [0, 1)."""
    total = float(sum(weight for _, weight in choices))
    parts, cumulative = [], 0.0
    for value, weight in choices[:-1]:
        cumulative += weight / total
        parts.append(f"WHEN ({r_expr}) < {cumulative:.12f} THEN {value}")
    return f"(CASE {' '.join(parts)} ELSE {choices[-1][0]} END)"


def uniform_between(r_expr: str, lo: str, hi: str) -> str:
    """Integer uniformly drawn from [lo, hi) (SQL expressions; hi > lo assumed)."""
    return f"(({lo}) + CAST(floor(({r_expr}) * (({hi}) - ({lo}))) AS BIGINT))"
