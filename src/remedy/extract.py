"""`remedy extract` and `remedy verify-extract`: the regulator package.

A package is one folder per run, `<program>_asof-<date>_<UTC timestamp>[_DEVELOPMENT-NOT-FOR-
SUBMISSION]`, holding every table as CSV (UTF-8 with BOM), XLSX and Parquet, a manifest.json
and a SHA256SUMS file that `sha256sum -c` accepts.

- Data files are reproducible: the same warehouse and secret give byte-identical files (rows
  in a fixed order, fixed XLSX and zip timestamps, no run-specific value inside). Everything
  that differs between runs (generation time, git commit, dbt invocation) lives only in
  manifest.json; its `content_sha256` fingerprints the data files alone, so two runs can be
  compared with one value.
- Identifiers are keyed pseudonyms (remedy.pseudonymise); no PII column is ever selected.
- The package is written into a hidden temporary folder next to the target and renamed at the
  end: a failed run leaves nothing behind.
- The manifest is signed (Ed25519, `manifest.json.sig`, remedy.signing) and records, for every
  table, a format-independent digest of its rows (`rows_sha256`) and its control totals; the
  database it was extracted from is identified by a fingerprint and the dbt build recorded in
  the database itself (`main.rpt_builds`). `verify-extract` checks the signature, every
  checksum, and that the CSV, XLSX and Parquet copies of each table hold the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl.utils.datetime import from_excel, to_excel

from remedy.contract import PII_COLUMNS
from remedy.program import Program, jsonable, load_program
from remedy.provenance import (
    Provenance,
    latest_build,
    read_provenance,
    relation_checksums,
)
from remedy.pseudonymise import DEVELOPMENT_KEY, Pseudonymiser
from remedy.published import open_published, relation_exists
from remedy.settings import PROJECT_DIR
from remedy.signing import (
    ALGORITHM,
    DEVELOPMENT_FINGERPRINT,
    Signer,
    SigningKeyError,
    development_signer,
    fingerprint,
    load_public_key,
    public_key_pem,
    require_distinct,
    verify,
)

DEVELOPMENT_MARK = "DEVELOPMENT - NOT FOR SUBMISSION"
DEVELOPMENT_TAG = "DEVELOPMENT-NOT-FOR-SUBMISSION"
FORMATS = ("csv", "xlsx", "parquet")
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
PUBLIC_KEY = "signing-public-key.pem"
CHECKSUMS = "SHA256SUMS"
SUBMISSION_MARK = "FOR SUBMISSION"
FIXED_TIME = dt.datetime(2000, 1, 1)
XLSX_MAX_ROWS = 1_048_575
ARROW_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


@dataclass(frozen=True)
class TableSpec:
    """One table of the package: a select from its contracted `rpt_regulator__` model (the
    figures are defined in dbt, once) and its typed columns."""

    name: str
    description: str
    sql: str
    columns: tuple[tuple[str, str], ...]
    totals: tuple[str, ...]
    pseudonymise: tuple[tuple[str, str], ...] = ()
    sort_by: tuple[str, ...] = ()
    # A table that cannot be one query (the audit sample ranks pseudonyms): builds the rows.
    fetch: Callable[[Any, TableSpec, Pseudonymiser], pa.Table] | None = None


# --- issue 11: remediation status, unclaimed register, audit sample of determinations ---

AUDIT_SAMPLE_PER_STRATUM = 10
AUDIT_SAMPLE_RECIPE = (
    "Recompute from waiver_population_register: seed = SHA-256 hex of the register's "
    "line_pseudonym values sorted ascending and joined by LF (UTF-8); per stratum "
    "(waiver_status, assignment_status) rank every line by sample_key = HMAC-SHA256(key = "
    "the seed's hex text, message = line_pseudonym) hex, ascending, and keep the first "
    f"{AUDIT_SAMPLE_PER_STRATUM}."
)
REGISTER_SQL = """
    select line_id, waiver_status, assignment_status
    from main.rpt_regulator__waiver_population_register
