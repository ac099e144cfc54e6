"""Customer requests: refund applications, roaming passes, OTT choices, insurance applications.

These tables are small next to the event history, so each is materialised as a temp table
(contract columns plus sort keys s1, s2) before it is written.
"""

from __future__ import annotations

import duckdb

from remedy.generator import params as P
from remedy.generator.sqlkit import uniform_between, weighted_case
from remedy.rules import add_months


def _on_time_sql(dates: P.ProgramDates, i: str, seq: str) -> str:
    """A KST instant inside the application window with a realistic daily shape."""
    weights = P.application_day_weights(dates.app_days)
    day = weighted_case(f"rnd({i}, {seq}, 'app_day')",
                        [(str(d), w) for d, w in enumerate(weights)])
    office_hour = weighted_case(f"rnd({i}, {seq}, 'app_hour')",
                                [(str(P.OFFICE_HOURS_FROM + h), w)
                                 for h, w in enumerate(P.APPLICATION_HOUR_WEIGHTS)])
    hour = f"""CASE WHEN rnd({i}, {seq}, 'app_night') < 0.08
        THEN rint({i}, {seq}, 'app_any_hour', 24) ELSE {office_hour} END"""
    last = len(weights) - 1
    d, h = f"({day})", f"({hour})"
    # The window opens at its first day's opening hour and closes at its last day's closing
    # hour; hours outside are folded back inside.
    opens = P.kst_moment(dates.app_open).hour
    closes = P.kst_moment(dates.app_close).hour
    clamped = f"""CASE WHEN {d} = 0 AND {h} < {opens} THEN {h} + {opens}
        WHEN {d} = {last} AND {h} >= {closes} THEN {h} - {closes - opens} ELSE {h} END"""
    day0 = dates.app_open // P.DAY_S * P.DAY_S
    return f"""({day0} + {d} * 86400 + ({clamped}) * 3600
        + rint({i}, {seq}, 'app_sec', 3600))"""


