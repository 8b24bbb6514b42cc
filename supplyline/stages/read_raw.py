"""Read raw: one rebuild group from the raw layer, in the shape ingest gives a night's files."""

from __future__ import annotations

import duckdb
import polars as pl

from schemas.quarantine import QUARANTINE_SCHEMA
from supplyline.stages.ingest import DOCUMENT_SCHEMA, MISFIT_CHECK, Ingested
from supplyline.stages.plan_raw import RawGroup
from transforms.expressions import repeats_as_enum
from transforms.ledger import FILES_SCHEMA
from transforms.received import Findings, TableInput, cell_column, table_input
from warehouse import db

_READ_BATCH_ROWS = 1_000_000


def read_raw(con: duckdb.DuckDBPyConnection, group: RawGroup) -> Ingested:
    """The group's documents, or every sheet of its table file with that file's ledger row
    (its row counts are counted again). Nothing is added to the raw layer."""
    columns = ", ".join(c for c in DOCUMENT_SCHEMA)
    where, params = (
        ("doc_id between ? and ?", list(group.key)) if group.kind == "documents" else ("false", [])
    )
    documents = con.execute(
        f"select {columns} from raw.documents where {where} order by doc_id", params
    ).pl()
    tables: tuple[TableInput, ...] = ()
    ledger = pl.DataFrame(schema=FILES_SCHEMA)
    if group.kind == "table":
        sha, path = group.key
        sheets = con.execute(
            "select distinct sheet from raw.tables where sha256 = ? order by 1", [sha]
        ).fetchall()
        tables = tuple(_sheet(con, sha, path, sheet) for (sheet,) in sheets)
        ledger = (
            con.execute(
                "select * exclude (rows_loaded, rows_quarantined, rows_skipped, note), null::bigint as rows_loaded, "
                "null::bigint as rows_quarantined, null::bigint as rows_skipped, null::varchar as note "
                "from ops.files where sha256 = ? and path = ? and status = 'loaded'",
                [sha, path],
            )
            .pl()
            .select(list(FILES_SCHEMA))
            .cast(FILES_SCHEMA)
        )
    return Ingested(
        ledger=ledger,
        documents=documents.cast(DOCUMENT_SCHEMA),
        tables=tables,
        raw_documents=pl.DataFrame(),
        raw_rows=(),
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA),
        checks=(),
        reset=group.reset,
    )


def _sheet(con: duckdb.DuckDBPyConnection, sha: str, path: str, sheet: str) -> TableInput:
    """One stored sheet as received: the header as raw.tables keeps it, each header position's
    cells from its text column. Row numbers are those stored: rows quarantined at ingest leave
    gaps that the locators keep, and are counted again with the sheet's warning."""
    ids, header = con.execute(
        "select list(table_id), first(columns order by table_id) from raw.tables "
        "where sha256 = ? and sheet = ?",
        [sha, sheet],
    ).fetchone() or ([], [])
    columns = list(header or [])
    if not columns:
        return table_input(path, sha, sheet, pl.DataFrame(), _findings(con, sha, path, sheet))
    # Our own column names (c1, c2, ...): the received header is applied in Polars.
    frame = _held(con, ids, len(columns))
    numbers = frame.get_column("row_number")
    frame = frame.drop("row_number")
    frame.columns = columns
    return table_input(path, sha, sheet, frame, _findings(con, sha, path, sheet, numbers))


def _held(con: duckdb.DuckDBPyConnection, ids: list[int], width: int) -> pl.DataFrame:
    """A sheet's stored rows in row order, held as ``table_input`` holds them, without holding
    all its cells as strings at once: read in batches, each cell column kept as a Categorical,
    then each column in turn made text again and given ``repeats_as_enum``'s form (ten million
    rows: 2.8 GB peak instead of 3.7 GB, the frame itself 190 MB). Polars orders the compact
    frame if DuckDB's scan did not."""
    cells = ", ".join(cell_column(i) for i in range(width))
    result = con.execute(
        f"select row_number, {cells} from raw.table_rows where table_id in (select unnest(?))",
        [ids],
    )
    parts = [
        pl.DataFrame(batch).with_columns(pl.exclude("row_number").cast(pl.Categorical))
        for batch in result.fetch_record_batch(_READ_BATCH_ROWS)
    ]
    if not parts:
        return pl.DataFrame(
            schema={"row_number": pl.Int64, **{cell_column(i): pl.String for i in range(width)}}
        )
    frame = pl.concat(parts)
    del parts
    if not frame.get_column("row_number").is_sorted():
        frame = frame.sort("row_number")
    for name in frame.columns[1:]:
        text = frame.select(pl.col(name).cast(pl.String))
        frame = frame.with_columns(repeats_as_enum(text).to_series())
    return frame


def _findings(
    con: duckdb.DuckDBPyConnection,
    sha: str,
    path: str,
    sheet: str,
    numbers: pl.Series | None = None,
) -> Findings:
    """What ingest found in one sheet, for a rebuild to count again: rows quarantined for their
    shape, and the sheet's warning as the ledger's note gives it."""
    prefix = f"{sheet}:row " if sheet else "row "
    misfits = db.scalar(
        con,
        "select count(*) from dq.quarantine where stage = 'ingest' and check_name = ? "
        "and sha256 = ? and starts_with(locator, ?)",
        [MISFIT_CHECK, sha, prefix],
    )
    note = con.execute(
        "select note from ops.files where sha256 = ? and path = ?", [sha, path]
    ).fetchone()
    where = f"sheet {sheet!r}: warning: " if sheet else "table: warning: "
    segments = (note[0] or "").split("; ") if note else []
    found = [seg[len(where) :] for seg in segments if seg.startswith(where)]
    return Findings(numbers, int(misfits), found[0] if found else None)
