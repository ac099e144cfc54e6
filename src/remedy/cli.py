"""`remedy`: the command line for data engineers. Thin: every command calls a module."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from remedy import settings


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
@click.option("--program", "--program-id", "program_id", default=None,
              help="Program whose seeded dates the data follows (default: the dbt var "
                   "program_id).")
@click.option("--deliveries", type=click.Choice(["snapshot", "daily"]), default="snapshot",
              show_default=True,
              help="snapshot: part files per table; daily: an initial load, then one file "
                   "per table per KST day (<table>/<YYYY-MM-DD>.parquet).")
@click.option("--through", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="daily: deliver up to this day (default: every day). Run again with a "
                   "later day into the same --out to add the days after it.")
@click.option("--first-day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="daily: first daily delivery; earlier rows come in the initial load "
                   "(default: the day before the program's waiver window).")
def generate(scale: float, seed: int, out: Path | None, bad_rows: float,
             program_id: str | None, deliveries: str, through, first_day) -> None:
    """Write a deterministic synthetic landing directory (nine Parquet tables)."""
    from remedy.generate import generate as run_generate

    out = out or settings.raw_dir()
    try:
        info = run_generate(out, scale=scale, seed=seed, bad_rows=bad_rows, progress=True,
                            program_id=program_id, deliveries=deliveries,
                            through=through.date() if through else None,
                            first_day=first_day.date() if first_day else None)
    except (ValueError, LookupError) as error:
        raise click.ClickException(str(error)) from error
    counts = info.get("row_counts", {})
    click.echo(f"wrote {out} ({info['program_id']}): "
               + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    if deliveries == "daily":
        days = info["deliveries"]
        files = sum(len(names) for names in info["files"].values())
        click.echo(f"daily deliveries {days['first_daily_day']} .. {days['through']} "
                   f"(data to {days['last_day']}): {files:,} files")


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--strict", is_flag=True,
              help="Build nothing when a new landing file would be set aside.")
@click.option("--require-controls", is_flag=True,
              help="Fail (status failed_checks) unless every integrity control passes.")
@click.option("--strict-controls", is_flag=True,
              help="Like --require-controls, and every finding must pass too.")
@click.option("--unit-tests", is_flag=True,
              help="Also run the project's unit tests (left out of production builds, "
                   "as dbt Labs recommends; CI and `remedy demo` run them).")
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(strict: bool, require_controls: bool, strict_controls: bool, unit_tests: bool,
          dbt_args: tuple[str, ...]) -> None:
    """`dbt build` of $RAW_DIR into $DUCKDB_PATH, incrementally (extra arguments go to dbt).

    The daily routine: deliver new files into the landing directory, run `remedy build`.
    Only what the new files change is re-derived. When the program parameters or the code
    changed, or the previous build did not finish, it rebuilds from scratch by itself;
    when the landing directory broke its append-only promise it stops and says why.
    """
    sys.exit(_build(list(dbt_args), strict=strict,
                    require_controls=require_controls or strict_controls,
                    strict_controls=strict_controls, unit_tests=unit_tests))


def _build(extra: list[str], strict: bool = False, require_controls: bool = False,
           strict_controls: bool = False, unit_tests: bool = False) -> int:
    from remedy.build import run_build

    return run_build(extra, strict=strict, require_controls=require_controls,
                     strict_controls=strict_controls, unit_tests=unit_tests,
                     echo=click.echo)


@main.command()
def summary() -> None:
    """Print the headline figures of the built warehouse."""
    from remedy.summary import format_summary, summarise

    click.echo(format_summary(summarise(settings.duckdb_path())))


@main.command()
@click.option("--scale", type=float, default=0.01, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.pass_context
def demo(ctx: click.Context, scale: float, seed: int) -> None:
    """The main job on the embedded default: generate a sample, dbt build, summary,
    GX validation, reconciliation and a (development) regulator extract."""
    ctx.invoke(generate, scale=scale, seed=seed, out=None, bad_rows=0.001, program_id=None,
               deliveries="snapshot", through=None, first_day=None)
    code = _build([], unit_tests=True)
    if code:
        sys.exit(code)
    ctx.invoke(summary)
    steps = [
        (validate, {}),
        (reconcile, {}),
        (extract, {"out_dir": settings.PROJECT_DIR / "extracts"}),
    ]
    for command, options in steps:
        click.echo(f"\n== remedy {command.name}")
        try:
            ctx.invoke(command, **options)
        except SystemExit as stop:
            if stop.code:
                sys.exit(stop.code)
    click.echo("\nBrowse the published marts: remedy dashboard (http://127.0.0.1:8501)")


@main.command()
@click.option("--duckdb", "duckdb_path", type=click.Path(path_type=Path), default=None,
              help="Published warehouse (default: $DUCKDB_PATH or warehouse.duckdb).")
@click.option("--port", type=int, default=8501, show_default=True)
def dashboard(duckdb_path: Path | None, port: int) -> None:
    """Serve the Streamlit dashboard on http://127.0.0.1:PORT (published marts, read-only)."""
    from remedy.dashboard.server import serve

    serve(duckdb_path or settings.duckdb_path(), port)