def build_applications(con: duckdb.DuckDBPyConnection, dates: P.ProgramDates) -> int:
    """Refund applications (temp table apps_t), ids in order of arrival."""
    app_open, app_close = dates.app_open, dates.app_close
    close_day = app_close // P.DAY_S * P.DAY_S
    # Late applications run to two months after the window; hardships end from the window's
    # seventh day on, and their applications come after the window.
    late_until = P.kst_seconds(add_months(P.kst_moment(close_day).date(), 2))
    hardship_end_from = app_open // P.DAY_S + 6
    apply = " ".join(f"WHEN {p} THEN {s}" for p, s in P.APPLY_SHARE.items())
    timing = "rnd(line_idx, 0, 'app_timing')"
    # Early applications come after the termination and the program's announcement.
    earliest = f"least(greatest(term_ks + 600, {dates.announced_start}), {app_open - 600})"
    before = uniform_between("rnd(line_idx, 0, 'app_before')", earliest, str(app_open))
    late = f"""{app_close + 1} + CAST(floor(pow(rnd(line_idx, 0, 'app_late'), 2)
        * {late_until - app_close - 1}) AS BIGINT)"""
    ended_day = f"{hardship_end_from} + rint(line_idx, 0, 'hardship_end', 56)"
    hardship_at = f"""greatest({ended_day} + rint(line_idx, 1, 'hardship_end', 26),
        {close_day // P.DAY_S + 1}) * 86400 + 32400 + rint(line_idx, 2, 'hardship_end', 43200)"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE app_lines AS
        SELECT line_idx, term_ks,
            CASE WHEN {timing} < 0.03 THEN 'before' WHEN {timing} < 0.92 THEN 'on_time'
                WHEN {timing} < 0.97 THEN 'late' ELSE 'hardship' END AS timing
        FROM line_base
        WHERE fate <= {P.FATE_A} AND rnd(line_idx, 0, 'apply') < CASE profile {apply} END
    """)
    pop = ("SELECT line_idx FROM line_base WHERE fate IN "
           f"({P.FATE_ACTIVE}, {P.FATE_PRE}) AND rnd(line_idx, 0, 'stray_app') < 0.0005")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE apps_raw AS
        SELECT line_idx, 0 AS seq, line_id(line_idx) AS line_id, timing,
            CASE timing WHEN 'before' THEN {before}
                WHEN 'on_time' THEN {_on_time_sql(dates, 'line_idx', 0)}
                WHEN 'late' THEN {late} ELSE {hardship_at} END AS ks,
            CASE WHEN timing = 'hardship' OR rnd(line_idx, 0, 'hardship_noise') < 0.01
                THEN CASE WHEN rnd(line_idx, 0, 'hardship_kind') < 0.6 THEN 'military'
                    ELSE 'abroad' END END AS hardship_reason,
            CASE WHEN timing = 'hardship' OR rnd(line_idx, 0, 'hardship_noise') < 0.01
                THEN DATE '1970-01-01' + CAST({ended_day} AS INTEGER) END AS hardship_ended_on
        FROM app_lines
        UNION ALL  -- applied too early, then again on time
        SELECT line_idx, 1, line_id(line_idx), 'on_time', {_on_time_sql(dates, 'line_idx', 1)},
            NULL, NULL
        FROM app_lines WHERE timing = 'before' AND rnd(line_idx, 1, 'reapply') < 0.6
        UNION ALL  -- front ends that matched no line (typos, closed numbers)
        SELECT 9000000000 + line_idx, 0, 'L9' || pad(line_idx, 9), 'on_time',
            {_on_time_sql(dates, 'line_idx', 3)}, NULL, NULL
        FROM app_lines WHERE rnd(line_idx, 0, 'unknown_line') < 0.005
        UNION ALL  -- customers who were never in the waiver population
        SELECT line_idx, 0, line_id(line_idx), 'on_time', {_on_time_sql(dates, 'line_idx', 0)},
            NULL, NULL
        FROM ({pop})
    """)
    con.execute("""
        INSERT INTO apps_raw
        SELECT line_idx, 2, line_id, timing,
            ks + 3600 + rint(line_idx, 2, 'dup_gap', 7 * 86400), NULL, NULL
        FROM apps_raw WHERE seq = 0 AND timing <> 'before'
            AND rnd(line_idx, 2, 'duplicate') < 0.05
    """)
    holder = "rnd(line_idx, seq, 'holder')"
    exception = weighted_case("rnd(line_idx, seq, 'holder_exc')",
                              [("'minor'", 0.25), ("'corporate'", 0.25), ("NULL", 0.5)])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE apps_t AS
        SELECT row_number() OVER (ORDER BY ks, line_idx, seq) - 1 AS s1, 0 AS s2, line_idx,
            'RA' || pad(row_number() OVER (ORDER BY ks, line_idx, seq), 9) AS application_id,
            line_id,
            {weighted_case("rnd(line_idx, seq, 'app_channel')",
                           [("'web'", 0.60), ("'call_center'", 0.25), ("'store'", 0.15)])}
                AS channel,
            utc(ks) AS applied_at,
            CASE WHEN {holder} < 0.977 THEN true WHEN {holder} < 0.997 THEN false END
                AS account_holder_matches,
            CASE WHEN {holder} >= 0.977 THEN {exception} END AS holder_exception,
            hardship_reason, hardship_ended_on,
            'tok_' || hexkey(line_idx, seq, 'bank') AS bank_account_token
        FROM apps_raw ORDER BY s1
    """)
    con.execute("DROP TABLE apps_raw; DROP TABLE app_lines")
    return con.execute("SELECT count(*) FROM apps_t").fetchall()[0][0]


