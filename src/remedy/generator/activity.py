"""Contract events, agreements and penalty charges, all derived from `line_base`.

A line's life is activation, `n_slots` mid-life slots (device change, recontract, plan
change, or a suspension with its end), an optional 2026 suspension, and an optional
terminating event. Slot k sits in the k-th of n equal parts of the line's life, so events
are ordered without sorting. Agreements start at activation, device changes and
recontracts; penalty charges apply the P1-P3 arithmetic to the agreement in force.
"""

from __future__ import annotations

import duckdb

from remedy.generator import params as P
from remedy.generator.sqlkit import sql_list, weighted_case


def install_activity_macros(con: duckdb.DuckDBPyConnection, dates: P.ProgramDates) -> None:
    """Event timing macros and the P1-P3 arithmetic with the program's grace days."""
    s26_from, s26_to = dates.suspension_from, dates.suspension_to
    grace = " ".join(f"WHEN {term} THEN {days}" for term, days in sorted(dates.grace_days.items()))
    statements = [
        # Slot event types: 1 device_change, 2 recontract, 3 plan_change, 4 suspension.
        f"""CREATE OR REPLACE MACRO slot_type(profile, i, k) AS CASE profile
            WHEN {P.PROFILE_AGR} THEN {weighted_case("rnd(i, k, 'slot_type')",
                [("1", 0.22), ("2", 0.13), ("3", 0.45), ("4", 0.20)])}
            WHEN {P.PROFILE_PREPAID} THEN {weighted_case("rnd(i, k, 'slot_type')",
                [("1", 0.10), ("3", 0.60), ("4", 0.30)])}
            WHEN {P.PROFILE_IOT} THEN {weighted_case("rnd(i, k, 'slot_type')",
                [("3", 0.70), ("4", 0.30)])}
            ELSE {weighted_case("rnd(i, k, 'slot_type')",
                [("1", 0.25), ("3", 0.55), ("4", 0.20)])} END""",
        """CREATE OR REPLACE MACRO slot_at(i, k, act, send, n) AS
            act + CAST(floor((send - act) / n * (k + 0.05 + 0.5 * rnd(i, k, 'slot_at')))
            AS BIGINT)""",
        # A suspension ends within its slot (<= 0.95 of it) and lasts at most 7,776,000 s.
        """CREATE OR REPLACE MACRO slot_end_at(i, k, act, send, n, ev) AS
            ev + 3600 + CAST(floor(least((send - act) / n * 0.4, 7776000)
            * rnd(i, k, 'susp_len')) AS BIGINT)""",
        f"""CREATE OR REPLACE MACRO susp26_at(i) AS
            {s26_from} + rint(i, 0, 'susp26_at', {s26_to - s26_from})""",
        """CREATE OR REPLACE MACRO susp26_end(i) AS
            susp26_at(i) + (10 + rint(i, 0, 'susp26_len', 101)) * 86400
            + rint(i, 1, 'susp26_len', 86400)""",
        "CREATE OR REPLACE MACRO term_seq(n) AS 2 * n + 3",
        # P1-P3: E = S + T months (DuckDB clamps to the month's last day), C, U, G (seeded).
        "CREATE OR REPLACE MACRO c_days(s, t) AS "
        "date_diff('day', s, CAST(s + to_months(CAST(t AS INTEGER)) AS DATE))",
        f"CREATE OR REPLACE MACRO g_days(t) AS CASE t {grace} END",
        """CREATE OR REPLACE MACRO subsidy_clawback(s, t, amount, d) AS CASE
            WHEN date_diff('day', s, d) >= c_days(s, t) THEN 0
            WHEN date_diff('day', s, d) <= g_days(t) THEN amount
            ELSE (amount * (c_days(s, t) - date_diff('day', s, d)))
                // (c_days(s, t) - g_days(t)) END""",
        """CREATE OR REPLACE MACRO selective_clawback(s, t, monthly, d) AS CASE
            WHEN date_diff('day', s, d) >= c_days(s, t) THEN 0
            WHEN date_diff('day', s, d) <= g_days(t)
                THEN (monthly * 12 * date_diff('day', s, d)) // 365
            ELSE (monthly * 12 * date_diff('day', s, d) * (c_days(s, t) - date_diff('day', s, d)))
                // (365 * (c_days(s, t) - g_days(t))) END""",
    ]
    for statement in statements:
        con.execute(statement)


def slots_cte(src: str) -> str:
    """`slots`: one row per mid-life slot of the lines in relation `src`."""
    return f"""slots AS (
        SELECT line_idx, profile, k, slot_type(profile, line_idx, k) AS st,
            slot_at(line_idx, k, act_ks, slot_end_ks, n_slots) AS ev_ks,
            act_ks, slot_end_ks, n_slots
        FROM (SELECT line_idx, profile, act_ks, slot_end_ks, n_slots,
                unnest(range(n_slots)) AS k
            FROM {src} WHERE n_slots > 0)
    )"""


