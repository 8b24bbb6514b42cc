"""Normalise: read each received table as the shape it fits among the declarations in
``reference/shapes`` (``transforms/tables.py`` interprets them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from supplyline.shapes import load_shapes, unknown_table_note
from transforms.received import TableInput
from transforms.rules import ExtractionRules
from transforms.tables import interpret, match_shape


@dataclass(frozen=True)
class Normalised:
    """One sheet read as a shape, into its target (``shipments``, ``figures``, ``deliveries``,
    ``strikes`` or ``series``), or skipped (``target`` None). ``typed`` holds the canonical
    rows (row_number, item for expanding targets, fields, unparsed_cells); ``skipped`` the
    received rows that gave none, with why; ``notes`` what ops.files says about the sheet."""

    table: TableInput
    target: str | None
    typed: pl.DataFrame | None
    skipped: int
    notes: tuple[str, ...]


def normalise(
    tables: tuple[TableInput, ...], rules: ExtractionRules, reference_dir: Path
) -> tuple[Normalised, ...]:
    """Each table typed as the shape that fits it; a table no shape fits is skipped, with a
    note naming its columns and the closest shape with what it lacks."""
    if not tables:
        return ()
    shapes = load_shapes(reference_dir)
    by_name = {spec.shape: spec for spec in shapes}
    out = []
    for table in tables:
        warning = (f"{table.where}: warning: {table.warning}",) if table.warning else ()
        found = match_shape(table.columns, shapes)
        if found is None:
            note = f"{table.where}: {unknown_table_note(table.columns, shapes)}"
            out.append(Normalised(table, None, None, table.rows.height, (*warning, note)))
            continue
        spec = by_name[found.shape]
        read = interpret(table.rows, spec, found, rules.aliases, rules.metrics)
        note = f"{table.where}: read as {spec.shape}{_skip_note(read.skipped)}"
        out.append(Normalised(table, spec.target, read.rows, read.skipped.height, (*warning, note)))
    return tuple(out)


def _skip_note(skipped: pl.DataFrame) -> str:
    """Why received rows gave no canonical row, with their numbers (the first twenty)."""
    if skipped.is_empty():
        return ""
    parts = []
    for (reason,), rows in skipped.group_by("reason", maintain_order=True):
        numbers = rows.get_column("row_number").sort().to_list()
        shown = ", ".join(map(str, numbers[:20])) + (" ..." if len(numbers) > 20 else "")
        parts.append(f"{len(numbers)} rows skipped: {reason} (rows {shown})")
    return "; " + "; ".join(parts)
