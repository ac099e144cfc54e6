"""key_hash (macros/landing/key_hash.sql): the hash a full build finds repeated keys by.

A full build streams every delivered row whose key hash appears once and judges the rest
(stg_landing__<table>_repeated_keys). A hash that gives two different keys the same value
costs work, never a wrong answer; DuckDB's hash() of the key alone did that to 9.7 M of
the 135 M event rows of scale 1.0 (docs/decisions.md, "Key hashes"). These tests run
the macro's DuckDB expression itself, read from the macro file, on the pairs the singular
test assert_key_hash_separates_colliding_keys holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from remedy.landing import duckdb_key_hash

ROOT = Path(__file__).resolve().parents[1]
# The pairs of delivered keys (scale-1.0 landing data) that DuckDB's hash() gives one
# value: defined once, in the singular test that runs key_hash on them in every build.
SINGULAR_TEST = ROOT / "tests" / "dbt" / "landing" / "assert_key_hash_separates_colliding_keys.sql"
COLLIDING_PAIRS = re.findall(r"\('\w+', '([^']+)', '([^']+)'\)", SINGULAR_TEST.read_text())

# The generator's event ids: EV, a 10-digit line number, '-', a 3-digit event number.
EVENT_IDS = ("select 'EV' || lpad((i // 8)::varchar, 10, '0') || '-' "
             "|| lpad((i % 8)::varchar, 3, '0') as k from range(1000000) as t(i)")


def distinct_hashes(expression: str) -> int:
    with duckdb.connect() as con:
        return con.execute(f"select count(distinct {expression}) from ({EVENT_IDS})"
                           ).fetchone()[0]


@pytest.mark.parametrize(("first", "second"), COLLIDING_PAIRS)
def test_duckdb_hash_confuses_these_keys_and_key_hash_does_not(first: str,
                                                               second: str) -> None:
    """When the first assertion fails, DuckDB's hash() no longer collides on this
    program's keys, and key_hash can go back to it."""
    with duckdb.connect() as con:
        plain = con.execute("select hash(?) = hash(?)", [first, second]).fetchone()[0]
        ours = con.execute(
            f"select {duckdb_key_hash('$1')} = {duckdb_key_hash('$2')}",
            [first, second]).fetchone()[0]
    assert plain is True
    assert ours is False


def test_the_singular_test_holds_the_pairs() -> None:
    assert len(COLLIDING_PAIRS) == 3, SINGULAR_TEST


def test_key_hash_gives_a_million_event_ids_a_million_values() -> None:
    assert distinct_hashes("k") == 1_000_000
    assert distinct_hashes(duckdb_key_hash("k")) == 1_000_000
    # DuckDB's hash() of the id alone: 160,000 of the million share a value with another
    assert distinct_hashes("hash(k)") == 840_000