def build_roaming(con: duckdb.DuckDBPyConnection, dates: P.ProgramDates) -> int:
    """Roaming passes bought from two months before the roaming window (R3) to the end of
    the data by a few % of phone and tablet lines in service."""
    roaming_from = P.kst_seconds(add_months(P.kst_moment(dates.roaming_start).date(), -2))
    code = weighted_case("rnd(line_idx, k, 'pass')",
                         [(f"{{'c': '{c}', 'mb': {mb}}}", w) for c, mb, w in P.ROAMING_PASSES])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE passes_t AS
        WITH buyers AS (
            SELECT line_idx, greatest({roaming_from}, act_ks + 86400) AS lo,
                least(coalesce(term_ks, {dates.data_end}), {dates.data_end}) AS hi,
                1 + CAST(floor(4 * pow(rnd(line_idx, 0, 'passes'), 2.5)) AS INTEGER) AS n
            FROM line_base
            WHERE class_code IN (1, 2) AND rnd(line_idx, 0, 'roams') < 0.03
        ), bought AS (
            SELECT line_idx, k, {uniform_between("rnd(line_idx, k, 'bought')", "lo", "hi")} AS ks,
                {code} AS pass
            FROM (SELECT *, unnest(range(n)) AS k FROM buyers WHERE hi > lo)
        )
        SELECT line_idx AS s1, k AS s2,
            'RP' || pad(line_idx, 10) || '-' || k AS purchase_id,
            line_id(line_idx) AS line_id, pass.c AS pass_code,
            CAST(pass.mb AS INTEGER) AS base_data_mb, utc(ks) AS purchased_at
        FROM bought ORDER BY s1, s2
    """)
    return con.execute("SELECT count(*) FROM passes_t").fetchall()[0][0]


def build_ott(con: duckdb.DuckDBPyConnection, dates: P.ProgramDates) -> int:
    """OTT choices: mostly one valid choice; some netflix first, second choices, late ones."""
    as_of, deadline_next, data_end = dates.population_as_of, dates.ott_deadline_next, \
        dates.data_end
    first = weighted_case("rnd(line_idx, 0, 'ott')",
                          [("'tving'", 0.52), ("'disney_plus'", 0.43), ("'netflix'", 0.05)])
    on_time = (f"{as_of} + CAST(floor(pow(rnd(line_idx, 0, 'ott_at'), 2) * "
               f"{deadline_next - as_of}) AS BIGINT)")
    after = uniform_between("rnd(line_idx, 0, 'ott_at')", str(deadline_next), str(data_end))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE choices_raw AS
        SELECT line_idx, 0 AS k, {first} AS service,
            CASE WHEN rnd(line_idx, 0, 'ott_late') < 0.02 THEN {after} ELSE {on_time} END AS ks
        FROM line_base
        WHERE rnd(line_idx, 0, 'ott_chooser') < CASE
            WHEN network_code = 1 AND class_code <= 3 AND act_ks < {as_of}
                AND coalesce(term_ks, {data_end}) >= {as_of} THEN 0.08
            ELSE 0.002 END
    """)
    con.execute("""
        INSERT INTO choices_raw
        SELECT line_idx, 1,
            CASE WHEN service = 'netflix'
                THEN CASE WHEN rnd(line_idx, 1, 'ott') < 0.5 THEN 'tving' ELSE 'disney_plus' END
                WHEN service = 'tving' THEN 'disney_plus' ELSE 'tving' END,
            ks + 3600 + rint(line_idx, 1, 'ott_gap', 60 * 86400)
        FROM choices_raw
        WHERE (service = 'netflix' AND rnd(line_idx, 1, 'ott_again') < 0.7)
            OR (service <> 'netflix' AND rnd(line_idx, 1, 'ott_again') < 0.03)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE choices_t AS
        SELECT line_idx AS s1, k AS s2, 'OC' || pad(line_idx, 10) || '-' || k AS choice_id,
            line_id(line_idx) AS line_id, service, utc(ks) AS chosen_at
        FROM choices_raw ORDER BY s1, s2;
        DROP TABLE choices_raw;
    """)
    return con.execute("SELECT count(*) FROM choices_t").fetchall()[0][0]


def build_insurance(con: duckdb.DuckDBPyConnection, dates: P.ProgramDates) -> int:
    """Insurance applications by individuals, mostly below the automatic age (some apply
    twice), from the reward population instant on."""
    as_of = dates.population_as_of
    at = (f"{as_of} + CAST(floor(pow(rnd(cust_idx, k, 'ins_at'), 1.5) * "
          f"{dates.data_end - as_of - 40 * P.DAY_S}) AS BIGINT)")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ins_t AS
        WITH applicants AS (
            SELECT cust_idx, 1 + CAST(rnd(cust_idx, 1, 'ins') < 0.05 AS INTEGER) AS n
            FROM cust_base
            WHERE NOT is_business AND rnd(cust_idx, 0, 'ins')
                < CASE WHEN age_years(person_idx) < {dates.insurance_auto_min_age} THEN 0.05
                    ELSE 0.005 END
        ), apps AS (
            SELECT cust_idx, k, {at} AS ks
            FROM (SELECT *, unnest(range(n)) AS k FROM applicants)
        )
        SELECT cust_idx AS s1, k AS s2, 'IA' || pad(cust_idx, 10) || '-' || k AS application_id,
            customer_id(cust_idx) AS customer_id, utc(ks) AS applied_at
        FROM apps ORDER BY s1, s2
    """)
    return con.execute("SELECT count(*) FROM ins_t").fetchall()[0][0]
