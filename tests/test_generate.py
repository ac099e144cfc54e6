"""The synthetic landing-data generator: determinism, contract types, magnitudes, injection."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from remedy.contract import KEYS, TABLES
from remedy.edge_cases import catalogue, edge_rows
from remedy.generate import generate
from remedy.generator import injection
from remedy.generator import params as P
from remedy.program import read_program
from remedy.rules import expected_penalty_krw

SMALL = 0.001
MEDIUM = 0.002
TERMINATING = ("termination", "port_out", "forced_termination")


def _digest(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _connect(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet("
                    f"'{root}/{table}/*.parquet', filename = true)")
    return con


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    generate(root, scale=SMALL, seed=42, progress=False)
    return root


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("medium")
    generate(root, scale=MEDIUM, seed=42, progress=False)
    return root, _connect(root)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchall()[0][0]


# --- determinism -------------------------------------------------------------------------


def test_same_seed_scale_and_rate_give_identical_bytes(small: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SMALL, seed=42, progress=False)
    assert _digest(tmp_path) == _digest(small)


def test_another_seed_gives_other_data(small: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SMALL, seed=43, progress=False)
    ours, theirs = _digest(small), _digest(tmp_path)
    changed = [name for name, digest in ours.items()
               if name.endswith(".parquet") and digest != theirs.get(name)]
    assert "contract_events/part-0000.parquet" in changed
    assert "lines/part-0000.parquet" in changed


def test_regeneration_replaces_existing_table_folders(tmp_path: Path) -> None:
    stale = tmp_path / "lines" / "part-0099.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"stale")
    generate(tmp_path, scale=SMALL, seed=1, progress=False)
    assert not stale.exists()
    assert not (tmp_path / ".generate_tmp").exists()


# --- contract ------------------------------------------------------------------------------


def test_every_file_has_the_contract_schema(small: Path) -> None:
    for table, schema in TABLES.items():
        files = sorted((small / table).glob("*.parquet"))
        assert len(files) >= 2, f"{table}: expected parts plus a redelivery file"
        for path in files:
            found = pq.read_schema(path).remove_metadata()
            assert found.equals(schema), f"{path}: {found} != {schema}"


def test_generation_json_matches_the_files(small: Path) -> None:
    summary = json.loads((small / "_generation.json").read_text())
    assert (summary["scale"], summary["seed"], summary["bad_rows"]) == (SMALL, 42, 0.001)
    for table in TABLES:
        rows = sum(pq.ParquetFile(small / table / name).metadata.num_rows
                   for name in summary["files"][table])
        assert rows == summary["row_counts"][table]
        assert sorted(summary["files"][table]) == sorted(
            path.name for path in (small / table).glob("*.parquet"))


def test_timestamps_are_stored_as_utc_instants(small: Path) -> None:
    events = pq.read_table(small / "contract_events", columns=["event_id", "line_id",
                                                               "event_type", "event_at"])
    by_line = {(row["line_id"], row["event_type"]): row["event_at"]
               for row in events.to_pylist() if row["line_id"].startswith("L-EDGE-W1-")}
    utc = dt.UTC
    # KST 2026-01-14 00:00:00 is 2026-01-13 15:00:00Z; KST 2025-09-01 00:00:00 the day before.
    assert by_line[("L-EDGE-W1-0114-1", "port_out")] == dt.datetime(2026, 1, 13, 15, tzinfo=utc)
    assert by_line[("L-EDGE-W1-0901-1", "termination")] == dt.datetime(2025, 8, 31, 15,
                                                                       tzinfo=utc)
    assert events.schema.field("event_at").type.tz == "UTC"


# --- edge cases ----------------------------------------------------------------------------


def test_edge_case_rows_are_appended_unchanged(small: Path) -> None:
    con = _connect(small)
    for table, rows in edge_rows().items():
        key = KEYS[table]
        found = {row[key]: row for row in con.sql(
            f"SELECT * EXCLUDE (filename) FROM {table} WHERE {key} LIKE '%-EDGE-%'"
        ).to_arrow_table().to_pylist()}
        assert len(found) == len(rows), table
        for row in rows:
            stored = found[row[key]]
            for column, value in row.items():
                assert _as_text(stored[column]) == _as_text(value), (table, row[key], column)


def _as_text(value: object) -> object:
    """Stored values in the catalogue's terms: KST wall-clock text, ISO dates."""
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(hours=9)).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_edge_rows_are_never_corrupted_or_duplicated(small: Path) -> None:
    summary = json.loads((small / "_generation.json").read_text())
    touched = [r for r in summary["injected"] if r["key"] and "-EDGE-" in r["key"]]
    assert touched == []
    assert summary["edge_cases"]["count"] == len(catalogue("kt_2025_12"))


