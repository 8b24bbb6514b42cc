"""Normalise: map each received table onto its canonical shape (reference/table_shapes.csv)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from supplyline.rules import ExtractionRules
from transforms.received import TableInput
from transforms.tables import match_shape, normalise_figures, shipments_from_table


@dataclass(frozen=True)
class Normalised:
    """One sheet read as a shape (``shipments`` or ``figures``), or skipped (``shape`` None)."""

    table: TableInput
    shape: str | None
    typed: pl.DataFrame | None  # canonical columns, row_number and unparsed_cells
    note: str


def normalise(
    tables: tuple[TableInput, ...], rules: ExtractionRules, reference_dir: Path
) -> tuple[Normalised, ...]:
    """Each table typed onto the shape its headers match; a table matching none is skipped,
    with a note naming its columns."""
    shapes = pl.read_csv(reference_dir / "table_shapes.csv").with_columns(
        pl.col("required").cast(pl.Boolean)
    )
    out = []
    for table in tables:
        shape, mapping = match_shape(list(table.columns), shapes)
        if shape is None:
            note = f"{table.where}: columns match no known table shape ({', '.join(table.columns[:8])})"
            out.append(Normalised(table, None, None, note))
        elif shape == "shipments":
            typed = shipments_from_table(table.rows, mapping, rules.aliases)
            out.append(Normalised(table, shape, typed, f"{table.where}: read as {shape}"))
        else:
            typed = normalise_figures(table.rows, mapping, rules.metrics)
            out.append(Normalised(table, shape, typed, f"{table.where}: read as {shape}"))
    return tuple(out)
