"""Where things are, resolved once: the project, the landing directory, the databases.

Every command and the dashboard read paths and environment defaults from here (profiles.yml
reads the same variables for dbt). The variables:

- RAW_DIR: the landing directory (default `data/raw` in the project).
- DUCKDB_PATH: the published database (default `warehouse.duckdb` in the project).
- DUCKDB_RESTRICTED_PATH: the restricted database (default: beside DUCKDB_PATH,
  `<stem>.restricted.duckdb`), holding staging, quarantine and intermediate models.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

# dbt and Great Expectations phone home unless told not to; this project never does.
ENVIRONMENT_DEFAULTS = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "GX_ANALYTICS_ENABLED": "false",
}
for _name, _value in ENVIRONMENT_DEFAULTS.items():
    os.environ.setdefault(_name, _value)


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def raw_dir() -> Path:
    """The landing directory ($RAW_DIR, else data/raw in the project)."""
    return _env_path("RAW_DIR", PROJECT_DIR / "data" / "raw")


def duckdb_path() -> Path:
    """The published database ($DUCKDB_PATH, else warehouse.duckdb in the project)."""
    return _env_path("DUCKDB_PATH", PROJECT_DIR / "warehouse.duckdb")


def restricted_path(published: Path | str | None = None) -> Path:
    """The restricted database of a published one: $DUCKDB_RESTRICTED_PATH when it is
    set for the default published database, else `<stem>.restricted.duckdb` beside it
    (the same rule profiles.yml applies)."""
    explicit = os.environ.get("DUCKDB_RESTRICTED_PATH")
    if explicit and published is None:
        return Path(explicit)
    published = Path(published) if published is not None else duckdb_path()
    text = str(published).replace(".duckdb", "")
    return Path(text + ".restricted.duckdb")