# --- magnitudes ----------------------------------------------------------------------------


def test_line_mix_scales(medium) -> None:
    _, con = medium
    counts = dict(con.execute("""
        SELECT network || '/' || line_class || '/' || payment_type, count(DISTINCT line_id)
        FROM lines
        WHERE line_id LIKE 'L0%' GROUP BY 1""").fetchall())
    kt_phones = counts["kt/phone/postpaid"] + counts["kt/phone/prepaid"]
    assert kt_phones == pytest.approx(13_643_128 * MEDIUM, rel=0.01)
    assert counts["kt/iot/postpaid"] == round(8_000_000 * MEDIUM)
    assert sum(counts.values()) == pytest.approx(29_000_000 * MEDIUM, rel=0.02)


def test_port_outs_of_the_announced_window_are_exact(medium) -> None:
    _, con = medium
    split = dict(con.execute("""
        SELECT port_out_to, count(DISTINCT event_id) FROM contract_events
        WHERE event_type = 'port_out' AND event_id LIKE 'EV0%'
            AND CAST(event_at + INTERVAL 9 HOUR AS DATE) BETWEEN '2025-12-31' AND '2026-01-13'
        GROUP BY 1""").fetchall())
    assert split == {to: round(n * MEDIUM) for to, n in P.PORT_OUTS_B.items()}


def test_waiver_population_and_event_volume(medium) -> None:
    _, con = medium
    window_a, window_b = con.execute("""
        SELECT count(*) FILTER (WHERE d <= '2025-12-30'), count(*) FILTER (WHERE d > '2025-12-30')
        FROM (SELECT DISTINCT event_id, CAST(event_at + INTERVAL 9 HOUR AS DATE) AS d
              FROM contract_events
              WHERE event_type IN ('termination', 'port_out', 'forced_termination')
                AND event_id LIKE 'EV0%')
        WHERE d BETWEEN '2025-09-01' AND '2026-01-13'""").fetchall()[0]
    assert window_a == round(350_000 * MEDIUM)
    assert window_b == pytest.approx(317_902 * MEDIUM, abs=3)
    events = _scalar(con, "SELECT count(*) FROM contract_events WHERE event_id LIKE 'EV0%'")
    assert events == pytest.approx(135_000_000 * MEDIUM, rel=0.05)
    outside = _scalar(con, """SELECT count(*) FROM contract_events
        WHERE event_type IN ('termination', 'port_out', 'forced_termination')
            AND CAST(event_at + INTERVAL 9 HOUR AS DATE) > '2026-01-13'""")
    assert outside > 0.5 * window_a


def test_customers_ages_and_rejoiners(medium) -> None:
    _, con = medium
    seniors = _scalar(con, """
        SELECT avg(CAST(birth_date <= DATE '1961-01-13' AS INTEGER)) FROM customers
        WHERE customer_type = 'individual' AND customer_id LIKE 'C0%'""")
    assert seniors == pytest.approx(0.20, abs=0.02)
    shared = _scalar(con, """
        SELECT count(*) FROM (SELECT person_key FROM customers WHERE customer_id LIKE 'C0%'
                              GROUP BY 1 HAVING count(*) > 1)""")
    fates = P.make_plan(MEDIUM, 42, read_program("kt_2025_12")).segments[0]["fates"]
    expected = P.REJOIN_SHARE * sum(n for fate, n in fates.items() if fate <= P.FATE_A)
    assert abs(shared - expected) < 3 * expected ** 0.5