def _channel_sql() -> str:
    r = "rnd(line_idx, seq, 'channel')"
    by_type = {
        P.ET_ACTIVATION: [("'store'", 0.60), ("'web'", 0.25), ("'call_center'", 0.15)],
        P.ET_DEVICE_CHANGE: [("'store'", 0.70), ("'web'", 0.30)],
        P.ET_RECONTRACT: [("'web'", 0.40), ("'call_center'", 0.40), ("'store'", 0.20)],
        P.ET_PLAN_CHANGE: [("'web'", 0.50), ("'call_center'", 0.30), ("'store'", 0.10),
                           ("'system'", 0.10)],
        P.ET_SUSPENSION: [("'call_center'", 0.60), ("'web'", 0.30), ("'system'", 0.10)],
        P.ET_SUSPENSION_END: [("'system'", 0.50), ("'call_center'", 0.30), ("'web'", 0.20)],
        P.ET_TERMINATING_BASE + 1: [("'store'", 0.50), ("'call_center'", 0.40),
                                    ("'web'", 0.10)],
    }
    whens = " ".join(f"WHEN {et} THEN {weighted_case(r, choices)}"
                     for et, choices in by_type.items())
    return f"CASE et {whens} ELSE 'system' END"


def events_sql(src: str) -> str:
    """Contract events (contract columns plus sort keys s1, s2) of the lines in `src`."""
    return f"""
    WITH {slots_cte(src)},
    ev AS (
        SELECT line_idx, 0 AS seq, {P.ET_ACTIVATION} AS et, act_ks AS ks, 0 AS port_to
        FROM {src}
        UNION ALL
        SELECT line_idx, 1 + 2 * k, st + 1, ev_ks, 0 FROM slots
        UNION ALL
        SELECT line_idx, 2 + 2 * k, {P.ET_SUSPENSION_END},
            slot_end_at(line_idx, k, act_ks, slot_end_ks, n_slots, ev_ks), 0
        FROM slots WHERE st = 4
        UNION ALL
        SELECT line_idx, 2 * n_slots + 1, {P.ET_SUSPENSION}, susp26_at(line_idx), 0
        FROM {src} WHERE susp26 > 0
        UNION ALL
        SELECT line_idx, 2 * n_slots + 2, {P.ET_SUSPENSION_END}, susp26_end(line_idx), 0
        FROM {src} WHERE susp26 = 1
        UNION ALL
        SELECT line_idx, term_seq(n_slots), {P.ET_TERMINATING_BASE} + term_type, term_ks,
            port_to
        FROM {src} WHERE term_ks IS NOT NULL
    )
    SELECT line_idx AS s1, seq AS s2,
        event_id(line_idx, seq) AS event_id,
        line_id(line_idx) AS line_id,
        {sql_list(P.EVENT_TYPES)}[et] AS event_type,
        utc(ks) AS event_at,
        {_channel_sql()} AS channel,
        CASE WHEN port_to > 0 THEN {sql_list(P.PORT_TARGETS)}[port_to] END AS port_out_to
    FROM ev
    """


def agreement_starts_sql(src: str) -> str:
    """Agreement rows (typed columns, not yet formatted) of the `agr`-profile lines in src."""
    r = "rnd(line_idx, seq, 'agr_kind')"
    subsidy = ("400000 + 10000 * CAST(floor(21 * pow(rnd(line_idx, seq, 'subsidy'), 1.6))"
               " AS BIGINT)")
    fees = "[" + ", ".join(str(f) for f in P.PLAN_FEES) + "]"
    monthly = f"{fees}[1 + rint(line_idx, seq, 'plan', {len(P.PLAN_FEES)})] // 4"
    return f"""
    WITH {slots_cte(f"(SELECT * FROM {src} WHERE profile = {P.PROFILE_AGR})")},
    starts AS (
        SELECT line_idx, 0 AS seq, act_ks AS ks, 0 AS st FROM {src}
        WHERE profile = {P.PROFILE_AGR}
            AND rnd(line_idx, 0, 'agr_on') < {P.AGREEMENT_AT_ACTIVATION}
        UNION ALL
        SELECT line_idx, 1 + 2 * k, ev_ks, st FROM slots
        WHERE st = 2 OR (st = 1 AND rnd(line_idx, 1 + 2 * k, 'agr_on')
            < {P.AGREEMENT_AT_DEVICE_CHANGE})
    ), typed AS (
        SELECT line_idx, seq, kdate(ks) AS start_date,
            st <> 2 AND {r} < {P.SUBSIDY_SHARE} AS is_subsidy,
            CASE WHEN rnd(line_idx, seq, 'term') < {P.TERM_24_SHARE} THEN 24 ELSE 12 END
                AS term_months
        FROM starts
    )
    SELECT line_idx, seq, start_date, is_subsidy, term_months,
        CASE WHEN is_subsidy THEN {subsidy} END AS subsidy_krw,
        CASE WHEN NOT is_subsidy THEN {monthly} END AS monthly_discount_krw
    FROM typed
    """


def agreements_sql(src: str) -> str:
    """Agreements (contract columns plus sort keys) of the lines in `src`."""
    return f"""
    SELECT line_idx AS s1, seq AS s2,
        agreement_id(line_idx, seq) AS agreement_id,
        line_id(line_idx) AS line_id,
        CASE WHEN is_subsidy THEN 'device_subsidy' ELSE 'selective_discount' END
            AS agreement_type,
        start_date, term_months, subsidy_krw, monthly_discount_krw
    FROM ({agreement_starts_sql(src)})
    """


