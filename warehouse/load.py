"""Writing frames into the warehouse: idempotent replace-by-key and fast appends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import duckdb
import polars as pl

from transforms.ledger import LEDGER_SCHEMA
from transforms.received import RawRows, cell_column
from warehouse import db

# Rows per Arrow batch handed to DuckDB: one batch is one unit of its parallel scan and insert.
_BATCH_ROWS = 122_880


def as_arrow(frame: pl.DataFrame):
    """``frame`` as an Arrow table DuckDB can scan in parallel, without copying its data.

    Each column is exported on its own at Polars' newest Arrow level, which hands string
    views over as they are: exporting the frame whole would first align every column on the
    same chunks (a CSV is read in hundreds), copying each string column, and the older level
    converts views to contiguous strings, copying every cell. The batches are zero-copy
    slices, so the insert uses every core.
    """
    import pyarrow as pa

    columns = [
        frame.get_column(name).to_frame().to_arrow(compat_level=pl.CompatLevel.newest()).column(0)
        for name in frame.columns
    ]
    table = pa.Table.from_arrays(columns, names=frame.columns)
    if frame.height > _BATCH_ROWS or table.column(0).num_chunks > 1:
        table = pa.Table.from_batches(
            table.to_batches(max_chunksize=_BATCH_ROWS), schema=table.schema
        )
    return table


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _insert_sql(
    table: str, frame: pl.DataFrame, constants: dict[str, object]
) -> tuple[str, pl.DataFrame, list[object]]:
    """The insert statement, the frame to scan and the parameters for ``append_rows``: a
    column in ``constants`` is a parameter of the statement rather than ten million copies of
    one value in the scanned frame."""
    scanned: list[pl.Series] = []
    select: list[str] = []
    for name in frame.columns:
        if name not in constants:
            alias = f"_col_{len(scanned)}"
            scanned.append(frame.get_column(name).alias(alias))
            select.append(f"{alias} as {_quoted(name)}")
    select.extend(f"? as {_quoted(name)}" for name in constants)
    if not scanned:  # every column a constant: still one row per row of the frame
        scanned.append(pl.repeat(None, frame.height, dtype=pl.Boolean, eager=True).alias("_none"))
    source = pl.DataFrame(scanned)
    sql = f"insert into {table} by name select {', '.join(select)} from _incoming"
    return sql, source, list(constants.values())


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, keys: list[str]
) -> int:
    """Delete rows sharing a key with ``frame``, then insert ``frame`` by column name."""
    if frame.is_empty():
        return 0
    con.register("_incoming", as_arrow(frame))
    try:
        match = " and ".join(f"t.{k} = i.{k}" for k in keys)
        con.execute(f"delete from {table} t where exists (select 1 from _incoming i where {match})")
        con.execute(f"insert into {table} by name select * from _incoming")
    finally:
        con.unregister("_incoming")
    return frame.height


def append_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    constant_columns: tuple[str, ...] = (),
    any_order: bool = False,
) -> int:
    """Insert ``frame`` by column name, in one statement.

    Columns named in ``constant_columns`` hold one value for the whole frame (its first row's is used). ``any_order`` lets a tall,
    keyed table store the rows in any physical order (see ``_any_row_order``).
    """
    if frame.is_empty():
        return 0
    constants = {c: frame.get_column(c)[0] for c in constant_columns if c in frame.columns}
    params: list[object] = []
    if not constants:
        sql, source = f"insert into {table} by name select * from _incoming", frame
    else:
        sql, source, params = _insert_sql(table, frame, constants)
    con.register("_incoming", as_arrow(source))
    try:
        with _any_row_order(con, any_order and frame.height > _BATCH_ROWS):
            con.execute(sql, params)
    finally:
        con.unregister("_incoming")
    return frame.height


def append_raw_rows(con: duckdb.DuckDBPyConnection, sheets: Iterable[RawRows]) -> int:
    """Add new sheets to the raw layer: one ``raw.tables`` row each (file, sheet, header, run,
    under a new compact ``table_id``) and their rows to ``raw.table_rows``, cell i of the
    header in text column ``c{i}``; the table gains columns when a wider sheet arrives.

    A sheet without rows leaves no trace here, as before: a rebuild reads what has rows.
    """
    sheets = [s for s in sheets if s.height]
    if not sheets:
        return 0
    widen_raw_rows(con, max(len(s.columns) for s in sheets))
    first = db.scalar(con, "select coalesce(max(table_id), 0) + 1 from raw.tables")
    loaded = 0
    for table_id, sheet in enumerate(sheets, start=int(first)):
        con.execute(
            "insert into raw.tables (table_id, sha256, file_name, sheet, columns, run_id) "
            "values (?, ?, ?, ?, ?, ?)",
            [
                table_id,
                sheet.sha256,
                sheet.file_name,
                sheet.sheet,
                list(sheet.columns),
                sheet.run_id,
            ],
        )
        cells = sheet.cells.with_columns(pl.lit(table_id, pl.Int32).alias("table_id"))
        loaded += append_rows(
            con, "raw.table_rows", cells, constant_columns=("table_id",), any_order=True
        )
    return loaded


ORIGIN = ("sha256", "sheet", "source_file")  # a staged frame's sheet, one value per frame


def append_staged(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Append one sheet's staged rows to ``table``'s tall rows (``<table>_rows``), which name
    the sheet by its raw.tables ``table_id`` instead of the frame's origin columns (``ORIGIN``);
    the view ``table`` joins them back. The sheet's raw rows are written first, in the same
    transaction, or by an earlier night (a rebuild)."""
    if frame.is_empty():
        return 0
    sha, sheet = frame.get_column("sha256")[0], frame.get_column("sheet")[0]
    found = con.execute(
        "select max(table_id) from raw.tables where sha256 = ? and sheet = ?", [sha, sheet]
    ).fetchone()
    if not found or found[0] is None:
        raise LookupError(f"no raw.tables row for sheet {sheet!r} of {sha[:16]}")
    rows = frame.drop(ORIGIN).with_columns(pl.lit(found[0], pl.Int32).alias("table_id"))
    return append_rows(con, f"{table}_rows", rows, constant_columns=("table_id",), any_order=True)


def widen_raw_rows(con: duckdb.DuckDBPyConnection, width: int) -> None:
    """Give raw.table_rows cell columns up to ``c{width}`` (names of ours, never input text),
    and raw.received_rows a JSON object over all of them."""
    have = int(
        db.scalar(
            con,
            "select count(*) from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'raw' and table_name = 'table_rows' "
            "and regexp_full_match(column_name, 'c[0-9]+')",
        )
    )
    if width <= have:
        return
    for position in range(have, width):
        con.execute(f"alter table raw.table_rows add column {cell_column(position)} varchar")
    cells = ", ".join(f"r.{cell_column(i)}" for i in range(width))
    con.execute(
        "create or replace view raw.received_rows as select t.sha256, t.file_name, t.sheet, "
        "r.row_number, to_json(map_from_entries(list_zip(t.columns, "
        f"[{cells}][1:len(t.columns)])))::json as row_json, t.run_id, r.table_id "
        "from raw.table_rows as r join raw.tables as t using (table_id)"
    )


@contextlib.contextmanager
def _any_row_order(con: duckdb.DuckDBPyConnection, tall: bool) -> Iterator[None]:
    """Let DuckDB store a tall frame's rows in any physical order while it inserts them.

    Keeping the scan order makes it merge the many small batches a large CSV is read in
    (a third more work for ten million rows); the tables are keyed (file, sheet, row_number)
    and every reader that needs an order states it.
    """
    if not tall:
        yield
        return
    before = db.scalar(con, "select current_setting('preserve_insertion_order')")
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if before else 'false'}")


def delete_for_docs(con: duckdb.DuckDBPyConnection, table: str, doc_ids: list[str]) -> None:
    """Remove a document's staged rows before its fresh extraction is inserted."""
    if doc_ids:
        con.execute(f"delete from {table} where doc_id in (select unnest(?))", [doc_ids])


def replace_reference(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> bool:
    """Make ``table`` (a small ``ref`` table the models read) hold exactly ``frame``; returns
    whether it changed, so the models reading it are rebuilt only then."""
    exists = db.scalar(
        con,
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name || '.' || table_name = ?",
        [table],
    )
    if exists and con.execute(f"select * from {table}").pl().equals(frame):
        return False
    con.register("_ref", as_arrow(frame))
    try:  # ``table`` is one of our own names, never input text
        con.execute(f"create or replace table {table} as select * from _ref")
    finally:
        con.unregister("_ref")
    return True


def read_ledger(con: duckdb.DuckDBPyConnection | None) -> pl.DataFrame:
    """Every (path, content) pair the warehouse has recorded (none without a warehouse)."""
    if con is None:
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    return (
        con.execute("select path, sha256, format, version, status, first_seen from ops.files")
        .pl()
        .cast(LEDGER_SCHEMA)
    )
