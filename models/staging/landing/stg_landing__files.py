"""The landing directory's inventory: one row per file (or folder) found in a table folder.

Every file the contract names (`<raw_dir>/<table>/<name>.parquet`) is probed once, the
build in which it is first seen, and gets one verdict:

- `loaded`: readable as its table; its rows enter staging in this build;
- `set_aside`: it cannot be read as its table (not Parquet, a column of an incompatible
  type, a reserved column name, invalid UTF-8, missing contract columns). Nothing of it
  is read, the rest of the warehouse builds, and the file is listed with reason and fix;
- `ignored`: the contract does not name it (a hidden file, a subfolder, `x.PARQUET`,
  `x.parquet.gz`).

Kept across builds (the model reads its own previous table before replacing it): later
builds probe only new files. A landing directory is append-only
(SOURCE_CONTRACT.md): when a loaded file is gone or changed, or RAW_DIR points at another
directory, the build stops here, before anything is written, and says why. This has to be
Python: one unreadable file makes any SQL read of it fail, and SQL cannot catch that.
"""

import json
import os

RESERVED_COLUMNS = ("filename", "file_row_number")
INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}
EXACT_TYPES = {
    "varchar": {"VARCHAR"},
    "timestamptz": {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ_NS"},
    "date": {"DATE"},
    "bigint": INTEGER_TYPES,
    "integer": INTEGER_TYPES,
    "boolean": {"BOOLEAN"},
}
# Delivered types whose values are quarantined row by row as invalid_type (shown as the
# text that was delivered) instead of setting the whole file aside: text anywhere, a
# naive or date-only time for an instant, a time for a date, a fraction for whole won.
TEXTUAL_TYPES = {
    "varchar": set(),
    "timestamptz": {"VARCHAR", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S",
                    "DATE"},
    "date": {"VARCHAR", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S",
             "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ_NS"},
    "bigint": {"VARCHAR", "FLOAT", "DOUBLE"},
    "integer": {"VARCHAR", "FLOAT", "DOUBLE"},
    "boolean": {"VARCHAR"},
}
FIXES = {
    "hidden_file": "Hidden files are never read; rename it without the leading dot if it "
                   "is a delivery",
    "subfolder": "Tables are flat folders; move the files up into the table folder",
    "not_parquet_name": "Only files named *.parquet (lower case, uncompressed) are read; "
                        "rename or decompress it as a new delivery",
    "unknown_table_folder": "Not a table of SOURCE_CONTRACT.md; remove it or fix its name",
    "unreadable_parquet": "Deliver the file again as a valid Parquet file under a new name",
    "reserved_column_name": "Rename or drop the column; filename and file_row_number are "
                            "reserved for delivery lineage",
    "missing_contract_columns": "Deliver every contract column (null values are allowed)",
    "incompatible_column_type": "Deliver the column with the type SOURCE_CONTRACT.md gives "
                                "it, as a new file",
    "unreadable_values": "Deliver the file again with valid values (strings in UTF-8), as "
                         "a new file",
}


def handling(contract_type, delivered):
    """How a delivered column type is read: exact, text (row-level invalid_type) or file."""
    if delivered == '"NULL"':
        return "exact"
    if delivered in EXACT_TYPES[contract_type]:
        return "exact"
    if delivered in TEXTUAL_TYPES[contract_type] or (
        contract_type in ("bigint", "integer") and delivered.startswith("DECIMAL")
    ):
        return "text"
    return "file"


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def probe(session, path, columns):
    """(reason, detail, rows, column handling) of one candidate file."""
    try:
        described = session.execute(
            f"describe select * from read_parquet({quote(path)})"
        ).fetchall()
    except Exception as error:  # noqa: BLE001 - any read error sets the file aside
        return "unreadable_parquet", str(error).splitlines()[0][:500], None, {}
    delivered = {}
    for name, data_type, *_ in described:
        delivered.setdefault(name, data_type)
    reserved = [name for name in delivered if name in RESERVED_COLUMNS]
    if reserved:
        return ("reserved_column_name", f"column(s) {', '.join(reserved)} are reserved",
                None, {})
    missing = [name for name, _ in columns if name not in delivered]
    if missing:
        return ("missing_contract_columns", "missing: " + ", ".join(missing), None, {})
    read = {}
    incompatible = []
    for name, contract_type in columns:
        how = handling(contract_type, delivered[name])
        if how == "file":
            incompatible.append(f"{name} is {delivered[name]}, the contract says "
                                f"{contract_type.upper()}")
        read[name] = {"type": delivered[name], "handling": how}
    if incompatible:
        return "incompatible_column_type", "; ".join(incompatible), None, {}
    # Decode every text column once, so a file whose strings cannot be read (invalid
    # UTF-8) is set aside now rather than failing a staging model later. Typed columns
    # are decoded by the footer read above and by DuckDB's page checksums.
    checks = ", ".join(
        f"max(length({json.dumps(name)}))" for name, _ in columns
        if delivered[name] == "VARCHAR"
    ) or "0"
    try:
        rows = session.execute(
            f"select count(*), {checks} from read_parquet({quote(path)})"
        ).fetchone()[0]
    except Exception as error:  # noqa: BLE001
        return "unreadable_values", str(error).splitlines()[0][:500], None, {}
    return None, None, rows, read


def inventory(raw_dir, tables):
    """(table, relative path, kind) of every entry under the landing directory."""
    entries = []
    if not os.path.isdir(raw_dir):
        return entries
    for name in sorted(os.listdir(raw_dir)):
        folder = os.path.join(raw_dir, name)
        if not os.path.isdir(folder):
            continue
        if name not in tables:
            if not name.startswith((".", "_")):
                entries.append((None, name, "unknown_table_folder"))
            continue
        for entry in sorted(os.listdir(folder)):
            relative = f"{name}/{entry}"
            path = os.path.join(folder, entry)
            if entry.startswith("."):
                entries.append((name, relative, "hidden_file"))
            elif os.path.isdir(path):
                entries.append((name, relative, "subfolder"))
            elif not entry.endswith(".parquet"):
                entries.append((name, relative, "not_parquet_name"))
            else:
                entries.append((name, relative, "candidate"))
    return entries


def previous_inventory(dbt, session):
    """The inventory as the last build left it, unless this build starts from scratch."""
    build = session.execute(
        "select build_seq, full_refresh from restricted.state.builds "
        "order by build_seq desc limit 1"
    ).fetchone()
    build_seq, full_refresh = build if build else (0, True)
    exists = session.execute(
        "select count(*) from duckdb_tables() where database_name = 'restricted' "
        "and schema_name = ? and table_name = ?",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchone()[0]
    previous_builds = session.execute(
        "select count(*) from restricted.state.builds where build_seq < ?", [build_seq]
    ).fetchone()[0]
    if full_refresh or not exists or not previous_builds:
        return build_seq, []
    cursor = session.execute(f"select * from {dbt.this} order by file_path")
    names = [column[0] for column in cursor.description]
    return build_seq, [dict(zip(names, row)) for row in cursor.fetchall()]


def model(dbt, session):
    raw_dir = os.path.abspath(dbt.config.get("raw_dir_var")
                              or os.environ.get("RAW_DIR", "data/raw"))
    tables = json.loads(dbt.config.get("landing_tables_json"))
    build_seq, previous = previous_inventory(dbt, session)

    known = {}
    for row in previous:
        known[row["file_path"]] = (row["file_status"], row["file_size_bytes"],
                                   row["file_modified_ns"], row["raw_dir"])
    if known:
        previous_dirs = {value[3] for value in known.values() if value[0] == "loaded"}
        if previous_dirs and previous_dirs != {raw_dir}:
            raise RuntimeError(
                f"RAW_DIR is {raw_dir}, but this warehouse loaded "
                f"{', '.join(sorted(previous_dirs))}: a warehouse follows one landing "
                "directory. Point RAW_DIR back, or rebuild from scratch with "
                "`dbt build --full-refresh` (or a new DUCKDB_PATH)."
            )

    entries = inventory(raw_dir, tables)
    present = {relative for _, relative, _ in entries}
    problems = []
    for path, (status, size, modified, _) in sorted(known.items()):
        if status != "loaded":
            continue
        full = os.path.join(raw_dir, path)
        if path not in present or not os.path.isfile(full):
            problems.append(f"{path} was loaded by an earlier build and is gone")
            continue
        stat = os.stat(full)
        if (stat.st_size, stat.st_mtime_ns) != (size, modified):
            problems.append(f"{path} was loaded by an earlier build and has changed since "
                            f"({size} -> {stat.st_size} bytes)")
    if problems:
        raise RuntimeError(
            "the landing directory broke its append-only promise (SOURCE_CONTRACT.md: a "
            "delivery adds files, it never rewrites old ones): " + "; ".join(problems)
            + ". Restore the files, or rebuild from scratch with `dbt build --full-refresh`."
        )

    rows = list(previous)
    for table, relative, kind in entries:
        if relative in known:
            continue
        full = os.path.join(raw_dir, relative)
        stat = os.stat(full)
        row = {
            "source_table": table,
            "file_path": relative,
            "file_name": os.path.basename(relative),
            "file_status": "ignored",
            "reason": None,
            "reason_detail": None,
            "fix": None,
            "file_rows": None,
            "column_handling": None,
            "file_size_bytes": stat.st_size,
            "file_modified_ns": stat.st_mtime_ns,
            "first_seen_build_seq": build_seq,
            "raw_dir": raw_dir,
        }
        if kind != "candidate":
            row.update(reason=kind, fix=FIXES[kind])
        else:
            columns = [(column[0], column[1]) for column in tables[table]["columns"]]
            reason, detail, file_rows, read = probe(session, full, columns)
            if reason is None:
                row.update(file_status="loaded", file_rows=file_rows,
                           column_handling=json.dumps(read, sort_keys=True))
            else:
                row.update(file_status="set_aside", reason=reason, reason_detail=detail,
                           fix=FIXES[reason])
        rows.append(row)

    set_aside = [row for row in rows[len(previous):] if row["file_status"] == "set_aside"]
    if set_aside and os.environ.get("REMEDY_STRICT_LANDING", "false").lower() == "true":
        raise RuntimeError(
            "strict landing: new files cannot be read as their table and would be set "
            "aside: " + "; ".join(f"{row['file_path']} ({row['reason']}: "
                                  f"{row['reason_detail']})" for row in set_aside)
            + ". Nothing was built. Fix or remove them, or build without strict mode."
        )

    import pyarrow as pa

    schema = pa.schema([
        ("source_table", pa.string()),
        ("file_path", pa.string()),
        ("file_name", pa.string()),
        ("file_status", pa.string()),
        ("reason", pa.string()),
        ("reason_detail", pa.string()),
        ("fix", pa.string()),
        ("file_rows", pa.int64()),
        ("column_handling", pa.string()),
        ("file_size_bytes", pa.int64()),
        ("file_modified_ns", pa.int64()),
        ("first_seen_build_seq", pa.int64()),
        ("raw_dir", pa.string()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)
