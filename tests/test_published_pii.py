"""Issue 10.4: nothing personal in the published database; the personal data stays in the
restricted database beside it, owner-only.

On a warehouse built from a generated landing directory (tests/published_sample.py, scale
0.001, edge cases and injected bad rows included), every table and view of every schema of
the published file is scanned:

- no column is named like a personal field of SOURCE_CONTRACT.md (or the quarantine's raw
  row);
- no value is personal data taken from the landing files: the customers' full names and
  person keys, the lines' phone numbers, the refund applications' bank tokens - compared
  with every token of every cell (nested lists and structs included, as text) - and nothing
  looks like a phone number at all;
- no row pairs a customer (by customer_id, or by line_id through the line's customer) with
  that customer's birth date. A date alone names nobody (the semantic layer's calendar holds
  every day since 2000), so a birth date counts only next to its person.

The readers open the published file only; that is what makes this scan the whole story.
"""

from __future__ import annotations

import os
import stat

import duckdb
import pytest

from published_sample import published_sample
from remedy.contract import PII_COLUMNS
from remedy.published import CATALOG, open_published
from remedy.settings import restricted_path

pytestmark = pytest.mark.slow

PERSONAL_COLUMNS = {"full_name", "msisdn", "birth_date", "bank_account_token", "person_key",
                    "raw_row"}
# Cells are split into tokens on anything but letters, digits, Hangul, '_' and '-', so a
# phone number (010-1234-5678), a date (1980-05-05), a bank token (tok_...) or a name stays
# one token.
TOKEN_SPLIT = r"[^0-9A-Za-z\x{AC00}-\x{D7A3}_-]+"
PHONE_NUMBER = r"(^|[^0-9])01[016789]-[0-9]{3,4}-[0-9]{4}([^0-9]|$)"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return published_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def scan(sample):
    """A read-only handle on the published file with the landing's personal values loaded
    into temporary tables, and the list of its relations."""
    landing = str(sample.landing).replace("'", "''")
    with open_published(sample.database) as con:
        con.execute(f"""
            create temp table personal_values as
            select distinct kind, value from (
                select 'full_name' as kind, full_name as value
                from read_parquet('{landing}/customers/*.parquet')
                union all
                select 'person_key', person_key
                from read_parquet('{landing}/customers/*.parquet')
                union all
                select 'msisdn', msisdn from read_parquet('{landing}/lines/*.parquet')
                union all
                select 'bank_account_token', bank_account_token
                from read_parquet('{landing}/refund_applications/*.parquet')
            )
            where value is not null
        """)
        con.execute(f"""
            create temp table birth_dates as
            select distinct customer_id, strftime(birth_date, '%Y-%m-%d') as birth_date
            from read_parquet('{landing}/customers/*.parquet')
            where birth_date is not null and customer_id is not null
        """)
        con.execute(f"""
            create temp table line_customers as
            select distinct line_id, customer_id
            from read_parquet('{landing}/lines/*.parquet')
            where line_id is not null and customer_id is not null
        """)
        relations = con.execute(f"""
            select table_schema, table_name, table_type
            from information_schema.tables
            where table_catalog = '{CATALOG}'
            order by 1, 2
        """).fetchall()
        yield con, relations