def test_applications_follow_the_window_shape(medium) -> None:
    _, con = medium
    waiver_lines = _scalar(con, """SELECT count(DISTINCT line_id) FROM contract_events
        WHERE event_type IN ('termination', 'port_out', 'forced_termination')
            AND event_id LIKE 'EV0%'
            AND CAST(event_at + INTERVAL 9 HOUR AS DATE) BETWEEN '2025-09-01' AND '2026-01-13'""")
    applicants = _scalar(con, "SELECT count(DISTINCT line_id) FROM refund_applications "
                              "WHERE application_id LIKE 'RA0%'")
    assert 0.6 * waiver_lines < applicants < 0.75 * waiver_lines
    by_day = dict(con.execute("""
        SELECT CAST(applied_at + INTERVAL 9 HOUR AS DATE), count(*) FROM refund_applications
        WHERE application_id LIKE 'RA0%' GROUP BY 1""").fetchall())
    assert by_day[dt.date(2026, 1, 14)] > 2 * by_day[dt.date(2026, 1, 25)]
    channels = dict(con.execute("""SELECT channel, count(*) FROM refund_applications
        WHERE application_id LIKE 'RA0%' GROUP BY 1""").fetchall())
    assert channels["web"] > channels["call_center"] > channels["store"]


def test_generated_clawbacks_follow_the_penalty_arithmetic(medium) -> None:
    _, con = medium
    rows = con.execute("""
        WITH terminated AS (
            SELECT line_id, event_id, CAST(event_at + INTERVAL 9 HOUR AS DATE) AS d
            FROM contract_events
            WHERE event_type IN ('termination', 'port_out', 'forced_termination')
                AND event_id LIKE 'EV0%'
        ), in_force AS (
            SELECT t.event_id, a.* EXCLUDE (filename) FROM terminated AS t
            JOIN agreements AS a ON a.line_id = t.line_id AND a.start_date <= t.d
                AND a.agreement_id LIKE 'AG0%'
            QUALIFY row_number() OVER (PARTITION BY t.event_id
                                       ORDER BY a.start_date DESC, a.agreement_id DESC) = 1
        )
        SELECT f.agreement_type, CAST(f.start_date AS VARCHAR), f.term_months,
            coalesce(f.subsidy_krw, f.monthly_discount_krw), CAST(t.d AS VARCHAR), c.billed_krw
        FROM penalty_charges AS c
        JOIN terminated AS t ON t.event_id = c.termination_event_id
        JOIN in_force AS f ON f.event_id = t.event_id
        WHERE c.component IN ('subsidy_clawback', 'selective_discount_clawback')
            AND c.charge_id LIKE 'PC0%'""").fetchall()
    assert len(rows) > 1000
    grace = read_program("kt_2025_12").grace_days
    agree = sum(expected_penalty_krw(kind, dt.date.fromisoformat(start), term, amount, amount,
                                     dt.date.fromisoformat(day), grace) == billed
                for kind, start, term, amount, day, billed in rows)
    assert 1 - P.BILLING_DISAGREES - 0.015 < agree / len(rows) < 1 - P.BILLING_DISAGREES + 0.015


def test_generated_lines_are_internally_consistent(medium) -> None:
    root, con = medium
    summary = json.loads((root / "_generation.json").read_text())
    mismatched = {r["key"] for r in summary["injected"] if r["kind"] == "activated_at_mismatch"}
    disagreeing = {row[0] for row in con.execute("""
        SELECT l.line_id FROM lines AS l JOIN contract_events AS e
            ON e.line_id = l.line_id AND e.event_type = 'activation'
        WHERE l.line_id LIKE 'L0%' AND e.event_at <> l.activated_at""").fetchall()}
    assert disagreeing == mismatched
    twice = _scalar(con, """SELECT count(*) FROM (
        SELECT line_id FROM contract_events
        WHERE event_type IN ('termination', 'port_out', 'forced_termination')
            AND event_id LIKE 'EV0%' GROUP BY 1 HAVING count(*) > 1)""")
    after_end = _scalar(con, """SELECT count(*) FROM contract_events AS e
        JOIN (SELECT line_id, min(event_at) AS ended FROM contract_events
              WHERE event_type IN ('termination', 'port_out', 'forced_termination')
                  AND event_id LIKE 'EV0%'
              GROUP BY 1) AS t USING (line_id)
        WHERE e.event_id LIKE 'EV0%' AND e.event_at > t.ended""")
    assert (twice, after_end) == (0, 0)


# --- injected contract violations ----------------------------------------------------------


