"""dbt-duckdb plugin (profiles.yml): create the restricted database with file mode 0600.

dbt-duckdb ATTACHes the restricted database after plugins configure the connection, and
DuckDB would create a missing file with the process umask (world-readable). Creating it
here first, owner-only, keeps the raw and personal data it holds private from the start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

RESTRICTED_ALIAS = "restricted"


def restrict(path: Path) -> None:
    """Create the database file if needed, and make it and its log owner-only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        duckdb.connect(str(path)).close()
    for candidate in (path, path.with_name(path.name + ".wal")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.config = plugin_config

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        for attachment in (self.creds.attach or []) if self.creds else []:
            if attachment.alias == RESTRICTED_ALIAS and "://" not in attachment.path:
                restrict(Path(attachment.path).resolve())
