"""Received tables as frames: rows numbered as in the file, cells kept as text."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.expressions import repeats_as_enum


@dataclass(frozen=True)
class TableInput:
    """One sheet to normalise: its rows (row_number, then the received columns) and origin."""

    path: str
    sha256: str
    sheet: str
    rows: pl.DataFrame
    columns: tuple[str, ...]
    misfits: int = 0  # rows quarantined at ingest for too few or too many cells (not in ``rows``)
    warning: str | None = None  # about the table as a whole (no rows, no header, a title row)

    @property
    def where(self) -> str:
        """How a note names this sheet ("table" for a file of one)."""
        return f"sheet {self.sheet!r}" if self.sheet else "table"

    def locator(self, row_number: int) -> str:
        """How the quarantine names one row: "row 7", or "Sheet1:row 7" in a workbook."""
        return f"{self.sheet}:row {row_number}" if self.sheet else f"row {row_number}"


@dataclass(frozen=True)
class Findings:
    """What reading a sheet found besides its rows: each row's own number when rows were taken
    out (``None``: 1..height), how many were (misfits), and a warning about the whole table."""

    row_numbers: pl.Series | None = None
    misfits: int = 0
    warning: str | None = None


def table_input(
    path: str, sha256: str, sheet: str, frame: pl.DataFrame, found: Findings = Findings()
) -> TableInput:
    """Number the rows (1-based, header excluded; rows taken out at ingest leave gaps that the
    locators keep).

    The cells keep their text; a tall table's columns that mostly repeat themselves are held
    as Enums of their distinct values, a tenth of the memory of ten million string cells.
    """
    rows = repeats_as_enum(frame)
    if found.row_numbers is None:
        rows = rows.with_row_index("row_number", offset=1)
        rows = rows.with_columns(pl.col("row_number").cast(pl.Int64))
    else:
        numbers = found.row_numbers.cast(pl.Int64).alias("row_number")
        rows = rows.with_columns(numbers).select("row_number", *frame.columns)
    return TableInput(path, sha256, sheet, rows, tuple(frame.columns), found.misfits, found.warning)


def cells(rows: pl.DataFrame, columns: tuple[str, ...], name: str) -> pl.Series:
    """The received cells of ``rows`` as one struct column (fields in file order, by exact name)."""
    return pl.DataFrame([rows.get_column(c) for c in columns]).to_struct(name)


def row_json_text(rows: pl.DataFrame, columns: tuple[str, ...]) -> pl.Series:
    """Each row's JSON object of header -> cell text, as raw.table_rows holds it."""
    if not columns:
        return pl.Series("_row_json", ["{}"] * rows.height, dtype=pl.String)
    return cells(rows, columns, "_row_json").struct.json_encode()


@dataclass(frozen=True)
class RawRows:
    """One sheet for the raw layer: its row of ``raw.tables`` (file, sheet, header, run) and its
    rows for ``raw.table_rows`` (``row_number``, then cell i of the header in column ``c{i}``)."""

    sha256: str
    file_name: str
    sheet: str
    columns: tuple[str, ...]
    run_id: str
    cells: pl.DataFrame

    @property
    def height(self) -> int:
        return self.cells.height


def cell_column(position: int) -> str:
    """The raw.table_rows column holding the cells of header position ``position`` (0-based)."""
    return f"c{position + 1}"


def raw_rows(table: TableInput, run_id: str) -> RawRows:
    """The sheet's rows as received, each cell in the typed text column of its header position.

    The cells are the ingested columns themselves (no copy; a tall table's repeats stay Enums
    until DuckDB casts them to text as it inserts), so ten million rows are written at the
    speed of a columnar insert rather than built into one JSON text per row.
    """
    cells = table.rows.select(
        "row_number",
        *(pl.col(c).alias(cell_column(i)) for i, c in enumerate(table.columns)),
    )
    return RawRows(table.sha256, table.path, table.sheet, table.columns, run_id, cells)
