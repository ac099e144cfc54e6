"""`remedy`: the command line for data engineers. Thin: every command calls a module."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from remedy.dbt_runner import PROJECT_DIR

DEFAULT_RAW_DIR = PROJECT_DIR / "data" / "raw"
DEFAULT_DUCKDB_PATH = PROJECT_DIR / "warehouse.duckdb"


def _env_path(name: str, default: Path) -> Path:
    import os

    return Path(os.environ[name]) if os.environ.get(name) else default


@click.group()
def main() -> None:
    """KT breach-remediation warehouse."""


@main.command()
@click.option("--scale", type=float, default=0.01, show_default=True,
              help="1.0 reproduces the published magnitudes (29 M lines).")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Landing directory to write (default: $RAW_DIR or data/raw).")
@click.option("--bad-rows", type=float, default=0.001, show_default=True,
              help="Share of rows per table that break the source contract on purpose.")
def generate(scale: float, seed: int, out: Path | None, bad_rows: float) -> None:
    """Write a deterministic synthetic landing directory (nine Parquet tables)."""
    from remedy.generate import generate as run_generate

    out = out or _env_path("RAW_DIR", DEFAULT_RAW_DIR)
    info = run_generate(out, scale=scale, seed=seed, bad_rows=bad_rows, progress=True)
    counts = info.get("row_counts", {})
    click.echo(f"wrote {out}: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(dbt_args: tuple[str, ...]) -> None:
    """`dbt build` on $RAW_DIR into $DUCKDB_PATH (extra arguments go to dbt)."""
    sys.exit(_build(list(dbt_args)))


def _build(extra: list[str]) -> int:
    from remedy.dbt_runner import run_dbt
    from remedy.landing import check_landing_dir

    raw_dir = _env_path("RAW_DIR", DEFAULT_RAW_DIR)
    problems = check_landing_dir(raw_dir)
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        return 2
    result = run_dbt(["build", *extra], raw_dir=raw_dir,
                     duckdb_path=_env_path("DUCKDB_PATH", DEFAULT_DUCKDB_PATH))
    for failure in result.failures:
        click.echo(f"error: {failure}", err=True)
    return 0 if result.success else 1


@main.command()
def summary() -> None:
    """Print the headline figures of the built warehouse."""
    from remedy.summary import format_summary, summarise

    click.echo(format_summary(summarise(_env_path("DUCKDB_PATH", DEFAULT_DUCKDB_PATH))))


@main.command()
@click.option("--scale", type=float, default=0.01, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.pass_context
def demo(ctx: click.Context, scale: float, seed: int) -> None:
    """The main job on the embedded default: generate a sample, build, summarise."""
    ctx.invoke(generate, scale=scale, seed=seed, out=None, bad_rows=0.001)
    code = _build([])
    if code:
        sys.exit(code)
    ctx.invoke(summary)


if __name__ == "__main__":
    main()
