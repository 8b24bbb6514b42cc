"""Bring a warehouse written by an earlier version to the current layout, once, in place.

Earlier versions kept each received table row as one JSON text (``raw.table_rows.row_json``,
with the file's hash, name, sheet and run on every row), and the tall staged tables (shipments,
figures, deliveries, strikes, series) with the file's hash, sheet and name on every row. The
current layout keeps one ``raw.tables`` row per sheet, the cells as text columns and the staged
rows under the sheet's ``table_id`` (``warehouse/ddl.sql``). A run on an old warehouse converts
it before anything else: the rows, row numbers, cell texts and staged values are the same, so
nothing downstream needs a rebuild.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import duckdb

from transforms.received import cell_column
from warehouse import db

log = logging.getLogger(__name__)
LEGACY = "raw.table_rows_json"


# Staged tables an earlier version kept whole (file hash, sheet and name on every row); now
# their rows are in <name>_rows under a table_id, and <name> is a view (warehouse/ddl.sql).
STAGED = (
    "stg_ledgers__shipments",
    "stg_tables__figures",
    "stg_tables__deliveries",
    "stg_tables__strikes",
    "stg_tables__series",
)


def apply_with_upgrade(con: duckdb.DuckDBPyConnection, apply: Callable[[], object]) -> None:
    """Run ``apply`` (the DDL); on a warehouse an earlier version wrote, convert its raw table
    rows and staged tables in the same transaction, so a failure leaves the file as it was."""
    json_rows, staged = holds_json_rows(con), _whole_staged_tables(con)
    if not (json_rows or staged):
        apply()
        return
    log.warning(
        "this warehouse was written by an earlier version (table rows as JSON, file names on "
        "every staged row): converting it to the current layout, once (about 50 CPU "
        "seconds per ten million table rows)"
    )
    con.execute("begin transaction")
    try:
        if json_rows:
            con.execute("alter table raw.table_rows rename to table_rows_json")
        for name in staged:  # our own names, never input text
            con.execute(f"alter table staging.{name} rename to {name}_whole")
        apply()
        converted = _convert(con) if json_rows else 0
        if json_rows:
            con.execute(f"drop table {LEGACY}")
        for name in staged:
            _convert_staged(con, name)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    log.warning(
        "converted %d received sheets and %d staged tables to the current layout",
        converted,
        len(staged),
    )


def holds_json_rows(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether raw.table_rows is an earlier version's (one JSON text per row)."""
    return bool(
        db.scalar(
            con,
            "select count(*) from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'raw' and table_name = 'table_rows' and column_name = 'row_json'",
        )
    )


def _whole_staged_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The staged tables still kept whole (tables, where the current layout has views)."""
    found = con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'staging' and table_name in (select unnest(?))",
        [list(STAGED)],
    ).fetchall()
    return sorted(name for (name,) in found)


def _convert_staged(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Move an earlier staged table's rows to ``<name>_rows``, each sheet named by table_id."""
    whole = f"staging.{name}_whole"
    before = db.scalar(con, f"select count(*) from {whole}")
    con.execute(
        f"insert into staging.{name}_rows by name select t.table_id, "
        f"s.* exclude (sha256, sheet, source_file) from {whole} as s "
        "join raw.tables as t using (sha256, sheet)"
    )
    after = db.scalar(con, f"select count(*) from staging.{name}_rows")
    if after != before:  # a staged row whose sheet the raw layer does not hold
        raise RuntimeError(f"staging.{name}: {before} rows, {after} matched a received sheet")
    con.execute(f"drop table {whole}")


def _convert(con: duckdb.DuckDBPyConnection) -> int:
    """Copy each stored sheet into raw.tables and raw.table_rows; the header is the first
    row's key order, as the earlier rebuild read it."""
    from warehouse.load import widen_raw_rows  # the loader's own rule for the cell columns

    sheets = con.execute(
        f"select sha256, min(file_name), sheet, min(run_id), arg_min(row_json, row_number) "
        f"from {LEGACY} group by sha256, sheet order by sha256, sheet"
    ).fetchall()
    headers = [list(json.loads(first)) for *_, first in sheets]
    widen_raw_rows(con, max(map(len, headers), default=0))
    for table_id, ((sha, name, sheet, run_id, _), columns) in enumerate(
        zip(sheets, headers, strict=True), start=1
    ):
        con.execute(
            "insert into raw.tables (table_id, sha256, file_name, sheet, columns, run_id) "
            "values (?, ?, ?, ?, ?, ?)",
            [table_id, sha, name, sheet, columns, run_id],
        )
        # JSON pointers (RFC 6901) of the header names, bound as parameters.
        pointers = ["/" + c.replace("~", "~0").replace("/", "~1") for c in columns]
        targets = "".join(f", {cell_column(i)}" for i in range(len(columns)))
        cells = "".join(", json_extract_string(row_json, ?)" for _ in columns)
        con.execute(
            f"insert into raw.table_rows (table_id, row_number{targets}) "
            f"select ?, row_number{cells} from {LEGACY} where sha256 = ? and sheet = ?",
            [table_id, *pointers, sha, sheet],
        )
    return len(sheets)