def _duckdb_option(function):
    return click.option(
        "--duckdb", "duckdb_path", type=click.Path(path_type=Path), default=None,
        help="Built warehouse (default: $DUCKDB_PATH or warehouse.duckdb).",
    )(function)


def _program_option(function):
    return click.option(
        "--program-id", default=None,
        help="Program whose seed parameters apply (default: the dbt var program_id).",
    )(function)


def _resolve(duckdb_path: Path | None, program_id: str | None) -> tuple[Path, str]:
    from remedy.program import default_program_id

    return duckdb_path or settings.duckdb_path(), program_id or default_program_id()


@main.command()
@_duckdb_option
@_program_option
@click.option("--run-dir", type=click.Path(path_type=Path), default=None,
              help="Where GX results and Data Docs go (default: runs/validate-<timestamp>).")
@click.option("--suite", "suites", multiple=True,
              help="Validate only this suite (repeatable; default: every suite).")
@click.option("--data-docs/--no-data-docs", default=True, show_default=True,
              help="Build GX Data Docs in the run folder.")
def validate(duckdb_path: Path | None, program_id: str | None, run_dir: Path | None,
             suites: tuple[str, ...], data_docs: bool) -> None:
    """Run the GX suites of expectations/ against the built marts (exit 1 on any failure)."""
    from remedy.validate import TemplateError, format_report, run_validation

    duckdb_path, program_id = _resolve(duckdb_path, program_id)
    try:
        run = run_validation(duckdb_path, program_id, run_dir, data_docs=data_docs, only=suites)
    except (FileNotFoundError, FileExistsError, LookupError, TemplateError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_report(run), nl=False)
    sys.exit(0 if run.success else 1)


@main.command()
@_duckdb_option
@_program_option
@click.option("--strict", is_flag=True,
              help="Also fail when a finding (billing vs the P arithmetic, ...) is outside "
                   "its tolerance.")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=None,
              help="Landing directory whose Parquet footers recount the raw rows (default: "
                   "$RAW_DIR or data/raw; when it is not there the run says so and uses the "
                   "rows the build read).")
def reconcile(duckdb_path: Path | None, program_id: str | None, strict: bool,
              raw_dir: Path | None) -> None:
    """Print the control table; exit 1 if an integrity control fails or Python and dbt
    disagree. Findings about the source systems are reported and fail only --strict.
    Reads the published database only, and the landing files for the raw row counts."""
    import duckdb

    from remedy.reconcile import format_reconciliation
    from remedy.reconcile import reconcile as run_reconcile

    duckdb_path, program_id = _resolve(duckdb_path, program_id)
    try:
        result = run_reconcile(duckdb_path, program_id, raw_dir or settings.raw_dir())
    except (FileNotFoundError, LookupError, duckdb.Error) as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_reconciliation(result, strict=strict), nl=False)
    sys.exit(0 if result.success(strict) else 1)


@main.command()
@_duckdb_option
@_program_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder that receives the package (one new sub-folder per run).")
@click.option("--production", is_flag=True,
              help="Refuse to run without a real pseudonymisation key (REMEDY_EXTRACT_SECRET) "
                   "and a real signing key (REMEDY_SIGNING_KEY_FILE).")
