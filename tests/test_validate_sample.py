"""A small, hand-made warehouse that satisfies every published-mart rule, built without dbt.

The checks (GX suites, reconciliation, extract) read the published database only, so their
tests build exactly what it holds, as a build lays it out: the published file with the marts,
dimensions and reports in `main` and the seeds (and the program's staging views) in
`program`; beside it the restricted file (`<stem>.restricted.duckdb`) with the two private
relations rpt_reconciliation's SQL reads (tests render that model against both); and a
landing directory (`<stem>-raw/`) whose Parquet files hold as many rows as the delivery log
says, for the raw-row recount. Tests copy the files and corrupt one row to prove each check
can fail.

The story (program kt_2025_12):
- L01..L04, L10: eligible (waves 1, 2, 3; not applied; late -> manual review)
- L05 mvno, L06 iot, L07 prepaid, L08 forced termination: excluded; L09 eligible, no penalty
- L11, L12 (KT phones), L13 (iot, business), L14 (mvno), L15 (prepaid): still in service
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from remedy.settings import PROJECT_DIR, restricted_path

D = dt.date
T = dt.datetime

SOURCE_TABLES = [
    "customers", "lines", "contract_events", "agreements", "penalty_charges",
    "refund_applications", "roaming_passes", "ott_choices", "insurance_applications",
]

CUSTOMERS = [
    # customer_id, person_key, customer_type, full_name, birth_date
    ("C1", "P1", "individual", "김민준", D(1950, 5, 5)),
    ("C2", "P2", "individual", "이서연", D(1990, 1, 1)),
    ("C3", "P3", "business", "주식회사 가나", None),
    ("C4", "P4", "individual", "박지호", D(1961, 1, 13)),
    ("C5", "P5", "individual", "최유진", D(1980, 7, 7)),
]

# line_id, customer_id, network, line_class, payment_type, activated_at_kst,
# termination_type, terminated_at_kst
LINES = [
    ("L01", "C1", "kt", "phone", "postpaid", T(2023, 1, 1, 9), "termination",
     T(2025, 10, 10, 10)),
    ("L02", "C2", "kt", "phone", "postpaid", T(2023, 2, 1, 9), "port_out",
     T(2025, 12, 31, 23, 59, 59)),
    ("L03", "C2", "kt", "tablet", "postpaid", T(2023, 3, 1, 9), "termination",
     T(2026, 1, 13, 12)),
    ("L04", "C1", "kt", "phone", "postpaid", T(2023, 4, 1, 9), "termination",
     T(2025, 11, 1, 10)),
    ("L05", "C5", "mvno", "phone", "postpaid", T(2023, 5, 1, 9), "port_out",
     T(2025, 10, 1, 10)),
    ("L06", "C3", "kt", "iot", "postpaid", T(2023, 6, 1, 9), "termination",
     T(2025, 10, 5, 10)),
    ("L07", "C2", "kt", "phone", "prepaid", T(2023, 7, 1, 9), "termination",
     T(2025, 10, 6, 10)),
    ("L08", "C1", "kt", "phone", "postpaid", T(2023, 8, 1, 9), "forced_termination",
     T(2025, 10, 7, 10)),
    ("L09", "C4", "kt", "phone", "postpaid", T(2023, 9, 1, 9), "termination",
     T(2025, 9, 1, 0)),
    ("L10", "C4", "kt", "phone", "postpaid", T(2023, 10, 1, 9), "termination",
     T(2025, 12, 1, 10)),
    ("L11", "C1", "kt", "phone", "postpaid", T(2024, 1, 1, 9), None, None),
    ("L12", "C4", "kt", "phone", "postpaid", T(2023, 5, 5, 9), None, None),
    ("L13", "C3", "kt", "iot", "postpaid", T(2022, 1, 1, 9), None, None),
    ("L14", "C5", "mvno", "phone", "postpaid", T(2022, 1, 1, 9), None, None),
    ("L15", "C2", "kt", "phone", "prepaid", T(2025, 1, 1, 9), None, None),
]

# line_id, waiver_status, exclusion_reasons, waivable_billed_krw, waivable_paid_krw
ELIGIBILITY = [
    ("L01", "eligible", [], 300_000, 300_000),
    ("L02", "eligible", [], 200_000, 150_000),
    ("L03", "eligible", [], 100_000, 0),
    ("L04", "eligible", [], 50_000, 50_000),
    ("L05", "excluded", ["mvno"], 0, 0),
    ("L06", "excluded", ["iot_or_special"], 10_000, 10_000),
    ("L07", "excluded", ["prepaid"], 0, 0),
    ("L08", "excluded", ["forced_termination"], 20_000, 20_000),
    ("L09", "eligible_no_penalty", [], 0, 0),
    ("L10", "eligible", [], 80_000, 80_000),
]

# agreement_id, line_id, agreement_type, start_date, term_months, subsidy, monthly_discount.
# Every waiver line is terminated inside its grace period, so billing = the whole subsidy.
AGREEMENTS = [
    ("AG01", "L01", "device_subsidy", D(2025, 8, 1), 24, 300_000, None),
    ("AG02", "L02", "device_subsidy", D(2025, 8, 20), 24, 200_000, None),
    ("AG03", "L03", "device_subsidy", D(2025, 8, 1), 24, 100_000, None),
    ("AG04", "L04", "device_subsidy", D(2025, 8, 15), 24, 50_000, None),
    ("AG10", "L10", "device_subsidy", D(2025, 8, 1), 24, 80_000, None),
    ("AG11", "L11", "selective_discount", D(2025, 6, 1), 24, None, 17_250),
]

# application_id, line_id, applied_at_kst, channel, outcome
OUTCOMES = [
    ("A01", "L01", T(2026, 1, 15, 10), "web", "accepted"),
    ("A02", "L02", T(2026, 1, 20, 11), "call_center", "accepted"),
    ("A03", "L03", T(2026, 1, 25, 12), "store", "accepted"),
    ("A04", "L10", T(2026, 2, 5, 9), "web", "manual_review"),
    ("A05", "L01", T(2026, 1, 16, 10), "web", "duplicate"),
    ("A06", "L04", T(2026, 1, 10, 10), "web", "before_window"),
    ("A07", "L05", T(2026, 1, 15, 10), "web", "not_eligible"),
    ("A08", "LXX", T(2026, 1, 15, 10), "web", "unknown_line"),
]

# line_id, application_id, channel, applied_at_kst, status, review_reason, wave, payout,
# refund_krw, cancel_krw
ASSIGNMENTS = [
    ("L01", "A01", "web", T(2026, 1, 15, 10), "scheduled", None, 1, D(2026, 1, 22),
     300_000, 0),
    ("L02", "A02", "call_center", T(2026, 1, 20, 11), "scheduled", None, 2, D(2026, 2, 5),
     150_000, 50_000),
    ("L03", "A03", "store", T(2026, 1, 25, 12), "scheduled", None, 3, D(2026, 2, 19),
     0, 100_000),
    ("L04", None, None, None, "not_applied", None, None, None, 50_000, 0),
    ("L10", "A04", "web", T(2026, 2, 5, 9), "manual_review", "late_application", None,
     None, 80_000, 0),
]

NOTICES = [("L04", 1, D(2026, 2, 9)), ("L04", 2, D(2026, 2, 23)), ("L04", 3, D(2026, 3, 9))]

# line_id, would_be_eligible, exclusion_reason, agreement_id, subsidy, selective
LOOKUP = [
    ("L03", True, None, "AG03", 100_000, 0),
    ("L11", True, None, "AG11", 0, 120_000),
    ("L12", True, None, None, 0, 0),
    ("L13", False, "iot_or_special", None, 0, 0),
    ("L15", False, "prepaid", None, 0, 0),
]


def _entitlements() -> list[tuple]:
    rows = []
    for line_id, customer_id in (("L11", "C1"), ("L12", "C4")):
        for month in range(2, 8):
            start = D(2026, month, 1)
            end = D(2026, month + 1, 1) - dt.timedelta(days=1)
            rows.append((f"E-data-{line_id}-{month}", "data_bonus", line_id, customer_id,
                         start, end, 100, "GB", None))
    rows += [
        ("E-roam-1", "roaming_bonus", "L11", "C1", D(2026, 3, 10), D(2026, 3, 10), 1500,
         "MB", "RP001"),
        ("E-ott-1", "ott_voucher", "L11", "C1", D(2026, 2, 1), D(2026, 7, 31), 1, "voucher",
         "tving"),
        ("E-mem-L11", "membership_discount", "L11", "C1", D(2026, 2, 1), D(2026, 7, 31), 1,
         "membership", None),
        ("E-mem-L12", "membership_discount", "L12", "C4", D(2026, 2, 1), D(2026, 7, 31), 1,
         "membership", None),
        ("E-mem-L15", "membership_discount", "L15", "C2", D(2026, 2, 1), D(2026, 7, 31), 1,
         "membership", None),
        ("E-ins-C1", "safety_insurance", None, "C1", D(2026, 2, 1), D(2028, 1, 31), 1,
         "policy", "auto"),
        ("E-ins-C4", "safety_insurance", None, "C4", D(2026, 2, 1), D(2028, 1, 31), 1,
         "policy", "auto"),
        ("E-ins-C2", "safety_insurance", None, "C2", D(2026, 3, 1), D(2028, 2, 29), 1,
         "policy", "application"),
    ]
    return rows


W2_RULES = {"mvno": "W2.1", "iot_or_special": "W2.2", "prepaid": "W2.3",
            "forced_termination": "W2.4"}


def _determinations() -> list[tuple]:
    """fct_waiver_determinations (the columns the checks read): one row per waiver line."""
    lines = {row[0]: row for row in LINES}
    assignments = {row[0]: row for row in ASSIGNMENTS}
    reminders: dict[str, list[dt.date]] = {}
    for line_id, _, notice_date in NOTICES:
        reminders.setdefault(line_id, []).append(notice_date)
    agreements = {row[1]: row for row in AGREEMENTS}
    rows = []
    for line_id, status, reasons, billed, paid in ELIGIBILITY:
        line = lines[line_id]
        assignment = assignments.get(line_id)
        agreement = agreements.get(line_id)
        in_force = ((agreement[0], agreement[2], agreement[3], agreement[4], agreement[5],
                     agreement[6]) if agreement else (None,) * 6)
        decided = W2_RULES[reasons[0]] if reasons else "W4"
        trace = [{"rule_id": "W1", "outcome": "in_waiver_population",
                  "detail": f"termination_type={line[6]}; terminated_at_kst={line[7]}"}]
        trace += [{"rule_id": rule, "outcome": "applies" if reason in reasons
                   else "does_not_apply", "detail": ""} for reason, rule in W2_RULES.items()]
        trace.append({"rule_id": "W4", "outcome": "not_applicable" if reasons else status,
                      "detail": f"waivable_billed_krw={billed}; waivable_paid_krw={paid}"})
        if assignment is None:
            rows.append((line_id, line[1], line[6], line[7].date(), status,
                         reasons[0] if reasons else None, reasons, decided, None, None, None,
                         None, None, None, billed, paid, None, None, None, None, trace,
                         *in_force))
            continue
        _, application_id, _, _, assignment_status, review, wave, payout, refund, cancel = \
            assignment
        by = {"scheduled": "A5", "not_applied": "A6"}.get(
            assignment_status, "A3" if review == "account_holder_mismatch" else "A4")
        state = {"scheduled": "refund_scheduled", "manual_review": "manual_review"}.get(
            assignment_status, "unclaimed" if refund > 0 else "nothing_to_refund")
        trace.append({"rule_id": by, "outcome": review or assignment_status, "detail": ""})
        trace.append({"rule_id": "A7", "outcome": state,
                      "detail": f"refund_krw={refund}; cancel_krw={cancel}"})
        rows.append((line_id, line[1], line[6], line[7].date(), status, None, reasons, decided,
                     assignment_status, review, by, state, wave, payout, billed, paid, refund,
                     cancel, len(reminders.get(line_id, [])), None, trace, *in_force))
    return rows


# Reward requests: roaming passes (purchase_id, line_id, purchase day, pass_code), OTT choices
# (choice_id, line_id, service) and insurance applications (application_id, customer_id); the
# first of each is granted (an entitlement), the others turned down.
ROAMING_PASSES = [("RP001", "L11", D(2026, 3, 10), "pass-3gb"),
                  ("RP002", "L13", D(2026, 3, 12), "pass-1gb")]
OTT_CHOICES = [("OC1", "L11", "tving"), ("OC2", "L12", "netflix")]
INSURANCE_APPLICATIONS = [("IA1", "C2"), ("IA2", "C3"), ("IA3", "C5")]


def _reward_determinations() -> list[tuple]:
    """fct_reward_determinations: what granted nothing - a pass of an iot line, a choice of
    another service, the applications of a business customer and of a customer without a
    population line."""
    return [
        ("roaming_bonus|L13|RP002", "R3", "roaming_bonus", "L13", "C3", None, "RP002", False,
         "iot_or_special", D(2026, 3, 12), D(2026, 3, 12), "pass-1gb", T(2026, 3, 12, 10)),
        ("ott_voucher|L12|OC2", "R4", "ott_voucher", "L12", "C4", None, "OC2", False,
         "unknown_service", None, None, "netflix", T(2026, 2, 3, 10)),
        ("safety_insurance|C3|IA2", "R6", "safety_insurance", None, "C3", None, "IA2", False,
         "business_customer", None, None, None, T(2026, 2, 10, 10)),
        ("safety_insurance|C5|IA3", "R6", "safety_insurance", None, "C5", None, "IA3", False,
         "no_population_line", None, None, None, T(2026, 2, 11, 10)),
    ]


REWARD_AS_OF = T(2026, 1, 14)


def _completed_years(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age_band(age: int | None) -> str | None:
    if age is None:
        return None
    if age < 20:
        return "under_20"
    if age < 60:
        return f"{age // 10 * 10}s"
    return "60_to_64" if age < 65 else "65_and_over"


def _dim_customers() -> list[tuple]:
    rows = []
    for customer_id, person_key, customer_type, _, birth_date in CUSTOMERS:
        age = _completed_years(birth_date, D(2026, 1, 13))
        rows.append((customer_id, customer_type, _age_band(age),
                     None if age is None else age >= 65, person_key is not None))
    return rows


def _population_reason(network: str, activated: dt.datetime,
                       terminated: dt.datetime | None) -> str:
    if network != "kt":
        return "mvno"
    if activated >= REWARD_AS_OF:
        return "activated_after_population_instant"
    if terminated is not None and terminated < REWARD_AS_OF:
        return "terminated_before_population_instant"
    return "in_population"


def _dim_lines() -> list[tuple]:
    customers = {row[0]: row for row in _dim_customers()}
    rows = []
    for (line_id, customer_id, network, line_class, payment, activated, termination_type,
         terminated) in LINES:
        reason = _population_reason(network, activated, terminated)
        rows.append((
            line_id, customer_id, customers[customer_id][1], network,
            "brand" if network == "mvno" else None, line_class, payment, f"EV-{line_id}-1",
            f"EV-{line_id}-2" if termination_type else None, termination_type, None, None,
            None, customers[customer_id][2], network == "kt", line_class in ("iot", "special"),
            payment == "prepaid", False, reason == "in_population", reason, REWARD_AS_OF,
            activated.date(), terminated.date() if terminated else None, activated, 0,
            activated, 0, terminated, 0 if terminated else None, None, None, None, None,
        ))
    return rows


# Per landing table: (accepted, collapsed duplicate copies, quarantined) rows. Accepted rows
# are the published rows where a mart holds one per record.
def _source_counts() -> dict[str, tuple[int, int, int]]:
    return {
        "customers": (len(CUSTOMERS), 1, 1),
        "lines": (len(LINES), 2, 1),
        "contract_events": (len(_contract_events()), 2, 1),
        "agreements": (len(AGREEMENTS), 0, 0),
        "penalty_charges": (5, 1, 0),
        "refund_applications": (len(OUTCOMES), 0, 1),
        "roaming_passes": (len(ROAMING_PASSES), 0, 1),
        "ott_choices": (len(OTT_CHOICES), 1, 0),
        "insurance_applications": (len(INSURANCE_APPLICATIONS), 0, 0),
    }


def landing_dir(path: Path) -> Path:
    """The sample's landing directory (beside the published file)."""
    return path.with_name(f"{path.stem}-raw")


