"""Map received tables (every cell as text) onto Supplyline's canonical shapes."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from transforms.expressions import (
    alias_key,
    date_parser_for,
    distinct_values,
    parse_counts,
    parse_dates,
    parse_float_text,
    unparsed_cells,
    value_index,
)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
SHIPMENT_COLUMNS = [
    "vessel",
    "departure_port",
    "departure_date",
    "arrival_port",
    "arrival_date",
    "containers",
    "evidence",
    "source",
]
FIGURE_COLUMNS = [
    "metric",
    "value_low",
    "value_high",
    "qualifier",
    "period_start",
    "period_end",
    "source",
    "note",
]
_WORKERS = min(4, os.cpu_count() or 1)  # ledger columns normalised side by side


def header_key(name: str) -> str:
    """Header text folded for matching: lower case, punctuation and spacing ignored."""
    return _NON_ALNUM.sub(" ", name.lower()).strip()


def match_shape(columns: list[str], shapes: pl.DataFrame) -> tuple[str | None, dict[str, str]]:
    """The canonical shape whose required columns all appear, and the received->canonical map.

    ``shapes`` has columns shape, column, required, header_aliases (``|``-separated).
    """
    keys = {header_key(c): c for c in columns}
    best: tuple[str | None, dict[str, str]] = (None, {})
    for (shape,), spec in shapes.group_by("shape", maintain_order=True):
        mapping: dict[str, str] = {}
        for row in spec.iter_rows(named=True):
            for alias in [row["column"], *str(row["header_aliases"]).split("|")]:
                received = keys.get(header_key(alias))
                if received and received not in mapping.values():
                    mapping[row["column"]] = received
                    break
        required = spec.filter(pl.col("required"))["column"].to_list()
        if all(c in mapping for c in required) and len(mapping) > len(best[1]):
            best = (str(shape), mapping)
    return best


def _canonical(rows: pl.DataFrame, mapping: dict[str, str], columns: list[str]) -> pl.DataFrame:
    """Rename received columns to canonical names; absent canonical columns become nulls."""
    return rows.select(
        "row_number",
        *(
            pl.col(mapping[c]).cast(pl.String).str.strip_chars().alias(c)
            if c in mapping
            else pl.lit(None, pl.String).alias(c)
            for c in columns
        ),
    )


def normalise_shipments(rows: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    """A voyage ledger in canonical form: typed dates and counts, names trimmed.

    ``unparsed_cells`` names the cells whose text could not be read, for the validation gate.
    """
    return shipments_from_table(rows, mapping)


def shipments_from_table(
    rows: pl.DataFrame, mapping: dict[str, str], aliases: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``normalise_shipments``, and with ``aliases`` also ``resolve_shipment_names``, in one pass.

    Ledger columns repeat themselves (a few hundred vessels and ports, a few thousand dates
    and counts in ten million rows), so each column's distinct values are trimmed, parsed and
    looked up once and the results spread back to the rows by index; a column whose values
    are mostly distinct is parsed row by row. Either way every row gets what the row-by-row
    expressions would give it. Row order is kept.
    """
    n = rows.height
    columns: dict[str, pl.Series] = {"row_number": rows.get_column("row_number")}
    flags: dict[str, pl.Series] = {}
    ids: dict[str, pl.Series] = {}
    keyed = _alias_keys(aliases) if aliases is not None else None

    def column(name: str) -> dict[str, pl.Series]:
        if name in mapping:
            received = rows.get_column(mapping[name])
            text = received.dtype == pl.String or isinstance(received.dtype, pl.Enum)
            received = (received if text else received.cast(pl.String)).alias(name)
        else:  # absent from the table: typed nulls
            received = pl.repeat(None, n, dtype=pl.String, eager=True).alias(name)
        return _per_value(received, lambda text: _derive_shipment_cell(text, name, keyed))

    # The columns are independent and Polars releases the GIL: work on them side by side.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        derived = list(pool.map(column, SHIPMENT_COLUMNS))
    for name, outputs in zip(SHIPMENT_COLUMNS, derived, strict=True):
        columns[name] = outputs.pop(name)
        if f"{name}:unparsed" in outputs:
            flags[name] = outputs.pop(f"{name}:unparsed")
        ids.update(outputs)
    frame = pl.DataFrame(list(columns.values()))
    return frame.with_columns(unparsed_cells=_unparsed_text(flags), **ids)


# canonical column -> (its id column, the alias entity type it resolves to)
_ID_COLUMNS = {
    "vessel": ("vessel_id", "vessel"),
    "departure_port": ("departure_port_id", "port"),
    "arrival_port": ("arrival_port_id", "port"),
}


