"""Bring a warehouse written by an earlier version to the current layout, once, in place.

Earlier versions kept each received table row as one JSON text (``raw.table_rows.row_json``,
with the file's hash, name, sheet and run on every row). The current layout keeps one
``raw.tables`` row per sheet and the cells as text columns (``warehouse/ddl.sql``). A run on
an old warehouse converts it before anything else: the rows, row numbers and cell texts are
the same, so nothing downstream needs a rebuild.
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


def apply_with_upgrade(con: duckdb.DuckDBPyConnection, apply: Callable[[], None]) -> None:
    """Run ``apply`` (the DDL); on a warehouse holding raw table rows as JSON, convert them in
    the same transaction, so a failure leaves the old layout as it was."""
    if not holds_json_rows(con):
        apply()
        return
    log.warning(
        "this warehouse keeps raw table rows as JSON (an earlier version): converting them to "
        "typed columns, once; this takes about a minute per ten million rows"
    )
    con.execute("begin transaction")
    try:
        con.execute("alter table raw.table_rows rename to table_rows_json")
        apply()
        converted = _convert(con)
        con.execute(f"drop table {LEGACY}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    log.warning("converted %d received sheets to the typed raw layout", converted)


def holds_json_rows(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        db.scalar(
            con,
            "select count(*) from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'raw' and table_name = 'table_rows' and column_name = 'row_json'",
        )
    )


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