def _write_landing(root: Path) -> None:
    """One Parquet file per table with as many rows as the delivery log says were read (the
    contents do not matter: the reconciliation recounts rows from the footers)."""
    for table, (accepted, collapsed, quarantined) in _source_counts().items():
        folder = root / table
        folder.mkdir(parents=True, exist_ok=True)
        rows = accepted + collapsed + quarantined
        pq.write_table(pa.table({"row_number": pa.array(range(rows), pa.int64())}),
                       folder / "part-0000.parquet")


def _contract_events() -> list[tuple]:
    rows = []
    for line_id, customer_id, *_, activated, termination_type, terminated in LINES:
        rows.append((f"EV-{line_id}-1", line_id, customer_id, "activation", activated))
        if termination_type:
            rows.append((f"EV-{line_id}-2", line_id, customer_id, termination_type, terminated))
    return rows


def _load_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """The seeds as dbt loads them: schema `program`, typed by dbt_project.yml."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    seed_config = project["seeds"]["remedy"]
    con.execute("create schema if not exists program")
    for folder in ("programs", "reference"):
        for path in sorted((PROJECT_DIR / "seeds" / folder).glob("*.csv")):
            types = seed_config[folder][path.stem]["+column_types"]
            columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
            con.execute(
                f"create table program.{path.stem} as select * from read_csv("
                f"'{path}', header = true, columns = {{{columns}}})"
            )


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {table} values ({marks})", rows)


def build_sample_warehouse(path: Path) -> Path:
    """Write the sample warehouse to `path` (a new DuckDB file), its restricted database
    beside it and its landing directory, and return the published path."""
    con = duckdb.connect(str(path))
    try:
        _load_seeds(con)
        _build_published_foundation(con)
        _build_marts(con)
    finally:
        con.close()
    con = duckdb.connect(str(restricted_path(path)))
    try:
        con.execute(f"attach '{path}' as published (read_only)")
        _build_restricted(con)
    finally:
        con.close()
    _write_landing(landing_dir(path))
    return path


def _build_published_foundation(con: duckdb.DuckDBPyConnection) -> None:
    """Dimensions, delivery log and row counts in main; the program's staging views."""
    for name, table, order in (
        ("parameters", "program_parameters", "program_id"),
        ("refund_waves", "program_refund_waves", "refund_wave"),
        ("reminder_dates", "program_reminder_dates", "notice_number"),
        ("data_grants", "program_data_grants", "grant_number"),
        ("ott_services", "program_ott_services", "service"),
    ):
        con.execute(f"create view program.stg_program__{name} as select * from "
                    f"program.{table} where program_id = 'kt_2025_12' order by {order}")
    con.execute("""
        create table main.dim_customers (customer_id varchar, customer_type varchar,
            age_band varchar, is_insurance_auto_age boolean, has_person_key boolean)
    """)
    _insert(con, "main.dim_customers", _dim_customers())
    con.execute("""
        create table main.dim_lines (line_id varchar, customer_id varchar,
            customer_type varchar, network varchar, mvno_brand varchar, line_class varchar,
            payment_type varchar, activation_event_id varchar, termination_event_id varchar,
            termination_type varchar, port_out_to varchar,
            first_device_change_event_id varchar, first_recontract_event_id varchar,
            age_band varchar, is_kt_network boolean, is_iot_or_special boolean,
            is_prepaid boolean, has_activation_mismatch boolean, is_reward_population boolean,
            reward_population_reason varchar, reward_population_as_of_kst timestamp,
            activated_date date, terminated_date date, activated_at_kst timestamp,
            activated_at_nanoseconds smallint, line_activated_at_kst timestamp,
            line_activated_at_nanoseconds smallint, terminated_at_kst timestamp,
            terminated_at_nanoseconds smallint, first_device_change_at_kst timestamp,
            first_device_change_at_nanoseconds smallint, first_recontract_at_kst timestamp,
            first_recontract_at_nanoseconds smallint)
    """)
    _insert(con, "main.dim_lines", _dim_lines())
    counts = _source_counts()
    con.execute("""
        create table main.rpt_source_row_counts (source_table varchar, raw_rows bigint,
            accepted_rows bigint, collapsed_duplicate_rows bigint, quarantined_rows bigint,
            accepted_with_disagreement_rows bigint, files_set_aside bigint)
    """)
    _insert(con, "main.rpt_source_row_counts", [
        (table, accepted + collapsed + quarantined, accepted, collapsed, quarantined, 0, 0)
        for table, (accepted, collapsed, quarantined) in counts.items()
    ])
    con.execute("""
        create table main.rpt_deliveries (source_table varchar, file_path varchar,
            file_status varchar, reason varchar, reason_detail varchar, fix varchar,
            first_seen_build_seq integer, first_seen_invocation_id varchar,
            first_seen_at timestamp, file_size_bytes bigint, rows_read bigint,
            accepted_rows bigint, collapsed_rows bigint, quarantined_rows bigint)
    """)
    _insert(con, "main.rpt_deliveries", [
        (table, f"{table}/part-0000.parquet", "loaded", None, None, None, 1, "sample",
         T(2026, 3, 31), 1000, accepted + collapsed + quarantined, accepted, collapsed,
         quarantined)
        for table, (accepted, collapsed, quarantined) in counts.items()
    ])