def test_every_violation_kind_is_injected_and_recorded(small: Path) -> None:
    summary = json.loads((small / "_generation.json").read_text())
    found = Counter((r["table"], r["kind"]) for r in summary["injected"])
    for table, kinds in injection.KINDS.items():
        for kind in kinds:
            assert found[(table, kind.kind)] >= kind.versions, (table, kind.kind)
        assert found[(table, "exact_duplicate")] >= 2, table
    reasons = {r["expected_reason"] for r in summary["injected"]} - {None}
    assert reasons == set(injection.REASONS)


def test_injected_rows_are_where_the_record_says(small: Path) -> None:
    summary = json.loads((small / "_generation.json").read_text())
    con = _connect(small)
    for record in summary["injected"]:
        table, key = record["table"], KEYS[record["table"]]
        if record["key"] is None:
            value = con.execute(
                f"SELECT {key} FROM read_parquet('{small}/{record['file']}', "
                f"file_row_number = true) WHERE file_row_number = {record['row']}"
            ).fetchall()
            assert value == [(None,)], record
            continue
        rows = con.execute(
            f"SELECT parse_filename(filename, true) FROM {table} WHERE {key} = ?",
            [record["key"]]).fetchall()
        files = sorted(f"{table}/{name[0]}.parquet" for name in rows)
        if record["kind"] == "exact_duplicate":
            assert files == sorted(record["files"]), record
        elif record["kind"] == "conflicting_duplicate_key":
            assert len(files) == 2, record
        else:
            assert files == [record["file"]], record


def test_exact_duplicates_are_identical_and_some_cross_files(small: Path) -> None:
    summary = json.loads((small / "_generation.json").read_text())
    con = _connect(small)
    crossing = 0
    for record in summary["injected"]:
        if record["kind"] != "exact_duplicate":
            continue
        table, key = record["table"], KEYS[record["table"]]
        distinct = _scalar(con, f"SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (filename) "
                                f"FROM {table} WHERE {key} = '{record['key']}')")
        assert distinct == 1, record
        crossing += record["files"][0] != record["files"][1]
    assert crossing > 0


def test_each_injected_row_breaks_one_rule_only(small: Path) -> None:
    con = _connect(small)
    assert _scalar(con, """SELECT count(*) FROM penalty_charges
        WHERE charge_id LIKE 'PCX%' AND (paid_krw > billed_krw) AND (billed_krw < 0
            OR paid_krw < 0 OR component NOT IN ('subsidy_clawback', 'monthly_fee'))""") == 0
    orphans = con.execute("""SELECT DISTINCT line_class, payment_type, network FROM lines
        WHERE customer_id LIKE 'C8%'""").fetchall()
    assert orphans == [("phone", "postpaid", "kt")]
    # A second terminating event always follows a generated first one on the same line.
    seconds = con.execute("""
        SELECT count(*), count(first_at) FILTER (WHERE first_at < e.event_at)
        FROM contract_events AS e LEFT JOIN (
            SELECT line_id, min(event_at) AS first_at FROM contract_events
            WHERE event_id LIKE 'EV0%' AND event_type IN ('termination', 'port_out',
                'forced_termination') GROUP BY 1) AS f USING (line_id)
        WHERE e.event_id LIKE 'EVX5%'""").fetchall()[0]
    assert seconds[0] > 0 and seconds[0] == seconds[1]


def test_zero_rate_injects_nothing(tmp_path: Path) -> None:
    summary = generate(tmp_path, scale=SMALL, seed=5, bad_rows=0, progress=False)
    assert summary["injected"] == []
    edge_lines = len(edge_rows()["lines"])
    assert summary["row_counts"]["lines"] == _scalar(
        _connect(tmp_path), "SELECT count(*) FROM lines WHERE line_id LIKE 'L0%'") + edge_lines


# --- daily deliveries (issue 9) ------------------------------------------------------------

# The default first daily day: the day before kt_2025_12's waiver window opens.
FIRST_DAY = dt.date(2025, 8, 31)
INITIAL = "0000-initial_2025-08-30_part-"
ARRIVAL = {"customers": "created_at", "lines": "activated_at", "contract_events": "event_at",
           "agreements": "start_date", "penalty_charges": "billed_on",
           "refund_applications": "applied_at", "roaming_passes": "purchased_at",
           "ott_choices": "chosen_at", "insurance_applications": "applied_at"}


