"""`remedy validate`: run the GX suites of expectations/ against a built warehouse, in DuckDB.

Each `expectations/<mart>.json` is a GX ExpectationSuite template for the published mart of
that name (schema `main`). Parameter values are rendered from the active program's seed rows
(`remedy.program`), so a revision is validated against its own parameters. Expectations run
in the database through GX's SQL datasource (`remedy.gx_duckdb`), never through pandas.

A run writes a GX file project under the run folder: the rendered suites
(`gx/expectations/`), the validation results (`gx/uncommitted/validations/`) and Data Docs
(`gx/uncommitted/data_docs/local_site/index.html`), plus `report.txt` and `summary.json`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from remedy.program import Program, jsonable, load_program, template_parameters
from remedy.published import open_published, relation_exists
from remedy.settings import PROJECT_DIR

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
RUNS_DIR = PROJECT_DIR / "runs"
MART_SCHEMA = "main"
RESULT_FORMAT = "BASIC"
SQL_KEYS = frozenset({"unexpected_rows_query"})
QUERY_EXPECTATIONS = frozenset({"unexpected_rows_expectation", "expect_query_to_return_no_rows"})

_WHOLE = re.compile(r"^\{\{\s*([A-Za-z_]\w*)\s*\}\}$")
_EMBEDDED = re.compile(r"\{\{\s*(rows:)?([A-Za-z_]\w*)\s*\}\}")


class TemplateError(ValueError):
    """A suite template names a parameter the program does not have, or is malformed."""


def sql_literal(value: Any) -> str:
    """A DuckDB literal for a parameter value (lists become `(a, b)` for `in`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "(" + ", ".join(sql_literal(item) for item in value) + ")"
    return "'" + str(value).replace("'", "''") + "'"


def _text(value: Any) -> str:
    value = jsonable(value)
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value)


def rows_sql(program: Program, table: str) -> str:
    """A program table's rows as an inline relation: `(select * from (values ...) as t(...))`."""
    rows = program.tables.get(table)
    if not rows:
        raise TemplateError(f"program {program.program_id} has no rows in {table}")
    columns = list(rows[0])
    values = ", ".join(
        "(" + ", ".join(sql_literal(row[column]) for column in columns) + ")" for row in rows
    )
    return f"(select * from (values {values}) as {table}({', '.join(columns)}))"


@dataclass(frozen=True)
class Renderer:
    """Fills `{{ name }}` placeholders of a suite template from the program.

    - A string that is exactly `{{ name }}` becomes the parameter's JSON value (a list stays
      a list, a date becomes `2026-01-22`).
    - Inside an `unexpected_rows_query`, `{{ name }}` becomes a SQL literal and
      `{{ rows:<program table> }}` an inline relation of that table's rows.
    - Inside any other string (descriptions), `{{ name }}` becomes plain text.
    - An `unexpected_rows_query` may be written as a list of lines; they are joined.
    """

    program: Program
    params: Mapping[str, Any]

    def render(self, template: Any, key: str | None = None) -> Any:
        if isinstance(template, dict):
            return {name: self.render(value, name) for name, value in template.items()}
        if isinstance(template, list):
            if key in SQL_KEYS and all(isinstance(line, str) for line in template):
                return self.render("\n".join(template), key)
            return [self.render(item) for item in template]
        if isinstance(template, str):
            return self._render_string(template, key)
        return template

    def _param(self, name: str) -> Any:
        if name not in self.params:
            raise TemplateError(f"unknown template parameter {name!r}")
        return self.params[name]

    def _render_string(self, text: str, key: str | None) -> Any:
        whole = _WHOLE.match(text)
        if whole:
            return jsonable(self._param(whole.group(1)))

        def substitute(match: re.Match[str]) -> str:
            is_rows, name = match.group(1), match.group(2)
            if is_rows:
                if key not in SQL_KEYS:
                    raise TemplateError(f"{{{{ rows:{name} }}}} is only allowed in SQL")
                return rows_sql(self.program, name)
            value = self._param(name)
            return sql_literal(value) if key in SQL_KEYS else _text(value)

        return _EMBEDDED.sub(substitute, text)


