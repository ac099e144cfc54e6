"""KT breach-remediation warehouse: generator, dbt runner, checks and extracts."""

__version__ = "0.1.0"