def _build_restricted(con: duckdb.DuckDBPyConnection) -> None:
    """The private relations rpt_reconciliation's SQL reads, as the dbt models of the same
    names hold them (the readers under test never open this file)."""
    con.execute("create schema intermediate")
    agreements = ", ".join(f"('{row[1]}', {row[5] or 0})" for row in AGREEMENTS)
    con.execute(f"""
        create table intermediate.int_termination_penalties_compared as
        select
            lines.line_id,
            coalesce(agreements.subsidy_krw, 0) as expected_waivable_penalty_krw,
            coalesce(agreements.subsidy_krw, 0) as waivable_billed_krw
        from published.main.dim_lines as lines
        left join (values {agreements}) as agreements(line_id, subsidy_krw)
            on lines.line_id = agreements.line_id
        where lines.terminated_at_kst is not null and lines.is_kt_network
    """)
    con.execute("""
        create table intermediate.int_reward_population_selected as
        select line_id, customer_id, is_iot_or_special, is_prepaid, activated_at_kst,
            terminated_at_kst
        from published.main.dim_lines
        where is_reward_population
    """)


def _build_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create table main.fct_contract_events (event_id varchar, line_id varchar,
            customer_id varchar, event_type varchar, event_at_kst timestamp, event_date date)
    """)
    _insert(con, "main.fct_contract_events",
            [(*row, row[4].date()) for row in _contract_events()])
    con.execute("""
        create table main.fct_waiver_eligibility (line_id varchar, customer_id varchar,
            termination_event_id varchar, termination_type varchar,
            terminated_at_kst timestamp, waiver_status varchar, exclusion_reason varchar,
            exclusion_reasons varchar[], waivable_billed_krw bigint,
            waivable_paid_krw bigint)
    """)
    lines = {row[0]: row for row in LINES}
    _insert(con, "main.fct_waiver_eligibility", [
        (line_id, lines[line_id][1], f"EV-{line_id}-2", lines[line_id][6], lines[line_id][7],
         status, reasons[0] if reasons else None, reasons, billed, paid)
        for line_id, status, reasons, billed, paid in ELIGIBILITY
    ])
    con.execute("""
        create table main.fct_refund_application_outcomes (application_id varchar,
            line_id varchar, applied_at_kst timestamp, channel varchar, outcome varchar)
    """)
    _insert(con, "main.fct_refund_application_outcomes", OUTCOMES)
    con.execute("alter table main.fct_refund_application_outcomes add column applied_date date")
    con.execute("update main.fct_refund_application_outcomes "
                "set applied_date = cast(applied_at_kst as date)")
    con.execute("""
        create table main.fct_refund_assignments (line_id varchar, application_id varchar,
            channel varchar, applied_at_kst timestamp, assignment_status varchar,
            review_reason varchar, refund_wave integer, payout_date date,
            refund_krw bigint, cancel_krw bigint)
    """)
    _insert(con, "main.fct_refund_assignments", ASSIGNMENTS)
    con.execute("""
        create table main.fct_refund_notices (line_id varchar, notice_number integer,
            notice_date date)
    """)
    _insert(con, "main.fct_refund_notices", NOTICES)
    con.execute("""
        create table main.fct_penalty_lookup (line_id varchar, as_of_date date,
            would_be_eligible boolean, exclusion_reason varchar, agreement_id varchar,
            expected_subsidy_clawback_krw bigint,
            expected_selective_discount_clawback_krw bigint,
            expected_waivable_penalty_krw bigint)
    """)
    _insert(con, "main.fct_penalty_lookup", [
        (line_id, D(2025, 12, 31), eligible, reason, agreement, subsidy, selective,
         subsidy + selective)
        for line_id, eligible, reason, agreement, subsidy, selective in LOOKUP
    ])
    con.execute("""
        create table main.fct_reward_entitlements (entitlement_id varchar, benefit varchar,
            line_id varchar, customer_id varchar, period_start date, period_end date,
            quantity bigint, unit varchar, detail varchar)
    """)
    _insert(con, "main.fct_reward_entitlements", _entitlements())
    con.execute("""
        create table main.fct_waiver_determinations (line_id varchar, customer_id varchar,
            termination_type varchar, terminated_date date, waiver_status varchar,
            exclusion_reason varchar, exclusion_reasons varchar[], waiver_decided_by varchar,
            assignment_status varchar, review_reason varchar, assignment_decided_by varchar,
            remediation_state varchar, refund_wave integer, payout_date date,
            waivable_billed_krw bigint, waivable_paid_krw bigint, refund_krw bigint,
            cancel_krw bigint, reminders_sent bigint, rejoined_line_id varchar,
            rule_trace struct(rule_id varchar, outcome varchar, detail varchar)[],
            agreement_id varchar, agreement_type varchar, agreement_start_date date,
            term_months integer, subsidy_krw bigint, monthly_discount_krw bigint)
    """)
    _insert(con, "main.fct_waiver_determinations", _determinations())
    con.execute("""
        create table main.fct_unclaimed_refunds (line_id varchar, customer_id varchar,
            termination_type varchar, refund_krw bigint, cancel_krw bigint,
            reminders_sent bigint, before_window_applications bigint,
            is_window_closed boolean, reminder_dates date[], last_reminder_date date,
            terminated_date date, application_window_end_kst timestamp,
            data_as_of_kst timestamp)
    """)
    _insert(con, "main.fct_unclaimed_refunds", [
        ("L04", "C1", "termination", 50_000, 0, 3, 1, True,
         [row[2] for row in NOTICES if row[0] == "L04"], D(2026, 3, 9), D(2025, 11, 1),
         T(2026, 1, 31, 22), T(2026, 2, 5, 9)),
    ])
    con.execute("""
        create table main.fct_reward_determinations (determination_id varchar,
            rule_id varchar, benefit varchar, line_id varchar, customer_id varchar,
            grant_number integer, request_id varchar, is_granted boolean, reason varchar,
            period_start date, period_end date, detail varchar, checked_at_kst timestamp)
    """)
    _insert(con, "main.fct_reward_determinations", _reward_determinations())


def copy_warehouse(source: Path, target: Path) -> Path:
    """A copy of the published file and of its restricted database, and a link to the
    landing directory (read only, never changed by a test)."""
    shutil.copyfile(source, target)
    if restricted_path(source).exists():
        shutil.copyfile(restricted_path(source), restricted_path(target))
    if landing_dir(source).is_dir() and not landing_dir(target).exists():
        landing_dir(target).symlink_to(landing_dir(source).resolve(), target_is_directory=True)
    return target


def test_sample_warehouse_has_every_published_mart(tmp_path: Path) -> None:
    path = build_sample_warehouse(tmp_path / "sample.duckdb")
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()}
        assert {"fct_contract_events", "fct_waiver_eligibility", "fct_refund_assignments",
                "fct_refund_application_outcomes", "fct_refund_notices", "fct_penalty_lookup",
                "fct_reward_entitlements", "rpt_source_row_counts"} <= tables
        waves = con.execute(
            "select count(*) from program.program_refund_waves where program_id = 'kt_2025_12'"
        ).fetchone()
        assert waves == (3,)
