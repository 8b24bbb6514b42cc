"""Export a table or a query to Parquet, CSV, XLSX or JSON.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula. Reports quote strangers' text, so in CSV and XLSX every such text cell gets a
leading single quote (OWASP's advice for CSV injection) and is written as text. Numbers and
dates keep their types; only text is touched. Parquet and JSON keep values exactly.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

FORMATS = ("parquet", "csv", "xlsx", "json")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    columns: int
    neutralised: int  # text cells given a leading quote


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will show as text, never run."""
    return "'" + value if value.startswith(FORMULA_START) else value


def relation_for(con: duckdb.DuckDBPyConnection, source: str) -> duckdb.DuckDBPyRelation:
    """A known table or view by name (``marts.claims`` or ``claims``), else ``source`` as a query."""
    text = source.strip().rstrip(";")
    if _IDENTIFIER.fullmatch(text):
        schema, _, name = text.rpartition(".")
        found = con.execute(
            "select schema_name, name from ("
            "select schema_name, table_name as name from duckdb_tables() "
            "where database_name = current_database() "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = current_database()) "
            "where name = ? and (schema_name = ? or ? = '') order by schema_name <> 'marts'",
            [name, schema, schema],
        ).fetchall()
        if found:
            # Names come from the catalog, quoted as identifiers.
            return con.sql(f'select * from "{found[0][0]}"."{found[0][1]}"')
    return con.sql(text)


def export(con: duckdb.DuckDBPyConnection, source: str, out: Path) -> Exported:
    """Write ``source`` (a table name or a query) to ``out``; the format is the file's suffix."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot export to {out.name}: the file must end in .parquet, .csv, .xlsx or .json"
        )
    rel = relation_for(con, source)
    if rel is None:
        raise ValueError("the query returns no rows to export (it is not a SELECT)")
    frame = _portable(rel).pl()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.write_parquet(out)
        return Exported(out, frame.height, frame.width, 0)
    if fmt == "json":
        out.write_text(json.dumps(frame.to_dicts(), default=_json_default, ensure_ascii=False))
        return Exported(out, frame.height, frame.width, 0)
    flat, n = neutralised_frame(flat_frame(frame))
    if fmt == "csv":
        flat.write_csv(out)
    else:
        write_xlsx(flat, out)
    return Exported(out, frame.height, frame.width, n)


def _portable(rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Columns Arrow and Polars cannot carry (intervals, bit strings, unions) as text."""
    odd = [str(t).split("(")[0] in ("INTERVAL", "BIT", "UNION") for t in rel.types]
    if not any(odd):
        return rel
    cols = ['"{}"'.format(c.replace('"', '""')) for c in rel.columns]
    return rel.project(
        ", ".join(f"{c}::varchar as {c}" if o else c for c, o in zip(cols, odd, strict=True))
    )


def flat_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested columns (lists, structs, JSON) as JSON text, so CSV and a sheet can hold them."""
    nested = [c for c, t in frame.schema.items() if t.is_nested() or t == pl.Object]
    if not nested:
        return frame
    return frame.with_columns(
        pl.Series(
            c,
            [
                None
                if v is None
                else json.dumps(_plain(v), default=_json_default, ensure_ascii=False)
                for v in frame[c].to_list()
            ],
            dtype=pl.String,
        )
        for c in nested
    )


def neutralised_frame(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Text cells and column names that look like formulas, quoted; how many were changed."""
    text = [c for c, t in frame.schema.items() if t in (pl.String, pl.Categorical, pl.Enum)]
    header = {c: neutralise(c) for c in frame.columns if neutralise(c) != c}
    frame = frame.rename(header)
    text = [header.get(c, c) for c in text]
    if not text:
        return frame, len(header)
    starts = [pl.col(c).cast(pl.String).str.contains(r"^[=+\-@\t\r]") for c in text]
    changed = int(frame.select(pl.sum_horizontal(s.fill_null(False).sum() for s in starts)).item())
    return frame.with_columns(
        pl.when(s)
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c, s in zip(text, starts, strict=True)
    ), changed + len(header)


def write_xlsx(frame: pl.DataFrame, out: Path) -> None:
    """One sheet, header first; text cells are written as text (never parsed as formulas)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if frame.height > XLSX_MAX_ROWS:
        raise ValueError(
            f"{frame.height:,} rows do not fit in one sheet ({XLSX_MAX_ROWS:,} at most); "
            "export to .parquet or .csv instead"
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("export")
    ws.append(frame.columns)
    for row in frame.iter_rows():
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=_xlsx_value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would otherwise store '=...' as a formula
            cells.append(cell)
        ws.append(cells)
    wb.save(out)


def _xlsx_value(value):
    if isinstance(value, decimal.Decimal):
        return float(value)  # a number stays a number
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # a sheet has no time zones; DuckDB gives UTC
    if isinstance(value, dt.timedelta | dt.time) or (
        value is not None
        and not isinstance(value, str | int | float | bool | dt.date | dt.datetime)
    ):
        return str(value)
    return value


def _plain(value):
    """Polars' nested values as JSON-ready lists and dicts."""
    if isinstance(value, pl.Series):
        return value.to_list()
    return value


def _json_default(value):
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)