"""
AUDIT_COLUMNS = (
    ("waiver_status", "string"), ("assignment_status", "string"), ("sample_rank", "int64"),
    ("sample_key", "string"), ("sample_seed", "string"), ("line_pseudonym", "string"),
    ("customer_pseudonym", "string"), ("termination_type", "string"),
    ("terminated_date", "date"), ("exclusion_reasons", "string"),
    ("waiver_decided_by", "string"), ("review_reason", "string"),
    ("assignment_decided_by", "string"), ("remediation_state", "string"),
    ("refund_wave", "int64"), ("payout_date", "date"), ("waivable_billed_krw", "int64"),
    ("waivable_paid_krw", "int64"), ("refund_krw", "int64"), ("cancel_krw", "int64"),
    ("reminders_sent", "int64"), ("rejoined_line_pseudonym", "string"),
    ("rule_trace", "string"),
)


def audit_sample_seed(pseudonyms: Iterable[str]) -> str:
    """The sampling seed: SHA-256 over the sorted pseudonyms of the population, so it is
    fixed by the data (nobody picks it) and anyone holding the register recomputes it."""
    return hashlib.sha256("\n".join(sorted(pseudonyms)).encode()).hexdigest()


def audit_sample_key(seed: str, pseudonym: str) -> str:
    """The rank of a line inside its stratum: HMAC-SHA256 keyed by the seed."""
    return hmac.new(seed.encode(), pseudonym.encode(), hashlib.sha256).hexdigest()


def choose_audit_sample(
    register: Iterable[tuple[str, str, str]], per_stratum: int = AUDIT_SAMPLE_PER_STRATUM,
) -> tuple[str, list[tuple[str, str, int, str, str]]]:
    """The seed and the chosen (waiver_status, assignment_status, rank, sample_key,
    line_pseudonym) from (line_pseudonym, waiver_status, assignment_status) rows."""
    register = list(register)
    seed = audit_sample_seed(pseudonym for pseudonym, _, _ in register)
    strata: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for pseudonym, waiver_status, assignment_status in register:
        strata.setdefault((waiver_status, assignment_status), []).append(
            (audit_sample_key(seed, pseudonym), pseudonym))
    chosen = []
    for (waiver_status, assignment_status), members in sorted(strata.items()):
        for rank, (key, pseudonym) in enumerate(sorted(members)[:per_stratum], start=1):
            chosen.append((waiver_status, assignment_status, rank, key, pseudonym))
    return seed, chosen


def fetch_audit_sample(con: Any, spec: TableSpec, pseudonymiser: Pseudonymiser) -> pa.Table:
    """The audit sample: every determination column a regulator needs to re-check a line,
    with its full rule trace (JSON; trace details carry no identifiers)."""
    by_pseudonym = {}
    register = []
    for line_id, waiver_status, assignment_status in con.execute(REGISTER_SQL).fetchall():
        pseudonym = pseudonymiser.pseudonym("line", line_id)
        by_pseudonym[pseudonym] = line_id
        register.append((pseudonym, waiver_status, assignment_status))
    seed, chosen = choose_audit_sample(register)
    line_ids = [by_pseudonym[pseudonym] for *_, pseudonym in chosen]
    cursor = con.execute("""
        select line_id, customer_id, termination_type, terminated_date, exclusion_reasons,
            waiver_decided_by, review_reason, assignment_decided_by, remediation_state,
            refund_wave, payout_date, waivable_billed_krw, waivable_paid_krw, refund_krw,
            cancel_krw, reminders_sent, rejoined_line_id, rule_trace
        from main.fct_waiver_determinations
        where list_contains(?, line_id)
    """, [line_ids])
    names = [column[0] for column in cursor.description]
    details = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    rows = []
    for waiver_status, assignment_status, rank, key, pseudonym in chosen:
        line = details[by_pseudonym[pseudonym]]
        rows.append({
            "waiver_status": waiver_status, "assignment_status": assignment_status,
            "sample_rank": rank, "sample_key": key, "sample_seed": seed,
            "line_pseudonym": pseudonym,
            "customer_pseudonym": pseudonymiser.pseudonym("customer", line["customer_id"]),
            "exclusion_reasons": json.dumps(list(line["exclusion_reasons"] or [])),
            "rejoined_line_pseudonym": pseudonymiser.pseudonym(
                "line", line["rejoined_line_id"]),
            "rule_trace": json.dumps(
                [dict(step) for step in line["rule_trace"] or []], ensure_ascii=False),
            **{name: line[name] for name in (
                "termination_type", "terminated_date", "waiver_decided_by", "review_reason",
                "assignment_decided_by", "remediation_state", "refund_wave", "payout_date",
                "waivable_billed_krw", "waivable_paid_krw", "refund_krw", "cancel_krw",
                "reminders_sent")},
        })
    return pa.table({name: pa.array([row[name] for row in rows], ARROW_TYPES[kind])
                     for name, kind in spec.columns})


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        name="waiver_population_by_status_and_reason",
        description="W1-W4: waiver population by status and first exclusion reason",
        sql="""
            select waiver_status, exclusion_reason, lines, waivable_billed_krw,
                waivable_paid_krw
            from main.rpt_regulator__waiver_population_by_status_and_reason
            order by 1 nulls first, 2 nulls first
        """,
        columns=(("waiver_status", "string"), ("exclusion_reason", "string"),
                 ("lines", "int64"), ("waivable_billed_krw", "int64"),
                 ("waivable_paid_krw", "int64")),
        totals=("lines", "waivable_billed_krw", "waivable_paid_krw"),
    ),
    TableSpec(
        name="refunds_by_wave_and_channel",
        description="A1-A7: eligible lines by assignment status, refund wave and channel",
        sql="""
            select assignment_status, refund_wave, payout_date, channel, review_reason,
                lines, refund_krw, cancel_krw
            from main.rpt_regulator__refunds_by_wave_and_channel
            order by 1 nulls first, 2 nulls first, 3 nulls first, 4 nulls first,
                5 nulls first
        """,
        columns=(("assignment_status", "string"), ("refund_wave", "int64"),
                 ("payout_date", "date"), ("channel", "string"), ("review_reason", "string"),
                 ("lines", "int64"), ("refund_krw", "int64"), ("cancel_krw", "int64")),
        totals=("lines", "refund_krw", "cancel_krw"),
    ),
    TableSpec(
        name="refund_notices_by_date",
        description="N2: reminder notices by number and date",
        sql="""
            select notice_number, notice_date, lines
            from main.rpt_regulator__refund_notices_by_date
            order by 1 nulls first, 2 nulls first
        """,
        columns=(("notice_number", "int64"), ("notice_date", "date"), ("lines", "int64")),
        totals=("lines",),
    ),
    TableSpec(
        name="rewards_by_benefit_and_month",
        description="R1-R6: reward entitlements by benefit and month of the period start",
        sql="""
            select benefit, month, unit, entitlements, total_quantity
            from main.rpt_regulator__rewards_by_benefit_and_month
            order by 1 nulls first, 2 nulls first, 3 nulls first
        """,
        columns=(("benefit", "string"), ("month", "string"), ("unit", "string"),
                 ("entitlements", "int64"), ("total_quantity", "int64")),
        totals=("entitlements", "total_quantity"),
    ),
    TableSpec(
        name="refund_assignments_detail",
        description="A1-A7: one row per eligible line (pseudonymised identifiers)",
        sql="""
            select line_id as line_pseudonym, customer_id as customer_pseudonym,
                application_id as application_pseudonym, termination_type,
                terminated_date, channel, applied_at_kst, assignment_status, review_reason,
                refund_wave, payout_date, refund_krw, cancel_krw
            from main.rpt_regulator__refund_assignments_detail
        """,
        columns=(("line_pseudonym", "string"), ("customer_pseudonym", "string"),
                 ("application_pseudonym", "string"), ("termination_type", "string"),
                 ("terminated_date", "date"), ("channel", "string"),
                 ("applied_at_kst", "timestamp"), ("assignment_status", "string"),
                 ("review_reason", "string"), ("refund_wave", "int64"),
                 ("payout_date", "date"), ("refund_krw", "int64"), ("cancel_krw", "int64")),
        totals=("refund_krw", "cancel_krw"),
        pseudonymise=(("line_pseudonym", "line"), ("customer_pseudonym", "customer"),
                      ("application_pseudonym", "application")),
        sort_by=("line_pseudonym",),
    ),
    TableSpec(
        name="remediation_status_by_state",
        description=(
            "Issue 11 (A5-A7, N2): where every waiver-population line ends up - eligible "
            "lines refunded in a wave (refund_scheduled), held in manual review (with the "
            "reason), unclaimed (owed, no payable application) or nothing_to_refund; "
            "eligible_no_penalty and excluded lines under remediation_state 'none'. "
            "Waivable paid of eligible lines = refund_krw of refund_scheduled + "
            "manual_review + unclaimed."
        ),
        sql="""
            select waiver_status, remediation_state, review_reason, lines,
                waivable_billed_krw, waivable_paid_krw, refund_krw, cancel_krw
            from main.rpt_regulator__remediation_status_by_state
            order by 1 nulls first, 2 nulls first, 3 nulls first
        """,
        columns=(("waiver_status", "string"), ("remediation_state", "string"),
                 ("review_reason", "string"), ("lines", "int64"),
                 ("waivable_billed_krw", "int64"), ("waivable_paid_krw", "int64"),
                 ("refund_krw", "int64"), ("cancel_krw", "int64")),
        totals=("lines", "waivable_billed_krw", "waivable_paid_krw", "refund_krw",
                "cancel_krw"),
    ),
    TableSpec(
        name="unclaimed_refunds_totals",
        description=(
            "Issue 11 (A6, A7, N2): the unclaimed-refund register (eligible lines owed money "
            "with no payable application) by whether the application window had closed by "
            "the latest instant in the data (data_as_of_kst) and by reminders sent."
        ),
        sql="""
            select application_window, reminders_sent, lines, refund_krw, cancel_krw,
                data_as_of_kst
            from main.rpt_regulator__unclaimed_refunds_totals
            order by 1, 2
        """,
        columns=(("application_window", "string"), ("reminders_sent", "int64"),
                 ("lines", "int64"), ("refund_krw", "int64"), ("cancel_krw", "int64"),
                 ("data_as_of_kst", "timestamp")),
        totals=("lines", "refund_krw", "cancel_krw"),
    ),
    TableSpec(
        name="waiver_population_register",
        description=(
            "Issue 11: one row per waiver-population line (pseudonymised) with its waiver "
            "and assignment status ('none' when not eligible): the frame the audit sample "
            "is drawn from, so the sample can be recomputed from the package."
        ),
        sql="""
            select line_id as line_pseudonym, waiver_status, assignment_status
            from main.rpt_regulator__waiver_population_register
        """,
        columns=(("line_pseudonym", "string"), ("waiver_status", "string"),
                 ("assignment_status", "string")),
        totals=(),
        pseudonymise=(("line_pseudonym", "line"),),
        sort_by=("line_pseudonym",),
    ),
    TableSpec(
        name="determination_audit_sample",
        description=(
            "Issue 11: a reproducible audit sample of fct_waiver_determinations, up to "
            f"{AUDIT_SAMPLE_PER_STRATUM} lines per (waiver_status, assignment_status), "
            "with pseudonymised ids and the full rule trace (JSON list of {rule_id, "
            "outcome, detail}). " + AUDIT_SAMPLE_RECIPE
        ),
        sql="",
        columns=AUDIT_COLUMNS,
        totals=("waivable_billed_krw", "waivable_paid_krw", "refund_krw", "cancel_krw"),
        pseudonymise=(("line_pseudonym", "line"), ("customer_pseudonym", "customer"),
                      ("rejoined_line_pseudonym", "line")),
        fetch=fetch_audit_sample,
    ),
)


# Every published relation the package reads (the tables, the audit sample's details and
# the as-of date): the database fingerprint covers exactly these. The figures themselves
# are dbt models (models/reports/regulator/), so the extract only selects and formats.
AS_OF_RELATION = "main.rpt_regulator__as_of"
SOURCE_RELATIONS: tuple[str, ...] = (
    "main.fct_waiver_determinations",
    "main.rpt_regulator__as_of",
    "main.rpt_regulator__refund_assignments_detail",
    "main.rpt_regulator__refund_notices_by_date",
    "main.rpt_regulator__refunds_by_wave_and_channel",
    "main.rpt_regulator__remediation_status_by_state",
    "main.rpt_regulator__rewards_by_benefit_and_month",
    "main.rpt_regulator__unclaimed_refunds_totals",
    "main.rpt_regulator__waiver_population_by_status_and_reason",
    "main.rpt_regulator__waiver_population_register",
)


class ExtractError(RuntimeError):
    """The package cannot be written."""


def _schema(spec: TableSpec) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in spec.columns])


def fetch_table(con: Any, spec: TableSpec, pseudonymiser: Pseudonymiser) -> pa.Table:
    """The spec's rows with identifiers replaced by pseudonyms, in a deterministic order."""
    if spec.fetch is not None:
        return spec.fetch(con, spec, pseudonymiser).cast(_schema(spec))
    cursor = con.execute(spec.sql)
    names = [column[0] for column in cursor.description]
    if names != [name for name, _ in spec.columns]:
        raise ExtractError(f"{spec.name}: query returns {names}")
    rows = cursor.fetchall()
    columns = {name: [row[position] for row in rows] for position, name in enumerate(names)}
    for column, domain in spec.pseudonymise:
        columns[column] = [pseudonymiser.pseudonym(domain, value) for value in columns[column]]
    table = pa.table({name: pa.array(values, ARROW_TYPES[kind])
                      for (name, kind), values in zip(spec.columns, columns.values(),
                                                      strict=True)})
    if spec.sort_by:
        table = table.sort_by([(column, "ascending") for column in spec.sort_by])
    return table.cast(_schema(spec))


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(table: pa.Table) -> bytes:
    """UTF-8 with BOM (Excel in Korea opens it as UTF-8), CRLF line ends, header first."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    writer.writerows(
        [_csv_text(value) for value in row]
        for row in zip(*(column.to_pylist() for column in table.columns), strict=True)
    )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _stable_zip(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED_TIME (zipfile stamps entries with now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def xlsx_bytes(table: pa.Table, sheet: str) -> bytes:
    """One sheet, header first, with fixed document and zip timestamps."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    if table.num_rows > XLSX_MAX_ROWS:
        raise ExtractError(f"{sheet}: {table.num_rows:,} rows do not fit one XLSX sheet")
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append(table.column_names)
    for row in zip(*(column.to_pylist() for column in table.columns), strict=True):
        worksheet.append(list(row))
    workbook.properties.creator = "remedy"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    return _stable_zip(raw.getvalue())


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def control_totals(table: pa.Table, spec: TableSpec) -> dict[str, int]:
    totals = {"rows": table.num_rows}
    for column in spec.totals:
        totals[column] = int(sum(value or 0 for value in table.column(column).to_pylist()))
    return totals