COMPONENTS = (
    "subsidy_clawback", "selective_discount_clawback", "bundle_clawback",
    "device_installment", "plan_change_settlement", "monthly_fee",
)


def build_charges(con: duckdb.DuckDBPyConnection) -> int:
    """Penalty charges of every terminating event of a KT postpaid line (table charges_t)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE term_src AS
        SELECT * FROM line_base
        WHERE term_ks IS NOT NULL AND network_code = 1 AND pay_code = 1
        ORDER BY line_idx
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE in_force AS
        SELECT * FROM ({agreement_starts_sql("term_src")}) AS a
        JOIN (SELECT line_idx AS l, kdate(term_ks) AS d FROM term_src) AS t
            ON t.l = a.line_idx AND a.start_date <= t.d
        QUALIFY row_number() OVER (PARTITION BY line_idx ORDER BY start_date DESC, seq DESC) = 1
    """)
    r = "rnd(line_idx, comp, 'amount')"
    disagree = f"""CASE WHEN rnd(line_idx, 0, 'disagree') < {P.BILLING_DISAGREES}
        THEN (CASE WHEN rnd(line_idx, 1, 'disagree') < 0.5 THEN -1 ELSE 1 END)
            * (1000 + rint(line_idx, 2, 'disagree', 4001)) ELSE 0 END"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE charges_raw AS
        WITH base AS (
            SELECT ts.line_idx, ts.profile, ts.term_ks, ts.n_slots, f.start_date, f.term_months,
                f.is_subsidy, f.subsidy_krw, f.monthly_discount_krw, f.d
            FROM term_src AS ts LEFT JOIN in_force AS f ON f.line_idx = ts.line_idx
        ), waivable AS (
            SELECT line_idx, CASE WHEN is_subsidy THEN 1 ELSE 2 END AS comp,
                CASE WHEN is_subsidy
                    THEN subsidy_clawback(start_date, term_months, subsidy_krw, d)
                    ELSE selective_clawback(start_date, term_months, monthly_discount_krw, d)
                    END AS penalty,
                term_ks, n_slots
            FROM base WHERE start_date IS NOT NULL
        ), other AS (
            SELECT line_idx, comp, CASE comp
                    WHEN 3 THEN 10000 + 1000 * CAST(floor({r} * 141) AS BIGINT)
                    WHEN 4 THEN 50000 + 10000 * CAST(floor({r} * 86) AS BIGINT)
                    WHEN 5 THEN 5000 + 100 * CAST(floor({r} * 751) AS BIGINT)
                    ELSE CASE WHEN profile = {P.PROFILE_IOT}
                        THEN 1000 + 100 * CAST(floor({r} * 191) AS BIGINT)
                        ELSE 10000 + 100 * CAST(floor({r} * 801) AS BIGINT) END
                END AS billed, term_ks, n_slots
            FROM base, (SELECT unnest([3, 4, 5, 6]) AS comp)
            WHERE rnd(line_idx, comp, 'has') < CASE comp
                WHEN 3 THEN CASE WHEN profile = {P.PROFILE_AGR} THEN 0.08 ELSE 0 END
                WHEN 4 THEN CASE WHEN profile = {P.PROFILE_AGR} THEN 0.25 ELSE 0 END
                WHEN 5 THEN 0.05 ELSE 0.5 END
        )
        SELECT line_idx, comp,
            CASE WHEN penalty + ({disagree}) >= 1 THEN penalty + ({disagree})
                ELSE penalty + abs({disagree}) END AS billed,
            term_ks, n_slots
        FROM waivable WHERE penalty > 0
        UNION ALL
        SELECT line_idx, comp, billed, term_ks, n_slots FROM other
    """)
    r_pay = "rnd(line_idx, 0, 'paid')"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE charges_t AS
        SELECT line_idx AS s1, comp AS s2,
            'PC' || pad(line_idx, 10) || '-' || comp AS charge_id,
            line_id(line_idx) AS line_id,
            event_id(line_idx, term_seq(n_slots)) AS termination_event_id,
            {sql_list(COMPONENTS)}[comp] AS component,
            billed AS billed_krw,
            CASE WHEN {r_pay} < 0.60 THEN billed
                WHEN {r_pay} < 0.75
                    THEN CAST(floor(billed * (0.1 + 0.8 * rnd(line_idx, 1, 'paid'))) AS BIGINT)
                ELSE 0 END AS paid_krw,
            kdate(term_ks) + CAST(CASE WHEN rnd(line_idx, 0, 'billed_on') < 0.5 THEN 0
                ELSE 1 + rint(line_idx, 1, 'billed_on', 5) END AS INTEGER) AS billed_on
        FROM charges_raw ORDER BY s1, s2
    """)
    con.execute("DROP TABLE charges_raw; DROP TABLE in_force")
    return con.execute("SELECT count(*) FROM charges_t").fetchall()[0][0]