def extract(duckdb_path: Path | None, program_id: str | None, out_dir: Path,
            production: bool) -> None:
    """Write the signed regulator package: CSV, XLSX, Parquet, manifest.json, its signature
    and SHA256SUMS."""
    from remedy.extract import ExtractError, write_extract
    from remedy.pseudonymise import SecretError, pseudonymiser_from_env
    from remedy.signing import SigningKeyError, signer_from_env

    duckdb_path, program_id = _resolve(duckdb_path, program_id)
    try:
        pseudonymiser = pseudonymiser_from_env(production)
        signer = signer_from_env(production)
        result = write_extract(duckdb_path, out_dir, program_id, pseudonymiser, signer,
                               production=production)
    except (SecretError, SigningKeyError, ExtractError, FileNotFoundError,
            LookupError) as error:
        raise click.ClickException(str(error)) from error
    manifest = result.manifest
    click.echo(f"wrote {result.package} ({manifest['status']})")
    click.echo(f"  signed by {manifest['signature']['public_key_fingerprint']} "
               f"({manifest['signature']['key']})")
    database = manifest["database"]
    click.echo(f"  database {database['fingerprint']}")
    if database["build_note"]:
        click.echo(f"  note: {database['build_note']}")
    for table in manifest["tables"]:
        click.echo(f"  {table['name']}: {table['rows']:,} rows")


@main.command()
@click.argument("line_id")
@_duckdb_option
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True,
              help="Language of the text (the JSON is language-neutral).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools instead of text.")
def explain(line_id: str, duckdb_path: Path | None, lang: str, as_json: bool) -> None:
    """Why LINE_ID got what it got: waiver, refund, lookup, rewards (published marts only)."""
    import json

    import duckdb

    from remedy.explain import UnknownLine, explain_line, format_text
    from remedy.published import open_published

    path = duckdb_path or settings.duckdb_path()
    try:
        with open_published(path) as con:
            explanation = explain_line(con, line_id)
    except UnknownLine as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except (FileNotFoundError, duckdb.Error) as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(explanation, ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(explanation, lang), nl=False)


@main.command("verify-extract")
@click.argument("package", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--public-key", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None,
              help="The sender's published public key (PEM): verifies who signed the package.")
@click.option("--duckdb", "duckdb_path", type=click.Path(path_type=Path, exists=True),
              default=None,
              help="Also check the package was extracted from this database (its fingerprint).")
def verify_extract(package: Path, public_key: Path | None, duckdb_path: Path | None) -> None:
    """Re-check a package: signature, checksums, that CSV, XLSX and Parquet hold the same rows,
    row counts and control totals (exit 1 on any problem). With --duckdb, also that it was
    extracted from that database."""
    from remedy.extract import SIGNER_VERIFIED, verify_package

    result = verify_package(package, public_key=public_key, duckdb_path=duckdb_path)
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}")
    if result.problems:
        click.echo(f"{package}: {len(result.problems)} problem(s)")
        sys.exit(1)
    signer = ("signed by the given key" if result.signer == SIGNER_VERIFIED
              else f"signer {result.signer.upper()}")
    click.echo(f"{package}: INTACT, {signer} ({result.signer_fingerprint})")



@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for remedy-signing-key.pem (private) and remedy-signing-key.pub.pem.")
@click.option("--passphrase-env", default=None, metavar="VARIABLE",
              help="Encrypt the private key with the passphrase in this environment variable "
                   "(then set REMEDY_SIGNING_KEY_PASSPHRASE when extracting).")
def keygen(out_dir: Path, passphrase_env: str | None) -> None:
    """Create an Ed25519 key pair for signing regulator packages (never overwrites)."""
    import os

    from remedy.signing import SIGNING_KEY_ENV, SigningKeyError, generate_key_pair

    passphrase = None
    if passphrase_env:
        if not os.environ.get(passphrase_env):
            raise click.ClickException(f"{passphrase_env} is not set")
        passphrase = os.environ[passphrase_env].encode()
    try:
        pair = generate_key_pair(out_dir, passphrase)
    except (SigningKeyError, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"private key {pair.private_path} (keep secret; export "
               f"{SIGNING_KEY_ENV}={pair.private_path})")
    click.echo(f"public key  {pair.public_path} (give to every recipient)")
    click.echo(f"fingerprint {pair.fingerprint}")


if __name__ == "__main__":
    main()
