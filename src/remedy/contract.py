"""The source contract (SOURCE_CONTRACT.md) as code: the nine landing tables and their types.

One definition serves the generator, the landing-file writer used by tests, and the
pre-flight check of a landing directory.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

TABLES: dict[str, pa.Schema] = {
    "customers": pa.schema(
        [
            ("customer_id", pa.string()),
            ("person_key", pa.string()),
            ("customer_type", pa.string()),
            ("full_name", pa.string()),
            ("birth_date", pa.date32()),
            ("created_at", TS),
        ]
    ),
    "lines": pa.schema(
        [
            ("line_id", pa.string()),
            ("customer_id", pa.string()),
            ("msisdn", pa.string()),
            ("network", pa.string()),
            ("mvno_brand", pa.string()),
            ("line_class", pa.string()),
            ("payment_type", pa.string()),
            ("activated_at", TS),
        ]
    ),
    "contract_events": pa.schema(
        [
            ("event_id", pa.string()),
            ("line_id", pa.string()),
            ("event_type", pa.string()),
            ("event_at", TS),
            ("channel", pa.string()),
            ("port_out_to", pa.string()),
        ]
    ),
    "agreements": pa.schema(
        [
            ("agreement_id", pa.string()),
            ("line_id", pa.string()),
            ("agreement_type", pa.string()),
            ("start_date", pa.date32()),
            ("term_months", pa.int32()),
            ("subsidy_krw", pa.int64()),
            ("monthly_discount_krw", pa.int64()),
        ]
    ),
    "penalty_charges": pa.schema(
        [
            ("charge_id", pa.string()),
            ("line_id", pa.string()),
            ("termination_event_id", pa.string()),
            ("component", pa.string()),
            ("billed_krw", pa.int64()),
            ("paid_krw", pa.int64()),
            ("billed_on", pa.date32()),
        ]
    ),
    "refund_applications": pa.schema(
        [
            ("application_id", pa.string()),
            ("line_id", pa.string()),
            ("channel", pa.string()),
            ("applied_at", TS),
            ("account_holder_matches", pa.bool_()),
            ("holder_exception", pa.string()),
            ("hardship_reason", pa.string()),
            ("hardship_ended_on", pa.date32()),
            ("bank_account_token", pa.string()),
        ]
    ),
    "roaming_passes": pa.schema(
        [
            ("purchase_id", pa.string()),
            ("line_id", pa.string()),
            ("pass_code", pa.string()),
            ("base_data_mb", pa.int32()),
            ("purchased_at", TS),
        ]
    ),
    "ott_choices": pa.schema(
        [
            ("choice_id", pa.string()),
            ("line_id", pa.string()),
            ("service", pa.string()),
            ("chosen_at", TS),
        ]
    ),
    "insurance_applications": pa.schema(
        [
            ("application_id", pa.string()),
            ("customer_id", pa.string()),
            ("applied_at", TS),
        ]
    ),
}

KEYS: dict[str, str] = {name: schema.names[0] for name, schema in TABLES.items()}

PII_COLUMNS: frozenset[str] = frozenset(
    {"full_name", "msisdn", "birth_date", "bank_account_token"}
)

DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "date32[day]": "DATE",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp[us, tz=UTC]": "TIMESTAMP WITH TIME ZONE",
}


def duckdb_columns(table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) pairs of a contract table, in contract order."""
    return [(f.name, DUCKDB_TYPES[str(f.type)]) for f in TABLES[table]]