@pytest.fixture(scope="module")
def daily(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("daily")
    generate(root, scale=SMALL, seed=42, progress=False, deliveries="daily")
    return root


def _files(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file: digest, modification time (ns) and inode."""
    return {str(path.relative_to(root)): (hashlib.sha256(path.read_bytes()).hexdigest(),
                                          path.stat().st_mtime_ns, path.stat().st_ino)
            for path in sorted(root.rglob("*")) if path.is_file()}


def _own_day(table: str) -> str:
    column = ARRIVAL[table]
    if TABLES[table].field(column).type == pa.date32():
        return column
    return f"CAST({column} + INTERVAL 9 HOUR AS DATE)"


def test_daily_union_is_the_snapshot_row_for_row(small: Path, daily: Path) -> None:
    con = duckdb.connect()
    for table in TABLES:
        snapshot = f"read_parquet('{small}/{table}/*.parquet')"
        days = f"read_parquet('{daily}/{table}/*.parquet')"
        for one, other in ((snapshot, days), (days, snapshot)):
            assert _scalar(con, f"SELECT count(*) FROM (SELECT * FROM {one} "
                                f"EXCEPT ALL SELECT * FROM {other})") == 0, table
        assert _scalar(con, f"SELECT count(*) FROM {days}") == _scalar(
            con, f"SELECT count(*) FROM {snapshot}"), table


def test_daily_files_sort_in_delivery_order_and_match_the_record(daily: Path) -> None:
    summary = json.loads((daily / "_generation.json").read_text())
    assert summary["deliveries"]["mode"] == "daily"
    assert summary["deliveries"]["first_daily_day"] == FIRST_DAY.isoformat()
    assert summary["deliveries"]["through"] == summary["deliveries"]["last_day"]
    for table in TABLES:
        names = sorted(path.name for path in (daily / table).glob("*.parquet"))
        assert names == summary["files"][table], table
        records = summary["delivery_files"][table]
        assert [r["name"] for r in records] == names
        initial = [r for r in records if r["initial_load"]]
        assert initial and all(r["name"].startswith(INITIAL) for r in initial)
        days = [r["day"] for r in records if not r["initial_load"]]
        assert days == sorted(set(days)) and days[0] >= FIRST_DAY.isoformat(), table
        assert all(f"{r['day']}.parquet" == r["name"] for r in records if not r["initial_load"])
        for record in records:
            rows = pq.ParquetFile(daily / table / record["name"]).metadata.num_rows
            assert rows == record["rows"], record
            assert rows > 0 or record["initial_load"], record
            assert pq.read_schema(daily / table / record["name"]).remove_metadata().equals(
                TABLES[table]), record
        assert sum(r["rows"] for r in records) == summary["row_counts"][table]
        assert summary["delivered_row_counts"] == summary["row_counts"]


def test_every_row_arrives_on_its_own_day_unless_recorded_later(daily: Path) -> None:
    """A row's file is its own KST day's (the initial load: before the first daily day);
    the exceptions are injected rows, each arriving on the day _generation.json gives."""
    summary = json.loads((daily / "_generation.json").read_text())
    late = {(r["table"], r["key"], r["arrival_day"]) for r in summary["injected"]
            if r["key"] is not None and "arrival_day" in r}
    late |= {(r["table"], r["key"], r["arrival_days"][1]) for r in summary["injected"]
             if r["kind"] == "exact_duplicate"}
    con = _connect(daily)
    for table in TABLES:
        key = KEYS[table]
        rows = con.execute(f"""
            SELECT {key}, {_own_day(table)}, parse_filename(filename, true) FROM {table}
        """).fetchall()
        for value, own, file_name in rows:
            if file_name.startswith(INITIAL):
                assert own is None or own < FIRST_DAY, (table, value, own)
                continue
            day = dt.date.fromisoformat(file_name)
            assert own == day or (table, value, day.isoformat()) in late, (table, value, own)


def test_redeliveries_and_second_versions_arrive_later(daily: Path) -> None:
    summary = json.loads((daily / "_generation.json").read_text())
    copies = [r for r in summary["injected"] if r["kind"] == "exact_duplicate"]
    later = [r for r in copies if r["arrival_days"][1] > r["arrival_days"][0]]
    assert later and all(r["files"][0] != r["files"][1] for r in later)
    assert all(r["arrival_days"][1] >= r["arrival_days"][0] for r in copies)
    assert all(r["arrival_days"][1] >= FIRST_DAY.isoformat() for r in later)
    versions: dict[tuple[str, str], dict[int, str]] = {}
    for record in summary["injected"]:
        if record["kind"] == "conflicting_duplicate_key":
            versions.setdefault((record["table"], record["key"]), {})[record["version"]] = (
                record["arrival_day"])
    assert versions and all(days[2] > days[1] for days in versions.values())
    dated = [r for r in summary["injected"] if r["kind"] == "missing_required_field"]
    assert all(r["arrival_day"] and r["file"] for r in dated)


def test_injected_rows_are_where_the_daily_record_says(daily: Path) -> None:
    summary = json.loads((daily / "_generation.json").read_text())
    con = _connect(daily)
    for record in summary["injected"]:
        table, key = record["table"], KEYS[record["table"]]
        if record["key"] is None:
            value = con.execute(
                f"SELECT {key} FROM read_parquet('{daily}/{record['file']}', "
                f"file_row_number = true) WHERE file_row_number = {record['row']}"
            ).fetchall()
            assert value == [(None,)], record
            continue
        files = sorted(f"{table}/{name[0]}.parquet" for name in con.execute(
            f"SELECT parse_filename(filename, true) FROM {table} WHERE {key} = ?",
            [record["key"]]).fetchall())
        if record["kind"] == "exact_duplicate":
            assert files == sorted(record["files"]), record
        elif record["kind"] == "conflicting_duplicate_key":
            assert record["file"] in files and len(files) == 2, record
        else:
            assert files == [record["file"]], record


def test_daily_deliveries_are_deterministic(daily: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SMALL, seed=42, progress=False, deliveries="daily")
    assert _digest(tmp_path) == _digest(daily)


def test_a_later_through_day_only_adds_files(daily: Path, tmp_path: Path) -> None:
    """Replayed one day at a time, a landing directory ends up as one run through the last
    day; files already delivered are never rewritten."""
    generate(tmp_path, scale=SMALL, seed=42, progress=False, deliveries="daily",
             through=dt.date(2026, 1, 19))
    first = _files(tmp_path)
    assert not any(name.endswith("2026-01-20.parquet") for name in first)
    generate(tmp_path, scale=SMALL, seed=42, progress=False, deliveries="daily",
             through=dt.date(2026, 1, 20))
    second = _files(tmp_path)
    assert {name: first[name] for name in first if name != "_generation.json"} == {
        name: second[name] for name in first if name != "_generation.json"}
    added = set(second) - set(first)
    assert added and all(name.endswith("/2026-01-20.parquet") for name in added)
    generate(tmp_path, scale=SMALL, seed=42, progress=False, deliveries="daily")
    third = _files(tmp_path)
    assert all(third[name] == second[name] for name in second if name != "_generation.json")
    assert _digest(tmp_path) == _digest(daily)


def test_deliveries_cannot_be_taken_back_or_mixed(tmp_path: Path) -> None:
    generate(tmp_path, scale=SMALL, seed=3, progress=False, deliveries="daily",
             through=FIRST_DAY)
    with pytest.raises(ValueError, match="already delivered through 2025-08-31"):
        generate(tmp_path, scale=SMALL, seed=3, progress=False, deliveries="daily",
                 through=FIRST_DAY - dt.timedelta(days=1))
    with pytest.raises(ValueError, match="another generation .*seed 3 -> 4"):
        generate(tmp_path, scale=SMALL, seed=4, progress=False, deliveries="daily")
    with pytest.raises(ValueError, match="before the initial load"):
        generate(tmp_path, scale=SMALL, seed=3, progress=False, deliveries="daily",
                 through=dt.date(2025, 8, 1))
    with pytest.raises(ValueError, match="daily deliveries only"):
        generate(tmp_path, scale=SMALL, seed=3, progress=False, through=FIRST_DAY)


def test_initial_load_only_gives_every_table_a_file(tmp_path: Path) -> None:
    summary = generate(tmp_path, scale=SMALL, seed=5, bad_rows=0, progress=False,
                       deliveries="daily", through=FIRST_DAY - dt.timedelta(days=1),
                       first_day=FIRST_DAY)
    for table in TABLES:
        names = [path.name for path in (tmp_path / table).glob("*.parquet")]
        assert names and all(name.startswith(INITIAL) for name in names), table
    assert summary["injected"] == []
    assert summary["delivered_row_counts"]["refund_applications"] < summary["row_counts"][
        "refund_applications"]