def _columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    return [row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position", [CATALOG, schema, name]).fetchall()]


def _cells(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str:
    """Every cell of a relation as text, one row per cell, with the row's person (the
    customer, directly or through the line) where the relation names one."""
    columns = _columns(con, schema, name)
    lowered = [column.lower() for column in columns]
    cells = ", ".join(f'cast("{column}" as varchar)' for column in columns)
    if "customer_id" in lowered:
        person = "cast(customer_id as varchar)"
    elif "line_id" in lowered:
        person = ("(select customer_id from line_customers "
                  "where line_customers.line_id = cast(relation.line_id as varchar))")
    else:
        person = "cast(null as varchar)"
    return (f'select {person} as person, unnest([{cells}]) as cell '
            f'from "{CATALOG}"."{schema}"."{name}" as relation')


def test_the_published_file_has_every_published_relation(scan):
    _, relations = scan
    names = {(schema, name) for schema, name, _ in relations}
    assert {("main", "dim_lines"), ("main", "dim_customers"), ("main", "fct_contract_events"),
            ("main", "fct_reward_determinations"), ("main", "rpt_deliveries"),
            ("program", "program_parameters")} <= names
    assert {schema for schema, _ in names} <= {"main", "program", "semantic"}


def test_no_personal_column_in_any_relation(scan):
    con, relations = scan
    assert PII_COLUMNS <= PERSONAL_COLUMNS
    found = [(schema, name, column)
             for schema, name, _ in relations
             for column in _columns(con, schema, name)
             if column.lower() in PERSONAL_COLUMNS]
    assert found == []


def test_no_personal_value_in_any_relation(scan):
    con, relations = scan
    assert con.execute("select count(distinct kind) from personal_values").fetchone() == (4,)
    found = {}
    for schema, name, _ in relations:
        hits = con.execute(f"""
            with cells as ({_cells(con, schema, name)}),
            tokens as (
                select unnest(regexp_split_to_array(cell, '{TOKEN_SPLIT}')) as token
                from cells
                where cell is not null
            )
            select distinct personal_values.kind, personal_values.value
            from tokens
            inner join personal_values
                on tokens.token = personal_values.value
            limit 5
        """).fetchall()
        phones = con.execute(f"""
            select cell from ({_cells(con, schema, name)})
            where regexp_matches(cell, '{PHONE_NUMBER}')
            limit 5
        """).fetchall()
        if hits or phones:
            found[f"{schema}.{name}"] = hits + phones
    assert found == {}


def test_no_row_pairs_a_customer_with_their_birth_date(scan):
    con, relations = scan
    assert con.execute("select count(*) from birth_dates").fetchone()[0] > 100
    found = {}
    for schema, name, _ in relations:
        lowered = {column.lower() for column in _columns(con, schema, name)}
        if not lowered & {"customer_id", "line_id"}:
            continue
        hits = con.execute(f"""
            with cells as ({_cells(con, schema, name)}),
            tokens as (
                select person, unnest(regexp_split_to_array(cell, '{TOKEN_SPLIT}')) as token
                from cells
                where cell is not null and person is not null
            )
            select tokens.person, tokens.token
            from tokens
            inner join birth_dates
                on tokens.person = birth_dates.customer_id
                and tokens.token = birth_dates.birth_date
            limit 5
        """).fetchall()
        if hits:
            found[f"{schema}.{name}"] = hits
    assert found == {}


def test_the_scan_finds_what_it_looks_for(scan, tmp_path):
    """The same scan on a relation that leaks: a name inside a list, a phone number inside a
    text, a customer next to their birth date."""
    con, _ = scan
    name, key = con.execute("select value, kind from personal_values "
                            "where kind = 'full_name' limit 1").fetchone()
    customer_id, birth_date = con.execute("select * from birth_dates limit 1").fetchone()
    leak = tmp_path / "leak.duckdb"
    with duckdb.connect(str(leak)) as writer:
        writer.execute("create table main.leaky (customer_id varchar, notes varchar[], "
                       "said varchar, on_date date)")
        writer.execute("insert into main.leaky values (?, ?, ?, ?)",
                       [customer_id, ["x", f"{name}"], "call 010-1234-5678 now",
                        birth_date])
    con.execute(f"attach '{leak}' as leak_check (read_only)")
    try:
        cells = ("select customer_id as person, unnest([cast(customer_id as varchar), "
                 "cast(notes as varchar), said, cast(on_date as varchar)]) as cell "
                 "from leak_check.main.leaky")
        hits = con.execute(f"""
            with tokens as (
                select person, unnest(regexp_split_to_array(cell, '{TOKEN_SPLIT}')) as token
                from ({cells})
            )
            select 'value', personal_values.kind from tokens
            inner join personal_values on tokens.token = personal_values.value
            union all
            select 'birth_date', tokens.person from tokens
            inner join birth_dates
                on tokens.person = birth_dates.customer_id
                and tokens.token = birth_dates.birth_date
            union all
            select 'phone', cell from ({cells}) where regexp_matches(cell, '{PHONE_NUMBER}')
        """).fetchall()
    finally:
        con.execute("detach leak_check")
    kinds = {kind for kind, _ in hits}
    assert kinds == {"value", "birth_date", "phone"}
    assert ("value", key) in hits


def test_the_restricted_database_is_owner_only_and_holds_the_personal_layers(sample):
    restricted = restricted_path(sample.database)
    assert restricted.is_file()
    assert stat.S_IMODE(os.stat(restricted).st_mode) == 0o600
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{restricted}' as restricted (read_only)")
        schemas = {row[0] for row in con.execute(
            "select distinct table_schema from information_schema.tables "
            "where table_catalog = 'restricted'").fetchall()}
        assert {"staging", "quarantine", "intermediate"} <= schemas
        personal = {row[0] for row in con.execute(
            "select distinct column_name from information_schema.columns "
            "where table_catalog = 'restricted'").fetchall()}
        assert {"full_name", "msisdn", "birth_date", "bank_account_token",
                "person_key"} <= personal