# Rows compared across formats: every value is brought to the one form all three formats can
# hold. XLSX keeps a timestamp as an Excel serial number, to the millisecond (openpyxl rounds
# to the nearest one on reading), so timestamps are compared as Excel holds them.
def _excel_time(value: dt.datetime) -> dt.datetime:
    return from_excel(to_excel(value))


def normalise_value(value: Any, kind: str) -> Any:
    """One cell as CSV text, an XLSX cell or a Parquet value, in a format-independent form:
    None, int, or text (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS.ffffff`).
    Raises ValueError when the cell cannot hold a value of its column's type."""
    if value is None or value == "":
        return None
    if kind == "string":
        return str(value)
    if kind == "int64":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    if kind == "date":
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():
                raise ValueError(f"{value!r} is not a date")
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()
    if kind == "timestamp":
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(
            str(value))
        if moment.tzinfo is not None:
            raise ValueError(f"{value!r} has a time zone; KST timestamps are naive")
        return _excel_time(moment).isoformat(sep=" ", timespec="microseconds")
    raise ValueError(f"unknown column type {kind!r}")


def normalise_rows(rows: Iterable[Sequence[Any]], kinds: Sequence[str]) -> list[list[Any]]:
    """Every row normalised (normalise_value); ValueError names the row and column."""
    normalised = []
    for number, row in enumerate(rows, start=1):
        if len(row) != len(kinds):
            raise ValueError(f"row {number} has {len(row)} values, not {len(kinds)}")
        try:
            normalised.append([normalise_value(value, kind)
                               for value, kind in zip(row, kinds, strict=True)])
        except ValueError as error:
            raise ValueError(f"row {number}: {error}") from error
    return normalised


