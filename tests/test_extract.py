"""`remedy extract` / `remedy verify-extract`: the regulator package is complete, reproducible,
pseudonymised, signed, written atomically, and any tampering is detected: accidental damage
by the checksums, a deliberate and consistent edit by the signature and by comparing the
CSV, XLSX and Parquet copies of each table with each other and with the signed manifest."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from remedy import extract as extract_module
from remedy.cli import main
from remedy.contract import PII_COLUMNS
from remedy.dbt_runner import run_dbt
from remedy.extract import (
    DEVELOPMENT_MARK,
    DEVELOPMENT_TAG,
    SOURCE_RELATIONS,
    TABLES,
    read_rows,
    verify_package,
    write_extract,
)
from remedy.pseudonymise import SECRET_ENV, Pseudonymiser, SecretError, pseudonymiser_from_env
from remedy.settings import restricted_path
from remedy.signing import (
    DEVELOPMENT_FINGERPRINT,
    SIGNING_KEY_ENV,
    Signer,
    SigningKeyError,
    development_private_key,
    generate_key_pair,
    load_private_key,
    signer_from_env,
)
from test_validate_sample import CUSTOMERS, LINES, OUTCOMES, build_sample_warehouse, copy_warehouse

SECRET = "s" * 40


REGULATOR_MODELS = (
    "int_reward_entitlements_by_customer fct_reward_entitlement_summary "
    "path:models/reports/regulator"
)


def with_regulator_reports(path: Path, work: Path) -> Path:
    """The hand-made sample's regulator reports, built by dbt from its marts (the package
    selects the rpt_regulator__ models). The build log and the restricted database that
    dbt's hooks create are removed again: the sample has no build log of its own."""
    result = run_dbt(["run", "--select", *REGULATOR_MODELS.split()], duckdb_path=path,
                     target_path=work / "target", log_path=work / "logs", quiet=True)
    assert result.success, result.failures
    with duckdb.connect(str(path)) as con:
        con.execute("drop table main.rpt_builds")
    restricted_path(path).unlink()
    return path


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("extract")
    return with_regulator_reports(build_sample_warehouse(work / "sample.duckdb"), work)


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory):
    """KT's signing key pair for these tests (made as `remedy keygen` makes it)."""
    return generate_key_pair(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def signer(signing_key) -> Signer:
    return Signer(load_private_key(signing_key.private_path), False, SIGNING_KEY_ENV)


def _extract(warehouse: Path, out: Path, *args: str, secret: str | None = None,
             signing_key: Path | None = None):
    result = CliRunner().invoke(
        main, ["extract", "--duckdb", str(warehouse), "--out", str(out), *args],
        env={SECRET_ENV: secret, SIGNING_KEY_ENV: str(signing_key) if signing_key else None},
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
    assert {"generated_at", "git_commit", "database", "pseudonymisation", "signature",
            "content_sha256"} <= set(manifest)
    assert "dbt" not in manifest
    assert manifest["development_keys"] == ["pseudonymisation", "signing"]
    assert manifest["signature"]["public_key_fingerprint"] == DEVELOPMENT_FINGERPRINT
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
    assert "INTACT, signer DEVELOPMENT" in verified.output
    assert "built-in DEVELOPMENT key" in verified.output


def test_csv_is_utf8_with_bom_and_formats_agree(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12", Pseudonymiser(SECRET.encode(),
                                                                             False), signer)
    detail = {fmt: read_rows(result.package / f"refund_assignments_detail.{fmt}")
              for fmt in ("csv", "xlsx", "parquet")}
    assert (result.package / "refund_assignments_detail.csv").read_bytes().startswith(
        b"\xef\xbb\xbf")
    headers = {fmt: header for fmt, (header, _) in detail.items()}
    assert headers["csv"] == headers["xlsx"] == headers["parquet"]
    keys = {fmt: sorted(str(row[0]) for row in rows) for fmt, (_, rows) in detail.items()}
    assert keys["csv"] == keys["xlsx"] == keys["parquet"]


def test_same_warehouse_and_secret_give_identical_data_files(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    key = Pseudonymiser(SECRET.encode(), is_development=False)
    first = write_extract(warehouse, tmp_path / "a", "kt_2025_12", key, signer, now=_at(1))
    second = write_extract(warehouse, tmp_path / "b", "kt_2025_12", key, signer, now=_at(2))
    assert first.package.name != second.package.name
    data = sorted(path.name for path in first.package.iterdir() if path.name not in (
        "manifest.json", "manifest.json.sig", "signing-public-key.pem", "SHA256SUMS"))
    assert len(data) == 3 * len(TABLES)
    for name in data:
        assert (first.package / name).read_bytes() == (second.package / name).read_bytes(), name
    assert first.manifest["content_sha256"] == second.manifest["content_sha256"]
    assert first.manifest["generated_at"] != second.manifest["generated_at"]
    assert first.manifest["database"] == second.manifest["database"]
    assert [table["rows_sha256"] for table in first.manifest["tables"]] == [
        table["rows_sha256"] for table in second.manifest["tables"]]
    other = write_extract(warehouse, tmp_path / "c", "kt_2025_12",
                          Pseudonymiser(("t" * 40).encode(), False), signer, now=_at(3))
    assert other.manifest["content_sha256"] != first.manifest["content_sha256"]
    assert other.manifest["pseudonymisation"]["key_id"] != \
        first.manifest["pseudonymisation"]["key_id"]


def test_production_refuses_without_a_secret(
    warehouse: Path, tmp_path: Path, signing_key
) -> None:
    result, packages = _extract(warehouse, tmp_path / "out", "--production",
                                signing_key=signing_key.private_path)
    assert result.exit_code == 1
    assert SECRET_ENV in result.output and "export" in result.output
    assert packages == []
    with pytest.raises(SecretError, match="too short"):
        pseudonymiser_from_env(True, {SECRET_ENV: "short"})
    result, [package] = _extract(warehouse, tmp_path / "prod", "--production", secret=SECRET,
                                 signing_key=signing_key.private_path)
    assert result.exit_code == 0, result.output
    assert DEVELOPMENT_TAG not in package.name
    assert all(DEVELOPMENT_TAG not in path.name for path in package.iterdir())
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "FOR SUBMISSION"
    assert manifest["development_keys"] == []
    assert manifest["signature"]["public_key_fingerprint"] == signing_key.fingerprint
    assert manifest["signature"]["key"] == SIGNING_KEY_ENV
    verified = CliRunner().invoke(main, ["verify-extract", str(package), "--public-key",
                                         str(signing_key.public_path)])
    assert verified.exit_code == 0, verified.output
    assert f"INTACT, signed by the given key ({signing_key.fingerprint})" in verified.output


def test_production_refuses_without_a_real_signing_key(
    warehouse: Path, tmp_path: Path, signing_key
) -> None:
    result, packages = _extract(warehouse, tmp_path / "none", "--production", secret=SECRET)
    assert result.exit_code == 1
    assert SIGNING_KEY_ENV in result.output and "remedy keygen" in result.output
    assert packages == []
    development_pem = tmp_path / "development.pem"
    development_pem.write_bytes(development_private_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    result, packages = _extract(warehouse, tmp_path / "dev", "--production", secret=SECRET,
                                signing_key=development_pem)
    assert result.exit_code == 1
    assert "development key" in result.output
    assert packages == []
    # Without --production the development key file gives a development package.
    assert signer_from_env(False, {SIGNING_KEY_ENV: str(development_pem)}).is_development
    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("hello", encoding="utf-8")
    with pytest.raises(SigningKeyError, match="not a readable PEM private key"):
        signer_from_env(True, {SIGNING_KEY_ENV: str(not_a_key)})


def test_signing_key_and_pseudonymisation_secret_must_differ(
    warehouse: Path, tmp_path: Path, signing_key
) -> None:
    pem = signing_key.private_path.read_text(encoding="utf-8")
    result, packages = _extract(warehouse, tmp_path / "out", "--production", secret=pem,
                                signing_key=signing_key.private_path)
    assert result.exit_code == 1
    assert "must be two different secrets" in result.output
    assert packages == []


def test_a_real_secret_with_the_development_signing_key_is_a_development_package(
    warehouse: Path, tmp_path: Path
) -> None:
    result, [package] = _extract(warehouse, tmp_path / "out", secret=SECRET)
    assert result.exit_code == 0, result.output
    assert package.name.endswith(DEVELOPMENT_TAG)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == DEVELOPMENT_MARK
    assert manifest["development_keys"] == ["signing"]


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["keygen", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    private = tmp_path / "keys" / "remedy-signing-key.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys" / "remedy-signing-key.pub.pem").read_text(
        encoding="utf-8").startswith("-----BEGIN PUBLIC KEY-----")
    signer = signer_from_env(True, {SIGNING_KEY_ENV: str(private)})
    assert f"fingerprint {signer.fingerprint}" in result.output
    again = CliRunner().invoke(main, ["keygen", "--out", str(tmp_path / "keys")])
    assert again.exit_code == 1
    assert "refusing to overwrite" in again.output


def test_keygen_with_a_passphrase(tmp_path: Path) -> None:
    env = {"KEY_PASSPHRASE": "correct horse battery staple"}
    result = CliRunner().invoke(main, ["keygen", "--out", str(tmp_path),
                                       "--passphrase-env", "KEY_PASSPHRASE"], env=env)
    assert result.exit_code == 0, result.output
    private = str(tmp_path / "remedy-signing-key.pem")
    with pytest.raises(SigningKeyError):
        signer_from_env(True, {SIGNING_KEY_ENV: private})
    signer = signer_from_env(True, {SIGNING_KEY_ENV: private,
                                    "REMEDY_SIGNING_KEY_PASSPHRASE": env["KEY_PASSPHRASE"]})
    assert not signer.is_development


MSISDN = re.compile(r"01[016789]-?\d{3,4}-?\d{4}")
BIRTH_DATE_LIKE = re.compile(r"\b(19\d\d|200\d)-\d\d-\d\d\b")


def test_no_pii_in_any_file(warehouse: Path, tmp_path: Path, signer: Signer) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12", Pseudonymiser(SECRET.encode(),
                                                                             False), signer)
    raw_ids = {row[0] for row in LINES} | {row[0] for row in CUSTOMERS} | {
        row[0] for row in OUTCOMES}
    names = {row[3] for row in CUSTOMERS}
    scanned = 0
    for path in result.package.iterdir():
        if path.suffix not in (".csv", ".xlsx", ".parquet"):
            data = path.read_bytes()
            assert not any(name.encode() in data for name in names)
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


def _package(warehouse: Path, tmp_path: Path, signer: Signer) -> Path:
    return write_extract(warehouse, tmp_path, "kt_2025_12",
                         Pseudonymiser(SECRET.encode(), False), signer).package


def test_one_changed_byte_fails_verification(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    package = _package(warehouse, tmp_path, signer)
    path = package / "refunds_by_wave_and_channel.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["verify-extract", str(package)])
    assert result.exit_code == 1
    assert "refunds_by_wave_and_channel.parquet: SHA-256 does not match" in result.output


def test_changed_row_with_recomputed_checksums_fails(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    """Even a tamperer who rewrites SHA256SUMS and the manifest's checksums is caught by the
    control totals."""
    package = _package(warehouse, tmp_path, signer)
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
    problems = verify_package(package).problems
    assert any("total refund_krw 670,000 != manifest 580,000" in p for p in problems), problems


def test_missing_and_extra_files_fail(warehouse: Path, tmp_path: Path, signer: Signer) -> None:
    package = _package(warehouse, tmp_path, signer)
    (package / "refund_notices_by_date.xlsx").unlink()
    (package / "notes.txt").write_text("hello", encoding="utf-8")
    problems = verify_package(package).problems
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


def test_existing_package_is_never_overwritten(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    key = Pseudonymiser(SECRET.encode(), False)
    first = write_extract(warehouse, tmp_path, "kt_2025_12", key, signer, now=_at(5))
    with pytest.raises(extract_module.ExtractError, match="already exists"):
        write_extract(warehouse, tmp_path, "kt_2025_12", key, signer, now=_at(5))
    shutil.rmtree(first.package)


# --- deliberate, consistent forgeries -------------------------------------------------------

DETAIL = "refund_assignments_detail"
WRITERS = {
    "csv": extract_module.csv_bytes,
    "xlsx": lambda table: extract_module.xlsx_bytes(table, DETAIL),
    "parquet": extract_module.parquet_bytes,
}


def _moved_refund(package: Path) -> pa.Table:
    """The detail table with 100,000 won of refund moved from one line to another: every row
    count and control total stays the same."""
    table = pq.read_table(package / f"{DETAIL}.parquet")
    rows = table.to_pylist()
    giver = next(row for row in rows if row["refund_krw"] == 300_000)
    taker = next(row for row in rows if row["refund_krw"] == 50_000)
    giver["refund_krw"] -= 100_000
    taker["refund_krw"] += 100_000
    return pa.Table.from_pylist(rows, schema=table.schema)


def _recompute_checksums(package: Path, *, rows_sha256: dict[str, str] | None = None) -> None:
    """What a careful forger does after editing data files: every file checksum and size in
    the manifest, its content_sha256 (and, given, the row digests), then SHA256SUMS."""
    manifest_path = package / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    checksums = {}
    for table in manifest["tables"]:
        if rows_sha256 and table["name"] in rows_sha256:
            table["rows_sha256"] = rows_sha256[table["name"]]
        for entry in table["files"]:
            path = package / entry["path"]
            entry["sha256"] = extract_module.sha256(path)
            entry["bytes"] = path.stat().st_size
            checksums[entry["path"]] = entry["sha256"]
    manifest["content_sha256"] = extract_module.content_fingerprint(checksums)
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    _rewrite_sha256sums(package)


def _rewrite_sha256sums(package: Path) -> None:
    (package / "SHA256SUMS").write_text("".join(
        f"{extract_module.sha256(item)}  {item.name}\n" for item in sorted(package.iterdir())
        if item.name != "SHA256SUMS"), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_moved_refund_in_one_format_with_recomputed_checksums_fails(
    warehouse: Path, tmp_path: Path, signer: Signer, fmt: str
) -> None:
    package = _package(warehouse, tmp_path, signer)
    (package / f"{DETAIL}.{fmt}").write_bytes(WRITERS[fmt](_moved_refund(package)))
    _recompute_checksums(package)
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=package).returncode == 0
    problems = verify_package(package).problems
    assert any(p.startswith("manifest.json.sig: not a valid signature") for p in problems), \
        problems
    assert f"{DETAIL}.{fmt}: rows differ from the manifest's rows_sha256" in problems
    assert any("row(s) differ from" in p and "refund_krw" in p for p in problems), problems
    # The control totals alone would not have caught it.
    assert not any("total refund_krw" in p or " rows, manifest says" in p for p in problems)


def test_moved_refund_in_every_format_with_recomputed_digests_fails_on_the_signature(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    package = _package(warehouse, tmp_path, signer)
    forged = _moved_refund(package)
    for fmt, writer in WRITERS.items():
        (package / f"{DETAIL}.{fmt}").write_bytes(writer(forged))
    spec = next(spec for spec in TABLES if spec.name == DETAIL)
    _recompute_checksums(
        package, rows_sha256={DETAIL: extract_module.table_rows_digest(forged, spec)})
    problems = verify_package(package).problems
    assert len(problems) == 1 and problems[0].startswith(
        "manifest.json.sig: not a valid signature of manifest.json"), problems
    result = CliRunner().invoke(main, ["verify-extract", str(package)])
    assert result.exit_code == 1
    assert "problem(s)" in result.output


def test_consistent_forgery_re_signed_with_another_key_fails_against_the_public_key(
    warehouse: Path, tmp_path: Path, signer: Signer, signing_key
) -> None:
    """The forger edits all three formats, every digest and checksum, and signs the new
    manifest with a key of their own. Only the sender's published key tells."""
    package = _package(warehouse, tmp_path, signer)
    forged = _moved_refund(package)
    for fmt, writer in WRITERS.items():
        (package / f"{DETAIL}.{fmt}").write_bytes(writer(forged))
    spec = next(spec for spec in TABLES if spec.name == DETAIL)
    _recompute_checksums(
        package, rows_sha256={DETAIL: extract_module.table_rows_digest(forged, spec)})
    forger = generate_key_pair(tmp_path / "forger")
    forger_signer = Signer(load_private_key(forger.private_path), False, SIGNING_KEY_ENV)
    manifest_path = package / "manifest.json"

    # Re-signed, but the package still ships KT's public key: caught without --public-key.
    (package / "manifest.json.sig").write_bytes(forger_signer.sign(manifest_path.read_bytes()))
    _rewrite_sha256sums(package)
    assert any("not a valid signature" in p for p in verify_package(package).problems)

    # Re-signed with the forger's public key shipped and named in the manifest.
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["signature"]["public_key_fingerprint"] = forger.fingerprint
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (package / "manifest.json.sig").write_bytes(forger_signer.sign(manifest_path.read_bytes()))
    shutil.copyfile(forger.public_path, package / "signing-public-key.pem")
    _rewrite_sha256sums(package)

    with_key = CliRunner().invoke(main, ["verify-extract", str(package), "--public-key",
                                         str(signing_key.public_path)])
    assert with_key.exit_code == 1, with_key.output
    assert f"by the given public key {signing_key.fingerprint}" in with_key.output
    # Without the sender's key the package is self-consistent; the verdict says the signer is
    # unverified and names the forger's key, which is not KT's published fingerprint.
    without_key = CliRunner().invoke(main, ["verify-extract", str(package)])
    assert f"signer UNVERIFIED ({forger.fingerprint})" in without_key.output
    assert signing_key.fingerprint not in without_key.output


def test_wrong_public_key_fails_and_right_one_verifies(
    warehouse: Path, tmp_path: Path, signer: Signer, signing_key
) -> None:
    package = _package(warehouse, tmp_path, signer)
    other = generate_key_pair(tmp_path / "other")
    assert verify_package(package, public_key=signing_key.public_path).signer == "verified"
    assert verify_package(package, public_key=signing_key.private_path).signer == "verified"
    assert verify_package(package).signer == "unverified"
    wrong = verify_package(package, public_key=other.public_path)
    assert wrong.problems and "not a valid signature" in wrong.problems[0]


def test_a_development_signature_cannot_claim_submission(
    warehouse: Path, tmp_path: Path
) -> None:
    """Someone who edits a development package's status (and re-signs it with the public
    development key) does not turn it into a submission."""
    from remedy.signing import development_signer

    package = write_extract(warehouse, tmp_path, "kt_2025_12",
                            Pseudonymiser(SECRET.encode(), False)).package
    manifest_path = package / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["status"] = "FOR SUBMISSION"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (package / "manifest.json.sig").write_bytes(
        development_signer().sign(manifest_path.read_bytes()))
    _rewrite_sha256sums(package)
    problems = verify_package(package).problems
    assert problems == ["manifest.json: status 'FOR SUBMISSION' but signed with the "
                        "development key"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl on PATH")
def test_openssl_verifies_the_signature_independently(
    warehouse: Path, tmp_path: Path, signer: Signer, signing_key
) -> None:
    package = _package(warehouse, tmp_path, signer)
    checked = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(signing_key.public_path),
         "-rawin", "-in", "manifest.json", "-sigfile", "manifest.json.sig"],
        cwd=package, capture_output=True, text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Signature Verified Successfully" in checked.stdout


# --- the three formats hold the same rows -----------------------------------------------------

def test_timestamps_compare_at_the_precision_xlsx_holds() -> None:
    """XLSX keeps a timestamp to the millisecond; CSV and Parquet keep microseconds. A value
    is compared as Excel holds it, so honest packages agree and the check stays exact to the
    millisecond."""
    normalise = extract_module.normalise_value
    precise = dt.datetime(2026, 1, 31, 21, 59, 59, 999_600)
    assert normalise(precise, "timestamp") == normalise(
        "2026-01-31 21:59:59.999600", "timestamp") == normalise(
        dt.datetime(2026, 1, 31, 22, 0), "timestamp") == "2026-01-31 22:00:00.000000"
    assert normalise(dt.datetime(2026, 1, 14, 9, 0, 0, 1_000), "timestamp") \
        != normalise(dt.datetime(2026, 1, 14, 9), "timestamp")
    assert normalise(dt.datetime(2026, 1, 22), "date") == normalise("2026-01-22", "date")
    assert normalise("", "int64") is None and normalise("300000", "int64") == 300_000
    assert normalise(300000.0, "int64") == 300_000
    with pytest.raises(ValueError, match="not a whole number"):
        normalise("3e5", "int64")


def test_sub_millisecond_timestamps_survive_the_round_trip(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    path = copy_warehouse(warehouse, tmp_path / "precise.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("update main.rpt_regulator__refund_assignments_detail set applied_at_kst = "
                    "timestamp '2026-01-31 21:59:59.999700' where line_id = 'L03'")
    package = _package(path, tmp_path, signer)
    result = verify_package(package)
    assert result.problems == []
    csv_text = (package / f"{DETAIL}.csv").read_text(encoding="utf-8-sig")
    assert "2026-01-31 21:59:59.999700" in csv_text


def test_a_value_that_does_not_fit_its_column_is_named(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    package = _package(warehouse, tmp_path, signer)
    path = package / f"{DETAIL}.csv"
    path.write_bytes(path.read_bytes().replace(b",300000,0\r\n", b",lots,0\r\n"))
    problems = verify_package(package).problems
    assert any(p.startswith(f"{DETAIL}.csv: row ") and "'lots' is not a whole number" in p
               for p in problems), problems


# --- the database and build the package came from ---------------------------------------------

BUILDS = [
    # build_seq, invocation_id, status, started_at, finished_at, full_refresh
    (1, "inv-1", "success", dt.datetime(2026, 1, 14, 1), dt.datetime(2026, 1, 14, 1, 12), True),
    (2, "inv-2", "failed", dt.datetime(2026, 1, 15, 1), dt.datetime(2026, 1, 15, 1, 3), False),
    (3, "inv-3", "success", dt.datetime(2026, 1, 16, 1), dt.datetime(2026, 1, 16, 1, 11),
     False),
]


def _with_builds(warehouse: Path, target: Path, builds=BUILDS, program_id="kt_2025_12") -> Path:
    """The sample warehouse with the build log the lead's build tracking writes."""
    path = copy_warehouse(warehouse, target)
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create table main.rpt_builds (
                build_seq integer, invocation_id varchar, status varchar,
                started_at timestamp, finished_at timestamp, dbt_version varchar,
                program_id varchar, full_refresh boolean
            )
        """)
        con.executemany(
            "insert into main.rpt_builds values (?, ?, ?, ?, ?, '1.11.16', ?, ?)",
            [(seq, inv, status, start, end, program_id, full)
             for seq, inv, status, start, end, full in builds],
        )
    return path


def test_manifest_records_the_latest_build_from_the_database(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    path = _with_builds(warehouse, tmp_path / "built.duckdb")
    target = tmp_path / "target"
    target.mkdir()
    (target / "run_results.json").write_text(json.dumps(
        {"metadata": {"invocation_id": "from-target-folder"}}), encoding="utf-8")
    result = write_extract(path, tmp_path / "out", "kt_2025_12",
                           Pseudonymiser(SECRET.encode(), False), signer)
    database = result.manifest["database"]
    assert database["build"] == {
        "build_seq": 3, "invocation_id": "inv-3", "status": "success",
        "started_at": "2026-01-16 01:00:00", "finished_at": "2026-01-16 01:11:00",
        "dbt_version": "1.11.16", "program_id": "kt_2025_12", "full_refresh": False,
    }
    assert database["build_note"] is None
    assert "from-target-folder" not in (result.package / "manifest.json").read_text(
        encoding="utf-8")
    assert [item["relation"] for item in database["relations"]] == sorted(SOURCE_RELATIONS)
    rows = {item["relation"]: item["rows"] for item in database["relations"]}
    assert rows["main.rpt_regulator__waiver_population_register"] == 10
    assert rows["main.rpt_regulator__refund_assignments_detail"] == 5
    assert database["fingerprint"].startswith("sha256:")
    assert verify_package(result.package, duckdb_path=path).problems == []


def test_fingerprint_changes_with_a_row_or_the_build(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    key = Pseudonymiser(SECRET.encode(), False)
    path = _with_builds(warehouse, tmp_path / "built.duckdb")
    first = write_extract(path, tmp_path / "a", "kt_2025_12", key, signer, now=_at(1))
    with duckdb.connect(str(path)) as con:
        con.execute("update main.rpt_regulator__rewards_by_benefit_and_month "
                    "set total_quantity = total_quantity + 1 where benefit = 'data_bonus'")
    changed = verify_package(first.package, duckdb_path=path).problems
    assert len(changed) == 1, changed
    assert "(changed: main.rpt_regulator__rewards_by_benefit_and_month)" in changed[0]
    second = write_extract(path, tmp_path / "b", "kt_2025_12", key, signer, now=_at(2))
    assert second.manifest["database"]["fingerprint"] != first.manifest["database"]["fingerprint"]
    rebuilt = _with_builds(warehouse, tmp_path / "rebuilt.duckdb",
                           builds=[(*BUILDS[0][:1], "inv-9", *BUILDS[0][2:])])
    third = write_extract(rebuilt, tmp_path / "c", "kt_2025_12", key, signer, now=_at(3))
    assert third.manifest["database"]["relations"] == first.manifest["database"]["relations"]
    assert third.manifest["database"]["fingerprint"] != first.manifest["database"]["fingerprint"]


def test_database_without_a_build_log_records_null_with_a_note(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12",
                           Pseudonymiser(SECRET.encode(), False), signer)
    database = result.manifest["database"]
    assert database["build"] is None
    assert "main.rpt_builds does not exist" in database["build_note"]


def test_a_build_of_another_program_or_an_unfinished_build_is_refused(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    key = Pseudonymiser(SECRET.encode(), False)
    other = _with_builds(warehouse, tmp_path / "rev1.duckdb", program_id="kt_2025_12_rev1")
    with pytest.raises(extract_module.ExtractError, match="built for program 'kt_2025_12_rev1'"):
        write_extract(other, tmp_path / "a", "kt_2025_12", key, signer)
    failed = _with_builds(warehouse, tmp_path / "failed.duckdb", builds=BUILDS[:2])
    result = write_extract(failed, tmp_path / "b", "kt_2025_12", key, signer)
    assert "status 'failed'" in result.manifest["database"]["build_note"]
    with pytest.raises(extract_module.ExtractError, match="--production refuses"):
        write_extract(failed, tmp_path / "c", "kt_2025_12", key, signer, production=True)
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())


def test_the_fingerprint_covers_every_relation_the_package_reads() -> None:
    import re

    source = Path(extract_module.__file__).read_text(encoding="utf-8")
    read = {f"main.{name}" for name in re.findall(r"main\.((?:fct|dim|rpt)_\w+)", source)}
    # main.rpt_builds is the build log the manifest records, not a source of the tables
    assert read - {"main.rpt_builds"} == set(SOURCE_RELATIONS)


def test_an_older_database_without_the_regulator_reports_is_refused(
    tmp_path: Path, signer: Signer
) -> None:
    path = build_sample_warehouse(tmp_path / "old.duckdb")
    with pytest.raises(extract_module.ExtractError, match="rebuild it with `remedy build`"):
        write_extract(path, tmp_path / "out", "kt_2025_12",
                      Pseudonymiser(SECRET.encode(), False), signer)


def test_a_malformed_manifest_is_a_problem_not_a_crash(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    package = _package(warehouse, tmp_path, signer)
    manifest_path = package / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["tables"][0]["control_totals"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    _rewrite_sha256sums(package)
    problems = verify_package(package).problems
    assert any("not a valid signature" in p for p in problems)
    assert any("malformed table entry" in p for p in problems)


def test_audit_sample_is_recomputable_from_the_package(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    """Issue 11: the regulator redraws the audit sample from the register alone, following
    the recipe in the manifest (written out here with hashlib/hmac, not remedy's code)."""
    import hashlib
    import hmac

    result = write_extract(warehouse, tmp_path, "kt_2025_12",
                           Pseudonymiser(SECRET.encode(), False), signer)
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
    assert verify_package(package).problems == []


def test_remediation_status_accounts_for_every_paid_won(
    warehouse: Path, tmp_path: Path, signer: Signer
) -> None:
    result = write_extract(warehouse, tmp_path, "kt_2025_12",
                           Pseudonymiser(SECRET.encode(), False), signer)
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
