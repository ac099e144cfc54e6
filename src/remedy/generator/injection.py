"""Contract violations injected on purpose (`--bad-rows RATE`), each with one expected reason.

Bad rows are new rows with fresh keys (prefix `CX`, `LX`, `EVX`, ...) built from a clean
template row per table and then broken in exactly one way, so quarantining one never
cascades onto generated rows. Their parents are generated lines or customers outside the
edge-case catalogue. Exact duplicates copy generated rows byte for byte, half of them into
a separate "redelivery" file (at-least-once delivery across files).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from remedy.contract import KEYS
from remedy.generator import params as P
from remedy.generator.deliveries import arrival_day_sql
from remedy.rules import add_months

REASONS = (
    "null_key", "conflicting_duplicate_key", "missing_required_field", "unknown_code",
    "negative_amount", "paid_exceeds_billed", "invalid_value", "orphan",
    "second_terminating_event",
)


@dataclass(frozen=True)
class Kind:
    """One way of breaking a template row; `variants` rotate over the injected rows."""

    kind: str
    variants: tuple[dict[str, str], ...]
    detail: str
    template: str = "default"

    @property
    def reason(self) -> str:
        return self.kind

    @property
    def versions(self) -> int:
        return 2 if self.kind == "conflicting_duplicate_key" else 1


def _null_key(table: str) -> Kind:
    return Kind("null_key", ({KEYS[table]: "NULL"},), f"{KEYS[table]} is null")


KINDS: dict[str, tuple[Kind, ...]] = {
    "customers": (
        _null_key("customers"),
        Kind("conflicting_duplicate_key", ({"full_name": "person_name(k + 88888888)"},),
             "two versions of the key with different full_name"),
        Kind("missing_required_field", ({"customer_type": "NULL"},), "customer_type is null"),
        Kind("unknown_code", ({"customer_type": "'government'"},), "customer_type 'government'"),
        Kind("invalid_value", ({"birth_date": "CAST(created_at + INTERVAL 11 YEAR AS DATE)"},),
             "birth_date in the future (after created_at)"),
    ),
    "lines": (
        _null_key("lines"),
        Kind("conflicting_duplicate_key",
             ({"msisdn": "'010-0000-' || pad(rint(k, 3, 'bad_msisdn', 10000), 4)"},),
             "two versions of the key with different msisdn"),
        Kind("missing_required_field", ({"network": "NULL"},), "network is null"),
        Kind("unknown_code", ({"line_class": "'satellite'"}, {"payment_type": "'voucher'"}),
             "line_class 'satellite' or payment_type 'voucher'"),
        Kind("invalid_value", ({"mvno_brand": "'hello_mobile'"},),
             "mvno_brand set on a kt line (must be null unless network = mvno)"),
        Kind("orphan", ({"customer_id": "'C8' || pad(k, 9)"},), "customer_id not in customers"),
    ),
    "contract_events": (
        _null_key("contract_events"),
        Kind("conflicting_duplicate_key", ({"event_at": "event_at + INTERVAL 1 DAY"},),
             "two versions of the key with different event_at"),
        Kind("missing_required_field", ({"event_at": "NULL"},), "event_at is null"),
        Kind("unknown_code", ({"event_type": "'teleport'"}, {"channel": "'fax'"},
                              {"event_type": "'port_out'", "port_out_to": "'kddi'"}),
             "event_type 'teleport', channel 'fax' or port_out_to 'kddi' (on a line with no "
             "other terminating event)"),
        Kind("invalid_value", ({"port_out_to": "'skt'"},),
             "port_out_to set on a plan_change (must be null unless port_out)"),
        Kind("orphan", ({"line_id": "'L8' || pad(k, 9)"},), "line_id not in lines"),
        Kind("second_terminating_event", ({},),
             "a termination 1-30 days after the line's terminating event; the first stands",
             template="terminated"),
    ),
    "agreements": (
        _null_key("agreements"),
        Kind("conflicting_duplicate_key", ({"subsidy_krw": "550000"},),
             "two versions of the key with different subsidy_krw"),
        Kind("missing_required_field", ({"start_date": "NULL"},), "start_date is null"),
        Kind("unknown_code", ({"agreement_type": "'loyalty_bundle'"},),
             "agreement_type 'loyalty_bundle'"),
        Kind("negative_amount", ({"subsidy_krw": "-450000"},), "subsidy_krw < 0"),
        Kind("invalid_value", ({"monthly_discount_krw": "12000"},),
             "monthly_discount_krw set on a device_subsidy agreement"),
        Kind("orphan", ({"line_id": "'L8' || pad(k, 9)"},), "line_id not in lines"),
    ),
    "penalty_charges": (
        _null_key("penalty_charges"),
        Kind("conflicting_duplicate_key", ({"billed_krw": "12000", "paid_krw": "12000"},),
             "two versions of the key with different billed_krw/paid_krw"),
        Kind("missing_required_field", ({"billed_krw": "NULL", "paid_krw": "0"},),
             "billed_krw is null"),
        Kind("unknown_code", ({"component": "'late_fee'"},), "component 'late_fee'"),
        Kind("negative_amount", ({"billed_krw": "-12000", "paid_krw": "-12000"},
                                 {"paid_krw": "-500"}),
             "billed_krw and paid_krw < 0, or paid_krw < 0 (never above billed_krw)"),
        Kind("paid_exceeds_billed", ({"paid_krw": "15000"},), "paid_krw 15000 > billed 10000"),
        Kind("orphan", ({"line_id": "'L8' || pad(k, 9)",
                         "termination_event_id": "'EV8' || pad(k, 9)"},
                        {"termination_event_id": "'EV8' || pad(k, 9)"}),
             "line and termination event missing, or only the termination event missing"),
    ),
    "refund_applications": (
        _null_key("refund_applications"),
        Kind("conflicting_duplicate_key", ({"applied_at": "applied_at + INTERVAL 1 HOUR"},),
             "two versions of the key with different applied_at"),
        Kind("missing_required_field", ({"applied_at": "NULL"},), "applied_at is null"),
        Kind("unknown_code", ({"channel": "'kiosk'"},
                              {"account_holder_matches": "false", "holder_exception": "'spouse'"},
                              {"hardship_reason": "'illness'",
                               "hardship_ended_on": "CAST(applied_at + INTERVAL 5 DAY AS DATE)"}),
             "channel 'kiosk', holder_exception 'spouse' or hardship_reason 'illness'"),
        Kind("invalid_value",
             ({"hardship_ended_on": "CAST(applied_at + INTERVAL 12 DAY AS DATE)"},),
             "hardship_ended_on without a hardship_reason"),
    ),
    "roaming_passes": (
        _null_key("roaming_passes"),
        Kind("conflicting_duplicate_key",
             ({"purchased_at": "purchased_at + INTERVAL 2 HOUR"},),
             "two versions of the key with different purchased_at"),
        Kind("missing_required_field", ({"purchased_at": "NULL"},), "purchased_at is null"),
        Kind("invalid_value", ({"base_data_mb": "0"},), "base_data_mb = 0 (must be > 0)"),
        Kind("orphan", ({"line_id": "'L8' || pad(k, 9)"},), "line_id not in lines"),
    ),
    "ott_choices": (
        _null_key("ott_choices"),
        Kind("conflicting_duplicate_key", ({"service": "'disney_plus'"},),
             "two versions of the key with different service"),
        Kind("missing_required_field", ({"chosen_at": "NULL"},), "chosen_at is null"),
        Kind("orphan", ({"line_id": "'L8' || pad(k, 9)"},), "line_id not in lines"),
    ),
    "insurance_applications": (
        _null_key("insurance_applications"),
        Kind("conflicting_duplicate_key", ({"applied_at": "applied_at + INTERVAL 1 DAY"},),
             "two versions of the key with different applied_at"),
        Kind("missing_required_field", ({"applied_at": "NULL"},), "applied_at is null"),
        Kind("orphan", ({"customer_id": "'C8' || pad(k, 9)"},), "customer_id not in customers"),
    ),
}

# Lines whose activated_at disagrees with the activation event: kept, counted (contract).
MISMATCH_KIND = "activated_at_mismatch"


def describe_kinds() -> dict[str, dict[str, dict[str, str | None]]]:
    """Per table and kind: the expected quarantine reason and what exactly is wrong."""
    kinds = {table: {k.kind: {"expected_reason": k.reason, "detail": k.detail} for k in ks}
             for table, ks in KINDS.items()}
    for table in kinds:
        kinds[table]["exact_duplicate"] = {
            "expected_reason": None,
            "detail": "identical row delivered twice (same file or a redelivery file): "
                      "collapsed, not quarantined"}
    kinds["lines"][MISMATCH_KIND] = {
        "expected_reason": None,
        "detail": "activated_at one day after the activation event: the event wins, the line "
                  "is kept and the disagreement counted"}
    return kinds


def _pick(con: duckdb.DuckDBPyConnection, name: str, where: str, n: int, salt: str) -> None:
    """n generated lines chosen by hash (ties impossible: line_idx breaks them)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT row_number() OVER (ORDER BY h, line_idx) - 1 AS k, * EXCLUDE (h)
        FROM (SELECT mix(line_idx, 0, '{salt}') AS h, * FROM line_base
              WHERE {where} ORDER BY h, line_idx LIMIT {n})
    """)


def _templates(plan: P.Plan, domains: dict[str, int]) -> dict[tuple[str, str], str]:
    """Clean template rows: columns k, s1, then the contract columns in order.

    Times are background instants years before the program, or inside its windows: an
    on-time application (wave 2), a pass in the roaming window, an OTT choice after the
    earliest voucher start, an insurance application after the cover starts.
    """
    dates = plan.dates
    hour = 3600
    created = dates.background(5, 5, 5, 10)
    activated = dates.background(3, 2, 2, 10)
    applied = dates.app_open // P.DAY_S * P.DAY_S + 6 * P.DAY_S + 10 * hour
    purchased = P.kst_seconds(add_months(P.kst_moment(dates.roaming_start).date(), 1)) \
        + 10 * hour
    chosen = dates.ott_earliest + 9 * P.DAY_S + 10 * hour
    insured = P.kst_seconds(add_months(P.kst_moment(dates.insurance_start).date(), 1)) \
        + 2 * P.DAY_S + 10 * hour
    individuals = plan.individuals
    return {
        ("customers", "default"): f"""
            SELECT k, rint(k, 0, 'bad_pos', {domains['customers']}) AS s1,
                'CX' || pad(k, 9) AS customer_id, hexkey(k, 7, 'bad_person') AS person_key,
                'individual' AS customer_type, person_name(k + 77777777) AS full_name,
                birth_date(k + 77777777) AS birth_date,
                utc({created} + k * 61) AS created_at
            FROM (SELECT range AS k FROM range({{n}}))""",
        ("lines", "default"): f"""
            SELECT k, rint(k, 0, 'bad_pos', {domains['lines']}) AS s1,
                'LX' || pad(k, 9) AS line_id,
                customer_id(rint(k, 0, 'bad_owner', {individuals})) AS customer_id,
                '010-' || pad(rint(k, 1, 'bad_msisdn', 10000), 4) || '-'
                    || pad(rint(k, 2, 'bad_msisdn', 10000), 4) AS msisdn,
                'kt' AS network, CAST(NULL AS VARCHAR) AS mvno_brand, 'phone' AS line_class,
                'postpaid' AS payment_type,
                utc({activated} + k * 97) AS activated_at
            FROM (SELECT range AS k FROM range({{n}}))""",
        ("contract_events", "default"): """
            SELECT k, line_idx AS s1, 'EVX' || pad(k, 9) AS event_id,
                line_id(line_idx) AS line_id, 'plan_change' AS event_type,
                utc(act_ks + 600 + rint(k, 0, 'bad_at', 3000)) AS event_at, 'web' AS channel,
                CAST(NULL AS VARCHAR) AS port_out_to
            FROM pick_active WHERE k < {n}""",
        ("contract_events", "terminated"): """
            SELECT k, line_idx AS s1, 'EVX' || pad(500000000 + k, 9) AS event_id,
                line_id(line_idx) AS line_id, 'termination' AS event_type,
                utc(term_ks + 86400 * (1 + rint(k, 0, 'bad_second', 30))) AS event_at,
                'store' AS channel, CAST(NULL AS VARCHAR) AS port_out_to
            FROM pick_terminated WHERE k < {n}""",
        ("agreements", "default"): """
            SELECT k, line_idx AS s1, 'AGX' || pad(k, 9) AS agreement_id,
                line_id(line_idx) AS line_id, 'device_subsidy' AS agreement_type,
                kdate(act_ks) AS start_date, 24 AS term_months, 500000 AS subsidy_krw,
                CAST(NULL AS BIGINT) AS monthly_discount_krw
            FROM pick_agr WHERE k < {n}""",
        ("penalty_charges", "default"): """
            SELECT k, line_idx AS s1, 'PCX' || pad(k, 9) AS charge_id,
                line_id(line_idx) AS line_id,
                event_id(line_idx, term_seq(n_slots)) AS termination_event_id,
                'monthly_fee' AS component, 10000 AS billed_krw, 10000 AS paid_krw,
                kdate(term_ks) AS billed_on
            FROM pick_charged WHERE k < {n}""",
        ("refund_applications", "default"): f"""
            SELECT k, rint(k, 0, 'bad_pos', {domains['refund_applications']}) AS s1,
                'RAX' || pad(k, 9) AS application_id, line_id(line_idx) AS line_id,
                'web' AS channel, utc({applied} + k * 7) AS applied_at,
                true AS account_holder_matches, CAST(NULL AS VARCHAR) AS holder_exception,
                CAST(NULL AS VARCHAR) AS hardship_reason,
                CAST(NULL AS DATE) AS hardship_ended_on,
                'tok_' || hexkey(k, 0, 'bad_bank') AS bank_account_token
            FROM pick_waiver WHERE k < {{n}}""",
        ("roaming_passes", "default"): f"""
            SELECT k, line_idx AS s1, 'RPX' || pad(k, 9) AS purchase_id,
                line_id(line_idx) AS line_id, 'RP_ASIA_1GB' AS pass_code,
                1024 AS base_data_mb,
                utc({purchased} + k * 13) AS purchased_at
            FROM pick_active WHERE k < {{n}}""",
        ("ott_choices", "default"): f"""
            SELECT k, line_idx AS s1, 'OCX' || pad(k, 9) AS choice_id,
                line_id(line_idx) AS line_id, 'tving' AS service,
                utc({chosen} + k * 11) AS chosen_at
            FROM pick_active WHERE k < {{n}}""",
        ("insurance_applications", "default"): f"""
            SELECT k, rint(k, 0, 'bad_owner', {individuals}) AS s1,
                'IAX' || pad(k, 9) AS application_id,
                customer_id(rint(k, 0, 'bad_owner', {individuals})) AS customer_id,
                utc({insured} + k * 17) AS applied_at
            FROM (SELECT range AS k FROM range({{n}}))""",
    }


def kind_counts(rate: float, estimated_rows: dict[str, int]) -> dict[str, int]:
    """Rows to inject per kind of each table: about `rate` of the table, at least one each."""
    counts = {}
    for table, kinds in KINDS.items():
        total = round(rate * estimated_rows[table])
        counts[table] = max(1, round(total / (len(kinds) + 1)))
    return counts


def build_bad_rows(con: duckdb.DuckDBPyConnection, plan: P.Plan,
                   columns: dict[str, list[str]], per_kind: dict[str, int],
                   domains: dict[str, int]) -> None:
    """Create `bad_<table>` (kind, reason, version, s1, s2, contract columns)."""
    biggest = max(per_kind[t] * (len(k) + 1) for t, k in KINDS.items()) + 10
    _pick(con, "pick_active", f"""fate = {P.FATE_ACTIVE} AND network_code = 1
        AND seg < {len(P.SEGMENTS)} AND susp26 = 0 AND act_ks < {plan.dates.population_as_of}""",
          biggest, "pick_active")
    _pick(con, "pick_terminated", f"fate IN ({P.FATE_A}, {P.FATE_PRE}, {P.FATE_POST})",
          biggest, "pick_terminated")
    _pick(con, "pick_agr", f"fate = {P.FATE_ACTIVE} AND profile = {P.PROFILE_AGR}",
          biggest, "pick_agr")
    _pick(con, "pick_charged", f"""fate IN ({P.FATE_PRE}, {P.FATE_POST}) AND network_code = 1
        AND pay_code = 1""", biggest, "pick_charged")
    _pick(con, "pick_waiver", f"fate <= {P.FATE_A}", biggest, "pick_waiver")
    templates = _templates(plan, domains)
    for table, kinds in KINDS.items():
        selects, serial = [], 0
        for kind in kinds:
            n = per_kind[table]
            if kind.versions == 2:
                n = max(1, (n + 1) // 2)
            source = templates[(table, kind.template)].format(n=serial + n)
            for version in range(1, kind.versions + 1):
                broken = kind.versions == 1 or version == 2
                selects.append(_kind_select(table, kind, version, broken, source, serial,
                                            serial + n, columns[table]))
            serial += n
        con.execute(f"CREATE OR REPLACE TEMP TABLE bad_{table} AS "
                    + " UNION ALL ".join(selects))


def _kind_select(table: str, kind: Kind, version: int, broken: bool, source: str, lo: int,
                 hi: int, columns: list[str]) -> str:
    """Template rows k in [lo, hi), broken by `kind` unless this is an unbroken version 1.

    `template_day` is the arrival day of the unbroken template (daily deliveries).
    """
    exprs = []
    for column in columns:
        expr = column
        if broken:
            cases = [(i, v[column]) for i, v in enumerate(kind.variants) if column in v]
            if cases and len(kind.variants) == 1:
                expr = cases[0][1]
            elif cases:
                whens = " ".join(f"WHEN k % {len(kind.variants)} = {i} THEN {e}"
                                 for i, e in cases)
                expr = f"CASE {whens} ELSE {column} END"
        exprs.append(f"{expr} AS {column}")
    return f"""
        SELECT '{kind.kind}' AS kind, '{kind.reason}' AS reason,
            {version if kind.versions == 2 else 'NULL'} AS version,
            s1, 1000000 + 2 * k + {version} AS s2, {', '.join(exprs)},
            {arrival_day_sql(table)} AS template_day
        FROM ({source}) WHERE k >= {lo} AND k < {hi}"""


def build_mismatches(con: duckdb.DuckDBPyConnection, plan: P.Plan, n: int) -> None:
    """Shift activated_at of n generated active lines by a day (the event keeps the truth)."""
    _pick(con, "pick_mismatch", f"""fate = {P.FATE_ACTIVE} AND seg < {len(P.SEGMENTS)}
        AND act_ks < {plan.dates.base_cutoff}""", n, "mismatch")
    con.execute("""
        UPDATE line_base SET act_shift = 86400
        WHERE line_idx IN (SELECT line_idx FROM pick_mismatch)
    """)


def build_duplicates(con: duckdb.DuckDBPyConnection, table: str, generated: str, n: int) -> None:
    """Create `dup_<table>`: exact copies of n generated rows, at most one per s1.

    `generated` is SQL yielding s1, s2 and the contract columns of some generated rows;
    every second copy is flagged `redelivery` (written to a file of its own).
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dup_{table} AS
        SELECT *, row_number() OVER (ORDER BY s1, s2) % 2 = 0 AS redelivery
        FROM (
            SELECT * FROM ({generated})
            QUALIFY row_number() OVER (PARTITION BY s1 ORDER BY mix(s1, s2, 'dup_one')) = 1
            ORDER BY mix(s1, 0, 'dup_{table}'), s1 LIMIT {n}
        )
    """)