def rows_digest(rows: Iterable[Sequence[Any]]) -> str:
    """SHA-256 over the normalised rows, one compact JSON array a line, in order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
                      .encode())
        digest.update(b"\n")
    return digest.hexdigest()


ROWS_DIGEST_METHOD = (
    "sha256 over the rows in file order, each a compact JSON array + LF, values normalised: "
    "null for empty, integers, dates YYYY-MM-DD, timestamps rounded to the millisecond as "
    "Excel holds them, YYYY-MM-DD HH:MM:SS.ffffff"
)


def table_rows_digest(table: pa.Table, spec: TableSpec) -> str:
    kinds = [kind for _, kind in spec.columns]
    rows = zip(*(column.to_pylist() for column in table.columns), strict=True)
    return rows_digest(normalise_rows(rows, kinds))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_fingerprint(checksums: dict[str, str]) -> str:
    """SHA-256 over the sorted `name  sha256` lines of the data files (manifest excluded)."""
    lines = "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(
            ["git", "-C", str(PROJECT_DIR), *args], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _program_manifest(program: Program) -> dict[str, Any]:
    seeds = {"parameters": jsonable(program.parameters),
             **{table: [jsonable(row) for row in rows] for table, rows in program.tables.items()}}
    canonical = json.dumps(jsonable(seeds), sort_keys=True, default=str, ensure_ascii=False)
    revision = program.program_id.rsplit("_rev", 1)[1] if "_rev" in program.program_id else "0"
    return {
        "program_id": program.program_id,
        "revision": revision,
        "parameters_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        **json.loads(json.dumps(seeds, default=str, ensure_ascii=False)),
    }


@dataclass
class ExtractResult:
    package: Path
    manifest: dict[str, Any] = field(default_factory=dict)


def package_name(program_id: str, as_of: dt.date, generated_at: dt.datetime,
                 development: bool) -> str:
    name = f"{program_id}_asof-{as_of.isoformat()}_{generated_at:%Y%m%dT%H%M%SZ}"
    return f"{name}_{DEVELOPMENT_TAG}" if development else name


def _check_build(provenance: Provenance, program_id: str, production: bool) -> None:
    build = provenance.build
    if build is None:
        return
    built_for = build.get("program_id")
    if built_for is not None and built_for != program_id:
        raise ExtractError(
            f"the database was built for program {built_for!r} (main.rpt_builds, build_seq "
            f"{build.get('build_seq')}), not {program_id!r}: pass --program-id {built_for} "
            "or extract from a build of this program"
        )
    if production and build.get("status") != "success":
        raise ExtractError(f"--production refuses a database whose {provenance.build_note}")


MANIFEST_KEYS = (
    "package", "status", "development_keys", "program", "as_of", "as_of_definition",
    "generated_at", "git_commit", "git_dirty", "database", "pseudonymisation", "signature",
    "content_sha256", "tables",
)


def write_extract(
    duckdb_path: Path | str,
    out_dir: Path | str,
    program_id: str,
    pseudonymiser: Pseudonymiser,
    signer: Signer | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    tables: Sequence[TableSpec] = TABLES,
    production: bool = False,
) -> ExtractResult:
    """Write one signed package under out_dir, atomically, and return its folder and manifest.

    Without a signer the built-in development key signs, and the package is marked
    DEVELOPMENT like one pseudonymised with the development key.
    """
    signer = signer or development_signer()
    require_distinct(signer, pseudonymiser.key)
    development_keys = [name for name, development in (
        ("pseudonymisation", pseudonymiser.is_development),
        ("signing", signer.is_development)) if development]
    if production and development_keys:
        raise ExtractError(f"--production refuses the development {' and '.join(development_keys)}"
                           " key")
    generated_at = now().replace(microsecond=0)
    out_dir = Path(out_dir)
    with open_published(duckdb_path) as con:
        missing = [relation for relation in SOURCE_RELATIONS
                   if not relation_exists(con, *relation.split("."))]
        if missing:
            raise ExtractError(
                f"{', '.join(missing)} missing from {duckdb_path}: the database was built "
                "by an older version of the warehouse; rebuild it with `remedy build`")
        program = load_program(con, program_id)
        as_of_row = con.execute(f"select as_of_date from {AS_OF_RELATION}").fetchone()
        if not as_of_row or as_of_row[0] is None:
            raise ExtractError("no contract event has been accepted (rpt_regulator__as_of has "
                               "no date): nothing to extract")
        as_of = as_of_row[0]
        provenance = read_provenance(con, SOURCE_RELATIONS)
        _check_build(provenance, program_id, production)
        fetched = [(spec, fetch_table(con, spec, pseudonymiser)) for spec in tables]

    development = bool(development_keys)
    name = package_name(program_id, as_of, generated_at, development)
    final = out_dir / name
    if final.exists():
        raise ExtractError(f"{final} already exists")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".{name}.partial-{os.getpid()}"
    try:
        staging.mkdir()
        manifest = _write_package(staging, fetched, development)
        manifest.update(
            package=name,
            status=DEVELOPMENT_MARK if development else SUBMISSION_MARK,
            development_keys=development_keys,
            program=_program_manifest(program),
            as_of=as_of.isoformat(),
            as_of_definition="latest KST event_date of the accepted contract events "
                             "(fct_contract_events)",
            generated_at=generated_at.isoformat().replace("+00:00", "Z"),
            git_commit=_git("rev-parse", "HEAD"),
            git_dirty=bool(_git("status", "--porcelain")),
            database=provenance.as_manifest(),
            pseudonymisation={
                "method": "HMAC-SHA256(key, domain NUL identifier), first 32 hex characters",
                "domains": sorted({domain for spec in tables for _, domain in spec.pseudonymise}),
                "key": "built-in development key (public)" if pseudonymiser.is_development
                else "REMEDY_EXTRACT_SECRET",
                "key_id": pseudonymiser.key_id,
            },
            signature={
                "algorithm": ALGORITHM,
                "signed_file": MANIFEST,
                "signature_file": SIGNATURE,
                "public_key_file": PUBLIC_KEY,
                "public_key_fingerprint": signer.fingerprint,
                "key": signer.source,
            },
        )
        ordered = {key: manifest[key] for key in MANIFEST_KEYS}
        manifest_bytes = (json.dumps(ordered, indent=2, ensure_ascii=False) + "\n").encode()
        (staging / MANIFEST).write_bytes(manifest_bytes)
        (staging / SIGNATURE).write_bytes(signer.sign(manifest_bytes))
        (staging / PUBLIC_KEY).write_bytes(public_key_pem(signer.public_key))
        _write_checksums(staging)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExtractResult(final, ordered)


def _write_package(
    folder: Path, fetched: Iterable[tuple[TableSpec, pa.Table]], development: bool
) -> dict[str, Any]:
    prefix = f"{DEVELOPMENT_TAG}_" if development else ""
    entries = []
    checksums: dict[str, str] = {}
    for spec, table in fetched:
        files = []
        for fmt, data in (("csv", csv_bytes(table)), ("xlsx", xlsx_bytes(table, spec.name)),
                          ("parquet", parquet_bytes(table))):
            path = folder / f"{prefix}{spec.name}.{fmt}"
            path.write_bytes(data)
            digest = hashlib.sha256(data).hexdigest()
            checksums[path.name] = digest
            files.append({"path": path.name, "format": fmt, "bytes": len(data),
                          "sha256": digest})
        entries.append({
            "name": spec.name,
            "description": spec.description,
            "rows": table.num_rows,
            "columns": [{"name": name, "type": kind} for name, kind in spec.columns],
            "pseudonymised_columns": [column for column, _ in spec.pseudonymise],
            "control_totals": control_totals(table, spec),
            "rows_sha256": table_rows_digest(table, spec),
            "rows_sha256_method": ROWS_DIGEST_METHOD,
            "files": files,
        })
    return {"tables": entries, "content_sha256": content_fingerprint(checksums)}


def _write_checksums(folder: Path) -> None:
    lines = [f"{sha256(path)}  {path.name}\n" for path in sorted(folder.iterdir())
             if path.name != CHECKSUMS]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")


def read_rows(path: Path) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a package file, whatever its format (values as stored)."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8")
        if not text.startswith("\ufeff"):
            raise ExtractError(f"{path.name}: no UTF-8 byte order mark")
        rows = list(csv.reader(io.StringIO(text[1:], newline="")))
        return rows[0], rows[1:]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        return [str(cell) for cell in rows[0]], rows[1:]
    table = pq.read_table(path)
    return table.column_names, [list(row.values()) for row in table.to_pylist()]


# --- verification -------------------------------------------------------------------------

SIGNER_VERIFIED = "verified"
SIGNER_UNVERIFIED = "unverified"
SIGNER_DEVELOPMENT = "development"
SIGNER_INVALID = "invalid"


@dataclass
class Verification:
    """What verify-extract found: problems (empty when intact) and who signed."""

    package: Path
    problems: list[str] = field(default_factory=list)
    signer: str = SIGNER_INVALID
    signer_fingerprint: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_package(
    folder: Path | str,
    public_key: Path | str | None = None,
    duckdb_path: Path | str | None = None,
) -> Verification:
    """Check a delivered package: checksums, the manifest's signature (against public_key
    when given), that CSV, XLSX and Parquet hold the same rows as the signed manifest
    records, and optionally that it was extracted from the database at duckdb_path."""
    folder = Path(folder)
    result = Verification(folder)
    manifest_path, checksum_path = folder / MANIFEST, folder / CHECKSUMS
    if not manifest_path.is_file() or not checksum_path.is_file():
        result.problems.append(f"{folder} has no {MANIFEST} or no {CHECKSUMS}")
        return result
    result.problems += _verify_checksum_list(folder, checksum_path)
    manifest_bytes = manifest_path.read_bytes()
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        result.problems.append(f"{MANIFEST}: not JSON ({error})")
        return result
    _verify_signature(folder, manifest, manifest_bytes, public_key, result)
    data_checksums = {}
    for table in manifest.get("tables", []):
        try:
            for entry in table["files"]:
                data_checksums[entry["path"]] = entry["sha256"]
            result.problems += _verify_table(folder, table)
        except (KeyError, TypeError, AttributeError) as error:
            result.problems.append(f"{MANIFEST}: malformed table entry ({error!r})")
    if content_fingerprint(data_checksums) != manifest.get("content_sha256"):
        result.problems.append(f"{MANIFEST}: content_sha256 does not match the data files")
    if duckdb_path is not None:
        result.problems += _verify_database(manifest, Path(duckdb_path), result.notes)
    return result


def _verify_checksum_list(folder: Path, checksum_path: Path) -> list[str]:
    problems = []
    listed: dict[str, str] = {}
    for line in checksum_path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    present = {path.name for path in folder.iterdir()} - {CHECKSUMS}
    problems += [f"{name}: not listed in {CHECKSUMS}" for name in sorted(present - set(listed))]
    problems += [f"{name}: listed in {CHECKSUMS} but missing" for name in
                 sorted(set(listed) - present)]
    for name in sorted(present & set(listed)):
        if sha256(folder / name) != listed[name]:
            problems.append(f"{name}: SHA-256 does not match {CHECKSUMS}")
    return problems


def _verify_signature(folder: Path, manifest: dict[str, Any], manifest_bytes: bytes,
                      public_key: Path | str | None, result: Verification) -> None:
    declared = (manifest.get("signature") or {}).get("public_key_fingerprint")
    signature_path = folder / SIGNATURE
    if not signature_path.is_file():
        result.problems.append(f"{SIGNATURE}: missing, the manifest is not signed")
        return
    try:
        key = load_public_key(Path(public_key) if public_key else folder / PUBLIC_KEY)
    except SigningKeyError as error:
        result.problems.append(str(error))
        return
    key_fingerprint = fingerprint(key)
    if not verify(key, signature_path.read_bytes(), manifest_bytes):
        whose = (f"the given public key {key_fingerprint}" if public_key
                 else f"the package's own key {PUBLIC_KEY} ({key_fingerprint})")
        result.problems.append(
            f"{SIGNATURE}: not a valid signature of {MANIFEST} by {whose}: the manifest was "
            "changed after signing, or signed by another key"
        )
        return
    result.signer_fingerprint = key_fingerprint
    if declared != key_fingerprint:
        result.problems.append(
            f"{MANIFEST}: names signing key {declared}, but {key_fingerprint} signed it"
        )
    if key_fingerprint == DEVELOPMENT_FINGERPRINT:
        result.signer = SIGNER_DEVELOPMENT
        result.notes.append(
            "signed with the built-in DEVELOPMENT key, which anyone can use: the signature "
            "proves nothing about who made this package"
        )
        if manifest.get("status") == SUBMISSION_MARK:
            result.problems.append(
                f"{MANIFEST}: status {SUBMISSION_MARK!r} but signed with the development key"
            )
    elif public_key:
        result.signer = SIGNER_VERIFIED
    else:
        result.signer = SIGNER_UNVERIFIED
        result.notes.append(
            f"signer UNVERIFIED: signed by key {key_fingerprint} (the key shipped in the "
            "package); pass --public-key with the sender's published key to verify who "
            "signed it"
        )
    development_key_id = Pseudonymiser(DEVELOPMENT_KEY, True).key_id
    if (manifest.get("status") == SUBMISSION_MARK
            and (manifest.get("pseudonymisation") or {}).get("key_id") == development_key_id):
        result.problems.append(
            f"{MANIFEST}: status {SUBMISSION_MARK!r} but pseudonymised with the development key"
        )


def _verify_table(folder: Path, table: dict[str, Any]) -> list[str]:
    """Every file of one table: size and checksum, then its rows, normalised, against the
    signed manifest (row digest, control totals) and against the other formats."""
    problems: list[str] = []
    columns = [column["name"] for column in table["columns"]]
    kinds = [column["type"] for column in table["columns"]]
    read: dict[str, list[list[Any]]] = {}
    for entry in table["files"]:
        path = folder / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: in the manifest but missing")
            continue
        if sha256(path) != entry["sha256"] or path.stat().st_size != entry["bytes"]:
            problems.append(f"{entry['path']}: size or SHA-256 differs from the manifest")
        try:
            header, raw_rows = read_rows(path)
        except Exception as error:  # noqa: BLE001 - any unreadable file is a finding, not a crash
            problems.append(f"{path.name}: unreadable ({error})")
            continue
        if header != columns:
            problems.append(f"{path.name}: columns {header} differ from the manifest")
            continue
        if PII_COLUMNS & set(header):
            problems.append(f"{path.name}: PII columns {sorted(PII_COLUMNS & set(header))}")
        try:
            rows = normalise_rows(raw_rows, kinds)
        except ValueError as error:
            problems.append(f"{path.name}: {error}")
            continue
        read[path.name] = rows
        problems += _verify_rows(path.name, rows, columns, table)
    problems += _compare_formats(read, columns)
    return problems


def _verify_rows(name: str, rows: list[list[Any]], columns: list[str],
                 table: dict[str, Any]) -> list[str]:
    problems = []
    totals = table["control_totals"]
    if len(rows) != table["rows"] or len(rows) != totals["rows"]:
        problems.append(f"{name}: {len(rows)} rows, manifest says {table['rows']}")
    for column, expected in totals.items():
        if column == "rows" or column not in columns:
            continue
        position = columns.index(column)
        actual = sum(row[position] or 0 for row in rows)
        if actual != expected:
            problems.append(f"{name}: total {column} {actual:,} != manifest {expected:,}")
    if rows_digest(rows) != table.get("rows_sha256"):
        problems.append(f"{name}: rows differ from the manifest's rows_sha256")
    return problems


def _compare_formats(read: dict[str, list[list[Any]]], columns: list[str]) -> list[str]:
    """Each format against the first one read, row by row: the count of differing rows and
    the first difference."""
    problems = []
    if len(read) < 2:
        return problems
    (reference_name, reference), *others = read.items()
    for name, rows in others:
        if len(rows) != len(reference):
            problems.append(f"{name}: {len(rows):,} rows, {reference_name} has "
                            f"{len(reference):,}")
            continue
        differing = [number for number, (left, right) in enumerate(
            zip(reference, rows, strict=True), start=1) if left != right]
        if differing:
            first = differing[0]
            column = next(position for position, (left, right) in enumerate(
                zip(reference[first - 1], rows[first - 1], strict=True)) if left != right)
            problems.append(
                f"{name}: {len(differing):,} row(s) differ from {reference_name}; first at "
                f"row {first}, {columns[column]}: {rows[first - 1][column]!r} vs "
                f"{reference[first - 1][column]!r}"
            )
    return problems


def _verify_database(manifest: dict[str, Any], duckdb_path: Path, notes: list[str]
                     ) -> list[str]:
    recorded = manifest.get("database") or {}
    relations = tuple(item["relation"] for item in recorded.get("relations", []))
    if not relations:
        return [f"{MANIFEST}: records no database fingerprint to compare"]
    with open_published(duckdb_path) as con:
        build, _ = latest_build(con)
        current = Provenance(build, None, relation_checksums(con, relations))
    if current.duckdb_version != recorded.get("duckdb_version"):
        notes.append(f"the package was fingerprinted with DuckDB {recorded.get('duckdb_version')}"
                     f", this is {current.duckdb_version}: row checksums may differ")
    if current.fingerprint == recorded.get("fingerprint"):
        notes.append(f"extracted from {duckdb_path} (fingerprint {current.fingerprint})")
        return []
    changed = [item.relation for item in current.relations
               if item.as_dict() not in recorded.get("relations", [])]
    return [f"{duckdb_path}: fingerprint {current.fingerprint} is not the manifest's "
            f"{recorded.get('fingerprint')} (changed: {', '.join(changed) or 'the build'})"]