def _derive_shipment_cell(
    received: pl.Series, name: str, keyed: pl.DataFrame | None
) -> dict[str, pl.Series]:
    """What one ledger column's text becomes: the canonical value, an unparsed flag for dates
    and counts, and the resolved id for names. Elementwise, so it may run on distinct values."""
    text = received.str.strip_chars()
    out: dict[str, pl.Series] = {}
    if name in ("departure_date", "arrival_date"):
        out[name] = parse_dates(text)
    elif name == "containers":
        out[name] = parse_counts(text)
    else:
        out[name] = text.str.replace_all(r"\s+", " ") if name == "vessel" else text
    if name in ("departure_date", "arrival_date", "containers"):
        out[f"{name}:unparsed"] = (text.str.len_chars() > 0) & out[name].is_null()
    if keyed is not None and name in _ID_COLUMNS:
        out[_ID_COLUMNS[name][0]] = _derive_id(out[name], name, keyed)
    return out


def _per_value(received: pl.Series, derive) -> dict[str, pl.Series]:
    """``derive(received)``, computed once per distinct value when the column repeats itself.

    An output equal to its input (text that needed no trimming) is the input itself, uncopied,
    and a flag never raised is all false without a pass over the rows.
    """
    values = distinct_values(received)
    if values is None:
        return derive(received)
    index: pl.Series | None = None
    spread: dict[str, pl.Series] = {}
    for name, derived in derive(values).items():
        if name == received.name and derived.dtype == pl.String and derived.equals(values):
            spread[name] = received
        elif derived.dtype == pl.Boolean and not derived.any():
            spread[name] = pl.repeat(False, received.len(), dtype=pl.Boolean, eager=True).alias(
                name
            )
        else:
            index = value_index(received, values) if index is None else index
            spread[name] = derived.gather(index).alias(name)
    return spread


def _unparsed_text(flags: dict[str, pl.Series]) -> pl.Series | pl.Expr:
    """``unparsed_cells``: the flagged column names, comma-separated ("" when none)."""
    flagged = {name: flag for name, flag in flags.items() if flag.any()}
    if not flagged:
        return pl.lit("", dtype=pl.String)  # one value for the frame, not a string per row
    return (
        pl.DataFrame([flag.alias(name) for name, flag in flagged.items()])
        .select(
            pl.concat_str(
                [pl.when(pl.col(name)).then(pl.lit(name)) for name in flagged],
                separator=", ",
                ignore_nulls=True,
            ).alias("unparsed_cells")
        )
        .to_series()
    )


def _alias_keys(aliases: pl.DataFrame) -> pl.DataFrame:
    """Alias table by folded key: entity_id, entity_type, key (first alias wins on a clash)."""
    return aliases.select("entity_id", "entity_type", key=alias_key(pl.col("alias"))).unique(
        ["entity_type", "key"], keep="first", maintain_order=True
    )


def normalise_figures(
    rows: pl.DataFrame, mapping: dict[str, str], metrics: pl.DataFrame
) -> pl.DataFrame:
    """Reported figures in canonical form, with the catalogue unit of each metric."""
    canonical = _canonical(rows, mapping, FIGURE_COLUMNS)
    parsed = {
        "value_low": parse_float_text(pl.col("value_low")),
        "value_high": parse_float_text(pl.col("value_high")),
        "period_start": date_parser_for(canonical, "period_start"),
        "period_end": date_parser_for(canonical, "period_end"),
    }
    point = pl.col("qualifier").is_in(["exact", "approx"])
    return (
        canonical.with_columns(
            *(expr.alias(name) for name, expr in parsed.items()),
            pl.col("metric").str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "_"),
            pl.col("qualifier").str.to_lowercase().fill_null("exact"),
            unparsed_cells=unparsed_cells(parsed),
        )
        .with_columns(
            # A single stated value is a point: copy it to the side the table left empty,
            # unless the qualifier says that side is open.
            pl.when(point)
            .then(pl.coalesce("value_high", "value_low"))
            .otherwise("value_high")
            .alias("value_high"),
            pl.when(point)
            .then(pl.coalesce("value_low", "value_high"))
            .otherwise("value_low")
            .alias("value_low"),
        )
        .join(metrics.select("metric", "unit"), on="metric", how="left")
    )


def resolve_shipment_names(shipments: pl.DataFrame, aliases: pl.DataFrame) -> pl.DataFrame:
    """Add vessel_id, departure_port_id and arrival_port_id by alias lookup (null if unknown)."""
    keyed = _alias_keys(aliases)
    ids: dict[str, pl.Series] = {}
    for name, (id_column, _entity_type) in _ID_COLUMNS.items():
        text = shipments.get_column(name)

        def lookup(
            values: pl.Series, name: str = name, id_column: str = id_column
        ) -> dict[str, pl.Series]:
            return {id_column: _derive_id(values, name, keyed)}

        ids.update(_per_value(text, lookup))
    return shipments.with_columns(**ids)


def _derive_id(text: pl.Series, name: str, keyed: pl.DataFrame) -> pl.Series:
    """The entity id of each (canonical) name in ``text``, by its folded alias key."""
    id_column, entity_type = _ID_COLUMNS[name]
    lookup = keyed.filter(pl.col("entity_type") == entity_type).select(
        "key", pl.col("entity_id").alias(id_column)
    )
    keys = pl.DataFrame({"key": text}).select(alias_key(pl.col("key")))
    return keys.join(lookup, on="key", how="left", maintain_order="left").get_column(id_column)
