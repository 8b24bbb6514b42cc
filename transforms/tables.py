"""Map received tables (every cell as text) onto Supplyline's canonical shapes."""

from __future__ import annotations

import re

import polars as pl

from transforms.expressions import (
    alias_key,
    date_parser_for,
    parse_count,
    parse_float_text,
    unparsed_cells,
)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
SHIPMENT_COLUMNS = [
    "vessel", "departure_port", "departure_date", "arrival_port", "arrival_date",
    "containers", "evidence", "source",
]
FIGURE_COLUMNS = ["metric", "value_low", "value_high", "qualifier", "period_start", "period_end",
                  "source", "note"]


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
            pl.col(mapping[c]).cast(pl.String).str.strip_chars().alias(c) if c in mapping
            else pl.lit(None, pl.String).alias(c)
            for c in columns
        ),
    )


def normalise_shipments(rows: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    """A voyage ledger in canonical form: typed dates and counts, names trimmed.

    ``unparsed_cells`` names the cells whose text could not be read, for the validation gate.
    """
    canonical = _canonical(rows, mapping, SHIPMENT_COLUMNS)
    parsed = {
        "departure_date": date_parser_for(canonical, "departure_date"),
        "arrival_date": date_parser_for(canonical, "arrival_date"),
        "containers": parse_count(pl.col("containers")),
    }
    return canonical.with_columns(
        *(expr.alias(name) for name, expr in parsed.items()),
        pl.col("vessel").str.replace_all(r"\s+", " "),
        unparsed_cells=unparsed_cells(parsed),
    )


def normalise_figures(rows: pl.DataFrame, mapping: dict[str, str], metrics: pl.DataFrame) -> pl.DataFrame:
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
        canonical
        .with_columns(
            *(expr.alias(name) for name, expr in parsed.items()),
            pl.col("metric").str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "_"),
            pl.col("qualifier").str.to_lowercase().fill_null("exact"),
            unparsed_cells=unparsed_cells(parsed),
        )
        .with_columns(
            # A single stated value is a point: copy it to the side the table left empty,
            # unless the qualifier says that side is open.
            pl.when(point).then(pl.coalesce("value_high", "value_low")).otherwise("value_high").alias("value_high"),
            pl.when(point).then(pl.coalesce("value_low", "value_high")).otherwise("value_low").alias("value_low"),
        )
        .join(metrics.select("metric", "unit"), on="metric", how="left")
    )


def resolve_shipment_names(shipments: pl.DataFrame, aliases: pl.DataFrame) -> pl.DataFrame:
    """Add vessel_id, departure_port_id and arrival_port_id by alias lookup (null if unknown)."""
    keyed = (
        aliases.select("entity_id", "entity_type", key=alias_key(pl.col("alias")))
        .unique(["entity_type", "key"], keep="first", maintain_order=True)
    )

    def ids(entity_type: str, out: str) -> pl.DataFrame:
        return keyed.filter(pl.col("entity_type") == entity_type).select("key", pl.col("entity_id").alias(out))

    return (
        shipments.with_columns(
            alias_key(pl.col("vessel")).alias("_vessel_key"),
            alias_key(pl.col("departure_port")).alias("_departure_key"),
            alias_key(pl.col("arrival_port")).alias("_arrival_key"),
        )
        .join(ids("vessel", "vessel_id"), left_on="_vessel_key", right_on="key", how="left")
        .join(ids("port", "departure_port_id"), left_on="_departure_key", right_on="key", how="left")
        .join(ids("port", "arrival_port_id"), left_on="_arrival_key", right_on="key", how="left")
        .drop("_vessel_key", "_departure_key", "_arrival_key")
    )