def load_templates(expectations_dir: Path = EXPECTATIONS_DIR) -> dict[str, dict]:
    """Suite templates by suite name (the mart each one validates)."""
    templates = {}
    for path in sorted(expectations_dir.glob("*.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        if template.get("name") != path.stem:
            raise TemplateError(f"{path.name}: suite name must be {path.stem!r}")
        checks = [exp.get("meta", {}).get("check") for exp in template["expectations"]]
        if None in checks or len(set(checks)) != len(checks):
            raise TemplateError(f"{path.name}: every expectation needs a unique meta.check")
        templates[path.stem] = template
    if not templates:
        raise TemplateError(f"no suite templates in {expectations_dir}")
    return templates


def render_suites(templates: Mapping[str, dict], program: Program) -> dict[str, dict]:
    renderer = Renderer(program, template_parameters(program))
    rendered = {}
    for name, template in templates.items():
        try:
            suite = renderer.render(template)
        except TemplateError as error:
            raise TemplateError(f"{name}.json: {error}") from error
        suite.setdefault("meta", {})["program_id"] = program.program_id
        rendered[name] = suite
    return rendered


@dataclass
class CheckResult:
    suite: str
    check: str
    rules: list[str]
    description: str
    success: bool
    unexpected: int | None = None
    observed: str = ""
    error: str | None = None


@dataclass
class ValidationRun:
    duckdb_path: str
    program_id: str
    run_dir: str
    seconds: float
    results: list[CheckResult] = field(default_factory=list)
    data_docs: str | None = None

    @property
    def success(self) -> bool:
        return bool(self.results) and all(result.success for result in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [result for result in self.results if not result.success]


def default_run_dir(now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    return RUNS_DIR / f"validate-{stamp}"


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if isinstance(info, Mapping) and "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    if isinstance(info, Mapping):
        for value in info.values():
            message = _exception_message(value)
            if message:
                return message
    return None


def _sample(values: list) -> str:
    shown = [jsonable(value) for value in values[:5]]
    return ", ".join(json.dumps(value, default=str, ensure_ascii=False) for value in shown)


def _check_result(suite: str, gx_result: Any) -> CheckResult:
    config = gx_result.expectation_config
    meta = dict(config.meta or {})
    result = dict(gx_result.result or {})
    error = _exception_message(gx_result.exception_info)
    unexpected = result.get("unexpected_count")
    if unexpected is not None:
        observed = f"{unexpected:,} of {result.get('element_count', 0):,} rows unexpected"
        if result.get("partial_unexpected_list"):
            observed += f" (e.g. {_sample(result['partial_unexpected_list'])})"
    elif "observed_value" in result:
        unexpected = result["observed_value"] if config.type in QUERY_EXPECTATIONS \
            else None
        count = result['observed_value']
        observed = f"{count:,} row{'' if count == 1 else 's'}"
        rows = (result.get("details") or {}).get("unexpected_rows")
        if rows:
            observed += f" (e.g. {_sample(list(rows))})"
    else:
        observed = ""
    return CheckResult(
        suite=suite,
        check=str(meta.get("check")),
        rules=list(meta.get("rules", [])),
        description=config.description or meta.get("description", ""),
        success=bool(gx_result.success) and error is None,
        unexpected=int(unexpected) if isinstance(unexpected, int | float) else None,
        observed=observed,
        error=error,
    )


def run_validation(
    duckdb_path: Path | str,
    program_id: str,
    run_dir: Path | str | None = None,
    expectations_dir: Path = EXPECTATIONS_DIR,
    data_docs: bool = True,
    only: list[str] | tuple[str, ...] = (),
) -> ValidationRun:
    """Validate every published mart that has a suite (or only the suites named in `only`);
    results under run_dir."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from remedy.gx_duckdb import add_duckdb_datasource, close_datasource

    started = time.perf_counter()
    run_dir = Path(run_dir) if run_dir else default_run_dir()
    if run_dir.exists() and any(run_dir.iterdir()):
        raise FileExistsError(f"run folder {run_dir} is not empty")
    templates = load_templates(expectations_dir)
    unknown = sorted(set(only) - set(templates))
    if unknown:
        raise TemplateError(f"no suite named {', '.join(unknown)} (known: {', '.join(templates)})")
    if only:
        templates = {name: template for name, template in templates.items() if name in only}
    with open_published(duckdb_path) as con:
        program = load_program(con, program_id)
        missing = [name for name in templates if not relation_exists(con, MART_SCHEMA, name)]
    suites = render_suites(templates, program)

    run_dir.mkdir(parents=True, exist_ok=True)
    run = ValidationRun(str(Path(duckdb_path).resolve()), program_id, str(run_dir), 0.0)
    for name in missing:
        run.results.append(CheckResult(
            suite=name, check="mart_exists", rules=[], description=f"{MART_SCHEMA}.{name} exists",
            success=False, error=f"{MART_SCHEMA}.{name} does not exist in the database",
        ))

    context = gx.get_context(mode="file", project_root_dir=str(run_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.variables.save()
    datasource = add_duckdb_datasource(context, "warehouse", duckdb_path)
    try:
        _run_checkpoint(context, datasource, suites, missing, run, run_dir, data_docs)
    finally:
        close_datasource(datasource)
    return _finish(run, suites, started)


def _run_checkpoint(
    context: Any, datasource: Any, suites: Mapping[str, dict], missing: list[str],
    run: ValidationRun, run_dir: Path, data_docs: bool,
) -> None:
    """One GX checkpoint over every suite whose mart exists; results appended to `run`."""
    import great_expectations as gx

    definitions = []
    for name, suite_dict in suites.items():
        if name in missing:
            continue
        # DuckDB resolves unqualified names in `main`, the mart schema (schema_name is
        # deprecated in GX 1.x).
        asset = datasource.add_table_asset(name=name, table_name=name)
        batch = asset.add_batch_definition_whole_table(f"{name}_all_rows")
        suite = context.suites.add(gx.ExpectationSuite(**suite_dict))
        definitions.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        ))
    if definitions:
        actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if data_docs else []
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name="remedy_validate", validation_definitions=definitions, actions=actions,
            result_format=RESULT_FORMAT,
        ))
        outcome = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_dir.name))
        for suite_result in outcome.run_results.values():
            for gx_result in suite_result.results:
                run.results.append(_check_result(suite_result.suite_name, gx_result))
        if data_docs:
            index = run_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
            run.data_docs = str(index) if index.is_file() else None


def _finish(run: ValidationRun, suites: Mapping[str, dict], started: float) -> ValidationRun:
    run_dir = Path(run.run_dir)
    order = {
        (name, expectation["meta"]["check"]): position
        for position, (name, expectation) in enumerate(
            (name, expectation) for name, suite in suites.items()
            for expectation in suite["expectations"]
        )
    }
    run.results.sort(key=lambda result: order.get((result.suite, result.check), -1))
    run.seconds = time.perf_counter() - started
    (run_dir / "report.txt").write_text(format_report(run), encoding="utf-8")
    (run_dir / "summary.json").write_text(
        json.dumps({**asdict(run), "success": run.success}, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    return run


def format_report(run: ValidationRun) -> str:
    """One line per expectation, grouped by suite, failures explained."""
    lines = [f"remedy validate: {run.duckdb_path} (program {run.program_id})"]
    suite = None
    for result in run.results:
        if result.suite != suite:
            suite = result.suite
            lines.append(f"\n{suite}")
        status = "PASS" if result.success else "FAIL"
        rules = f" [{', '.join(result.rules)}]" if result.rules else ""
        lines.append(f"  {status}  {result.check}{rules}")
        if not result.success:
            if result.description:
                lines.append(f"        expected: {result.description}")
            if result.error:
                lines.append(f"        error: {result.error.splitlines()[0][:300]}")
            elif result.observed:
                lines.append(f"        found: {result.observed}")
    passed = sum(result.success for result in run.results)
    lines.append(
        f"\n{passed} of {len(run.results)} expectations passed in {run.seconds:.1f} s; "
        f"results in {run.run_dir}"
    )
    if run.data_docs:
        lines.append(f"Data Docs: {run.data_docs}")
    lines.append("VALIDATION PASSED" if run.success else
                 f"VALIDATION FAILED: {', '.join(f'{r.suite}.{r.check}' for r in run.failures)}")
    return "\n".join(lines) + "\n"
