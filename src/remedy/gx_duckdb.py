"""GX's SQL datasource over DuckDB: the one place that works around GX + duckdb-engine.

The problem (GX issues 10738 and 11579): GX's `SqlAlchemyExecutionEngine.execute_query` runs a
query inside `with engine.connect() as connection:` and fetches the rows only after the block
has closed the connection. Closing a SQLAlchemy connection rolls its transaction back, and
duckdb-engine hands SQLAlchemy the DuckDB connection itself as the "cursor": a DuckDB connection
holds one pending result, and the ROLLBACK statement replaces it. GX then fetches an empty
result and every metric fails with `IndexError: list index out of range`.

The workaround: a SQLAlchemy dialect, registered as `duckdb+remedy`, that is duckdb-engine's
dialect except that every DB-API cursor is a real DuckDB cursor (`DuckDBPyConnection.cursor()`,
a child connection with a result of its own). The ROLLBACK on the parent connection no longer
touches the query's result, so GX fetches what the query returned. Nothing else changes:
connection strings stay plain strings (a file-backed GX context can store them), and queries
run in DuckDB, never in pandas.

The database is the published one, opened by `remedy.published.connect_published` like every
other reader: read-only (never a read-write fallback), attached to a private in-memory
database that is made the default catalog, waiting while a build holds the file. Every cursor
is pointed at that catalog too (a new DuckDB cursor starts on the in-memory one).

A second, smaller adaptation is the expectation type `expect_query_to_return_no_rows`
(`ExpectQueryToReturnNoRows`): GX's `UnexpectedRowsExpectation` runs its query twice, once as
COUNT(*) and once streaming sample rows, and DuckDB runs a streamed query several times slower
than an aggregate. The cross-table checks join marts of up to 100 M rows to the 29 M-line
dimension, so this subclass runs only the COUNT(*) and fetches sample rows when it fails.

`tests/test_gx_duckdb.py` fails loudly if a GX, SQLAlchemy or duckdb-engine upgrade breaks this.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb  # noqa: E402
from duckdb_engine import ConnectionWrapper, CursorWrapper, Dialect  # noqa: E402
from great_expectations.expectations import UnexpectedRowsExpectation  # noqa: E402
from great_expectations.expectations.registry import get_metric_kwargs  # noqa: E402
from great_expectations.validator.metric_configuration import MetricConfiguration  # noqa: E402
from sqlalchemy.dialects import registry  # noqa: E402

from remedy.published import CATALOG, connect_published  # noqa: E402

DRIVER = "remedy"
DIALECT_URL_SCHEME = f"duckdb+{DRIVER}"


class _OwnResultCursor(CursorWrapper):
    """duckdb-engine's cursor over a DuckDB child cursor, closed when SQLAlchemy closes it."""

    def __init__(self, duckdb_cursor: duckdb.DuckDBPyConnection, wrapper: ConnectionWrapper):
        super().__init__(duckdb_cursor, wrapper)
        self._duckdb_cursor = duckdb_cursor

    def close(self) -> None:
        self._duckdb_cursor.close()


class _OwnResultConnection(ConnectionWrapper):
    """duckdb-engine's connection whose cursors each hold a result of their own."""

    def cursor(self) -> CursorWrapper:
        # ConnectionWrapper delegates unknown attributes to the DuckDB connection: this is
        # DuckDBPyConnection.cursor, which opens a child connection on the same database.
        duckdb_cursor = ConnectionWrapper.__getattr__(self, "cursor")()
        duckdb_cursor.execute(f"use {CATALOG}")
        return _OwnResultCursor(duckdb_cursor, self)


class RemedyDuckDBDialect(Dialect):
    """duckdb-engine's dialect with one result per cursor, on the published database read-only."""

    driver = DRIVER
    supports_statement_cache = False

    def connect(self, *cargs: Any, **cparams: Any) -> ConnectionWrapper:
        # No duckdb-engine connection config (it adds a user agent): the published reader's
        # own in-memory database carries the settings that matter.
        database = cparams.get("database") or (cargs[0] if cargs else None)
        return _OwnResultConnection(connect_published(database))


registry.register(f"duckdb.{DRIVER}", __name__, "RemedyDuckDBDialect")


def connection_string(duckdb_path: Path | str) -> str:
    """The SQLAlchemy URL GX datasources use for a DuckDB database file."""
    return f"{DIALECT_URL_SCHEME}:///{Path(duckdb_path).resolve()}"


def add_duckdb_datasource(context: Any, name: str, duckdb_path: Path | str) -> Any:
    """A GX SQL datasource on a DuckDB file, with the workaround in place."""
    path = Path(duckdb_path)
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB database at {path}")
    return context.data_sources.add_sql(name=name, connection_string=connection_string(path))


def close_datasource(datasource: Any) -> None:
    """Close the DuckDB handles a datasource's engines pooled, so the file is free again.

    GX never disposes the engines it creates; a pooled read-only handle would keep this
    process from opening the same file read-write later.
    """
    engines = [datasource.get_engine(), datasource.get_execution_engine().engine]
    for engine in engines:
        engine.dispose()


SAMPLE_ROWS = 5


class ExpectQueryToReturnNoRows(UnexpectedRowsExpectation):
    """UnexpectedRowsExpectation that counts its rows in the database: passes when there are none.

    Serialised as `expect_query_to_return_no_rows`; importing this module registers it. The
    result's observed_value is the exact number of rows; only when it is above zero is the
    query run again to keep its first rows in `details.unexpected_rows`.
    """

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict:
        count = int(metrics["unexpected_rows_query.row_count"])
        result: dict[str, Any] = {"observed_value": count}
        if count and execution_engine is not None:
            result["details"] = {
                "unexpected_rows": self._sample_rows(execution_engine, runtime_configuration)
            }
        return {"success": count == 0, "result": result}

    def _sample_rows(self, execution_engine: Any, runtime_configuration: dict | None) -> list:
        kwargs = get_metric_kwargs(
            metric_name="unexpected_rows_query.table",
            configuration=self.configuration,
            runtime_configuration=runtime_configuration,
        )
        metric = MetricConfiguration(
            metric_name="unexpected_rows_query.table",
            metric_domain_kwargs=kwargs["metric_domain_kwargs"],
            metric_value_kwargs=kwargs["metric_value_kwargs"],
        )
        rows = execution_engine.resolve_metrics([metric])[metric.id]
        return list(rows)[:SAMPLE_ROWS]
