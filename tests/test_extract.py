"""`remedy extract` / `remedy verify-extract`: the regulator package is complete, reproducible,
pseudonymised, written atomically, and any tampering is detected."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from remedy import extract as extract_module
from remedy.cli import main
from remedy.contract import PII_COLUMNS
from remedy.extract import (
    DEVELOPMENT_MARK,
    DEVELOPMENT_TAG,
    TABLES,
    read_rows,
    verify_package,
    write_extract,
)
from remedy.pseudonymise import SECRET_ENV, Pseudonymiser, SecretError, pseudonymiser_from_env
from test_validate_sample import CUSTOMERS, LINES, OUTCOMES, build_sample_warehouse

SECRET = "s" * 40


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("extract") / "sample.duckdb")


def _extract(warehouse: Path, out: Path, *args: str, secret: str | None = None):
    result = CliRunner().invoke(
        main, ["extract", "--duckdb", str(warehouse), "--out", str(out), *args],
        env={SECRET_ENV: secret},
    )
    packages = [path for path in out.iterdir()] if out.exists() else []
    return result, packages


def _at(year_second: int):
    return lambda: dt.datetime(2026, 3, 1, 12, 0, year_second, tzinfo=dt.UTC)


def test_development_package_is_complete_and_marked(warehouse: Path, tmp_path: Path) -> None:
    result, packages = _extract(warehouse, tmp_path / "out")
    assert result.exit_code == 0, result.output
    [package] = packages
    assert package.name.startswith("kt_2025_12_asof-2026-01-13_")
    assert package.name.endswith(DEVELOPMENT_TAG)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == DEVELOPMENT_MARK
    assert manifest["program"]["program_id"] == "kt_2025_12"
    assert manifest["program"]["program_refund_waves"][0]["payout_date"] == "2026-01-22"
    assert manifest["as_of"] == "2026-01-13"
    assert {"generated_at", "git_commit", "dbt", "pseudonymisation", "content_sha256"} <= set(
        manifest)
    names = {table["name"] for table in manifest["tables"]}
    assert names == {spec.name for spec in TABLES}
    for table in manifest["tables"]:
        assert [entry["format"] for entry in table["files"]] == ["csv", "xlsx", "parquet"]
        for entry in table["files"]:
            assert entry["path"].startswith(DEVELOPMENT_TAG)
            assert (package / entry["path"]).stat().st_size == entry["bytes"]
    detail = next(t for t in manifest["tables"] if t["name"] == "refund_assignments_detail")
    assert detail["rows"] == 5
    assert detail["control_totals"] == {"rows": 5, "refund_krw": 580_000, "cancel_krw": 150_000}
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=package,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verified = CliRunner().invoke(main, ["verify-extract", str(package)])
    assert verified.exit_code == 0, verified.output
    assert "INTACT" in verified.output


def test_csv_is_utf8_with_bom_and_formats_agree(warehouse: Path, tmp_path: Path) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12", Pseudonymiser(SECRET.encode(),
                                                                             False))
    detail = {fmt: read_rows(result.package / f"refund_assignments_detail.{fmt}")
              for fmt in ("csv", "xlsx", "parquet")}
    assert (result.package / "refund_assignments_detail.csv").read_bytes().startswith(
        b"\xef\xbb\xbf")
    headers = {fmt: header for fmt, (header, _) in detail.items()}
    assert headers["csv"] == headers["xlsx"] == headers["parquet"]
    keys = {fmt: sorted(str(row[0]) for row in rows) for fmt, (_, rows) in detail.items()}
    assert keys["csv"] == keys["xlsx"] == keys["parquet"]


def test_same_warehouse_and_secret_give_identical_data_files(
    warehouse: Path, tmp_path: Path
) -> None:
    key = Pseudonymiser(SECRET.encode(), is_development=False)
    first = write_extract(warehouse, tmp_path / "a", "kt_2025_12", key, now=_at(1))
    second = write_extract(warehouse, tmp_path / "b", "kt_2025_12", key, now=_at(2))
    assert first.package.name != second.package.name
    data = sorted(path.name for path in first.package.iterdir()
                  if path.name not in ("manifest.json", "SHA256SUMS"))
    assert len(data) == 3 * len(TABLES)
    for name in data:
        assert (first.package / name).read_bytes() == (second.package / name).read_bytes(), name
    assert first.manifest["content_sha256"] == second.manifest["content_sha256"]
    assert first.manifest["generated_at"] != second.manifest["generated_at"]
    other = write_extract(warehouse, tmp_path / "c", "kt_2025_12",
                          Pseudonymiser(("t" * 40).encode(), False), now=_at(3))
    assert other.manifest["content_sha256"] != first.manifest["content_sha256"]
    assert other.manifest["pseudonymisation"]["key_id"] != \
        first.manifest["pseudonymisation"]["key_id"]


def test_production_refuses_without_a_secret(warehouse: Path, tmp_path: Path) -> None:
    result, packages = _extract(warehouse, tmp_path / "out", "--production")
    assert result.exit_code == 1
    assert SECRET_ENV in result.output and "export" in result.output
    assert packages == []
    with pytest.raises(SecretError, match="too short"):
        pseudonymiser_from_env(True, {SECRET_ENV: "short"})
    result, [package] = _extract(warehouse, tmp_path / "prod", "--production", secret=SECRET)
    assert result.exit_code == 0, result.output
    assert DEVELOPMENT_TAG not in package.name
    assert all(DEVELOPMENT_TAG not in path.name for path in package.iterdir())
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "FOR SUBMISSION"


MSISDN = re.compile(r"01[016789]-?\d{3,4}-?\d{4}")
BIRTH_DATE_LIKE = re.compile(r"\b(19\d\d|200\d)-\d\d-\d\d\b")


def test_no_pii_in_any_file(warehouse: Path, tmp_path: Path) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12", Pseudonymiser(SECRET.encode(),
                                                                             False))
    raw_ids = {row[0] for row in LINES} | {row[0] for row in CUSTOMERS} | {
        row[0] for row in OUTCOMES}
    names = {row[3] for row in CUSTOMERS}
    scanned = 0
    for path in result.package.iterdir():
        if path.suffix not in (".csv", ".xlsx", ".parquet"):
            text = path.read_text(encoding="utf-8")
            assert not any(name in text for name in names)
            continue
        header, rows = read_rows(path)
        assert not PII_COLUMNS & set(header), path.name
        assert "person_key" not in header
        for row in rows:
            for value in row:
                text = "" if value is None else str(value)
                assert not MSISDN.search(text), (path.name, text)
                assert not BIRTH_DATE_LIKE.search(text), (path.name, text)
                assert text not in raw_ids, (path.name, text)
                assert text not in names, (path.name, text)
        scanned += 1
    assert scanned == 3 * len(TABLES)


def _package(warehouse: Path, tmp_path: Path) -> Path:
    return write_extract(warehouse, tmp_path, "kt_2025_12",
                         Pseudonymiser(SECRET.encode(), False)).package


def test_one_changed_byte_fails_verification(warehouse: Path, tmp_path: Path) -> None:
    package = _package(warehouse, tmp_path)
    path = package / "refunds_by_wave_and_channel.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["verify-extract", str(package)])
    assert result.exit_code == 1
    assert "refunds_by_wave_and_channel.parquet: SHA-256 does not match" in result.output


def test_changed_row_with_recomputed_checksums_fails(warehouse: Path, tmp_path: Path) -> None:
    """Even a tamperer who rewrites SHA256SUMS and the manifest's checksums is caught by the
    control totals."""
    package = _package(warehouse, tmp_path)
    path = package / "refund_assignments_detail.csv"
    path.write_bytes(path.read_bytes().replace(b",300000,0\r\n", b",390000,0\r\n"))
    manifest_path = package / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for table in manifest["tables"]:
        for entry in table["files"]:
            if entry["path"] == path.name:
                entry["sha256"] = extract_module.sha256(path)
                entry["bytes"] = path.stat().st_size
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (package / "SHA256SUMS").write_text("".join(
        f"{extract_module.sha256(item)}  {item.name}\n" for item in sorted(package.iterdir())
        if item.name != "SHA256SUMS"), encoding="utf-8")
    problems = verify_package(package)
    assert any("total refund_krw 670,000 != manifest 580,000" in p for p in problems), problems


def test_missing_and_extra_files_fail(warehouse: Path, tmp_path: Path) -> None:
    package = _package(warehouse, tmp_path)
    (package / "refund_notices_by_date.xlsx").unlink()
    (package / "notes.txt").write_text("hello", encoding="utf-8")
    problems = verify_package(package)
    assert "notes.txt: not listed in SHA256SUMS" in problems
    assert "refund_notices_by_date.xlsx: listed in SHA256SUMS but missing" in problems


def test_failed_run_leaves_no_half_package(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(extract_module, "parquet_bytes", broken)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        write_extract(warehouse, out, "kt_2025_12", Pseudonymiser(SECRET.encode(), False))
    assert list(out.iterdir()) == []


def test_existing_package_is_never_overwritten(warehouse: Path, tmp_path: Path) -> None:
    key = Pseudonymiser(SECRET.encode(), False)
    first = write_extract(warehouse, tmp_path, "kt_2025_12", key, now=_at(5))
    with pytest.raises(extract_module.ExtractError, match="already exists"):
        write_extract(warehouse, tmp_path, "kt_2025_12", key, now=_at(5))
    shutil.rmtree(first.package)


def test_audit_sample_is_recomputable_from_the_package(warehouse: Path, tmp_path: Path) -> None:
    """Issue 11: the regulator redraws the audit sample from the register alone, following
    the recipe in the manifest (written out here with hashlib/hmac, not remedy's code)."""
    import hashlib
    import hmac

    result = write_extract(warehouse, tmp_path, "kt_2025_12",
                           Pseudonymiser(SECRET.encode(), False))
    package = result.package
    description = next(table["description"] for table in result.manifest["tables"]
                       if table["name"] == "determination_audit_sample")
    assert "HMAC-SHA256" in description and "sorted ascending" in description
    header, register = read_rows(package / "waiver_population_register.parquet")
    assert header == ["line_pseudonym", "waiver_status", "assignment_status"]
    assert len(register) == 10
    seed = hashlib.sha256("\n".join(sorted(row[0] for row in register)).encode()).hexdigest()
    strata: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for pseudonym, waiver_status, assignment_status in register:
        key = hmac.new(seed.encode(), pseudonym.encode(), hashlib.sha256).hexdigest()
        strata.setdefault((waiver_status, assignment_status), []).append((key, pseudonym))
    expected = sorted(
        (waiver_status, assignment_status, rank, key, pseudonym)
        for (waiver_status, assignment_status), members in strata.items()
        for rank, (key, pseudonym) in enumerate(sorted(members)[:10], start=1))
    header, sample = read_rows(package / "determination_audit_sample.csv")
    column = {name: index for index, name in enumerate(header)}
    drawn = sorted((row[column["waiver_status"]], row[column["assignment_status"]],
                    int(row[column["sample_rank"]]), row[column["sample_key"]],
                    row[column["line_pseudonym"]]) for row in sample)
    assert drawn == expected
    assert {row[column["sample_seed"]] for row in sample} == {seed}
    assert {(row[0], row[1]) for row in drawn} == {
        ("eligible", "scheduled"), ("eligible", "not_applied"), ("eligible", "manual_review"),
        ("excluded", "none"), ("eligible_no_penalty", "none")}
    for row in sample:
        trace = json.loads(row[column["rule_trace"]])
        assert trace[0]["rule_id"] == "W1"
        assert row[column["waiver_decided_by"]] in {step["rule_id"] for step in trace}
    assert verify_package(package) == []


def test_remediation_status_accounts_for_every_paid_won(warehouse: Path, tmp_path: Path) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12",
                           Pseudonymiser(SECRET.encode(), False))
    header, rows = read_rows(result.package / "remediation_status_by_state.parquet")
    by_state: dict[str, int] = {}
    for row in rows:
        record = dict(zip(header, row, strict=True))
        if record["waiver_status"] == "eligible":
            by_state[record["remediation_state"]] = by_state.get(
                record["remediation_state"], 0) + record["refund_krw"]
    assert by_state == {"refund_scheduled": 450_000, "manual_review": 80_000,
                        "unclaimed": 50_000}
    header, rows = read_rows(result.package / "unclaimed_refunds_totals.csv")
    assert [dict(zip(header, row, strict=True))["refund_krw"] for row in rows] == ["50000"]
