"""Map received tables (every cell as text) onto canonical rows, as a shape declaration says.

One interpreter serves every shape (``transforms.shape_spec``): headers are matched to the
declared fields, wide columns are melted and list cells expanded, hedge words and categories
go through the declared value tables, cells are parsed by their field's type, and names are
resolved through the alias tables. Nothing here knows a particular shape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from transforms.expressions import (
    alias_key,
    distinct_values,
    parse_counts,
    parse_dates,
    parse_float_text,
    value_index,
)
from transforms.shape_spec import ShapeSpec, Target

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORKERS = min(4, os.cpu_count() or 1)  # a tall table's columns are parsed side by side
_PARSED_TYPES = ("date", "datetime", "count", "number", "flag")  # text that must read as a value
_TRUE, _FALSE = ("true", "yes", "y", "1"), ("false", "no", "n", "0")


def header_key(name: str) -> str:
    """Header text folded for matching: lower case, punctuation and spacing ignored."""
    return _NON_ALNUM.sub(" ", name.lower()).strip()


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class ShapeMatch:
    """How a table's columns fit one shape.

    ``fields``: canonical field -> received column. ``melted``: for each melted column found,
    (its index in the declaration, the received value column, the received hedge column).
    ``lacking``: required fields no column supplies (empty when the shape applies).
    """

    shape: str
    fields: dict[str, str]
    melted: tuple[tuple[int, str, str | None], ...] = ()
    lacking: tuple[str, ...] = ()

    @property
    def used(self) -> list[str]:
        """The received columns the shape reads."""
        return [*self.fields.values(), *(c for _, v, h in self.melted for c in (v, h) if c)]


class _Headers:
    """Received headers, found by exact text first and then by folded text; each used once."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.used: set[str] = set()

    def find(self, headers: Sequence[str]) -> str | None:
        for fold in (lambda h: h.strip().casefold(), header_key):
            for wanted in headers:
                for column in self.columns:
                    if column not in self.used and fold(column) == fold(wanted) and fold(wanted):
                        self.used.add(column)
                        return column
        return None


def fit(columns: Sequence[str], spec: ShapeSpec) -> ShapeMatch:
    """How ``columns`` fit ``spec``, whether or not every required field is found."""
    headers = _Headers(columns)
    fields = {
        name: found for name, col in spec.columns.items() if (found := headers.find(col.headers))
    }
    melted = []
    if spec.melt is not None:
        for index, wide in enumerate(spec.melt.columns):
            value = headers.find(wide.headers)
            if value is not None:
                melted.append(
                    (index, value, headers.find(wide.hedge_headers) if wide.hedge_headers else None)
                )
    readable = set(fields) | set(spec.constants) | set(spec.derive)
    readable |= {d for d, src in spec.derive.items() if src.source in fields}
    if melted:
        readable |= spec.melted_fields()
    lacking = tuple(
        r
        for r in spec.required
        if r not in readable or (r in spec.derive and spec.derive[r].source not in fields)
    )
    return ShapeMatch(spec.shape, fields, tuple(melted), lacking)


def match_shape(columns: Sequence[str], shapes: Sequence[ShapeSpec]) -> ShapeMatch | None:
    """The shape whose required fields all appear and that reads the most columns (the first
    declared wins a tie), or None."""
    best: ShapeMatch | None = None
    for spec in shapes:
        found = fit(columns, spec)
        if not found.lacking and (best is None or len(found.used) > len(best.used)):
            best = found
    return best


def closest_shape(columns: Sequence[str], shapes: Sequence[ShapeSpec]) -> ShapeMatch | None:
    """For a table no shape fits: the shape it comes nearest to (fewest required fields
    lacking, then most required fields found, then most columns read), or None when it shares
    no column with any shape."""
    fits = [f for f in (fit(columns, spec) for spec in shapes) if f.used]
    if not fits:
        return None
    required = {spec.shape: len(spec.required) for spec in shapes}
    return min(
        fits, key=lambda f: (len(f.lacking), len(f.lacking) - required[f.shape], -len(f.used))
    )


# --------------------------------------------------------------------------- interpreting


@dataclass(frozen=True)
class Interpreted:
    """Canonical rows (``row_number``, ``item`` for expanding targets, the target's fields,
    ``unparsed_cells``, id columns, ``unit``) and the received rows that gave none, with why."""

    rows: pl.DataFrame
    skipped: pl.DataFrame  # row_number, reason


SKIPPED_SCHEMA = pl.Schema({"row_number": pl.Int64, "reason": pl.String})


def interpret(
    rows: pl.DataFrame,
    spec: ShapeSpec,
    match: ShapeMatch,
    aliases: pl.DataFrame | None = None,
    metrics: pl.DataFrame | None = None,
) -> Interpreted:
    """The received ``rows`` (``row_number`` then text cells, possibly Enum-held) as rows of
    the shape's target. ``aliases`` resolves names; ``metrics`` gives units. Row order is kept.
    """
    target = spec.target_spec
    text, skipped = _received_text(rows, spec, match)
    n = text.height
    keyed = _alias_keys(aliases) if aliases is not None else None

    def column(name: str) -> dict[str, pl.Series]:
        received = _field_text(text, spec, name, n)
        return _per_value(received, lambda values: _derive_cell(values, name, spec, target, keyed))

    names = list(target.fields)
    # The columns are independent and Polars releases the GIL: work on them side by side.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        derived = list(pool.map(column, names))
    columns: dict[str, pl.Series] = {"row_number": text.get_column("row_number")}
    if target.items:
        columns["item"] = (
            text.get_column("item")
            if "item" in text.columns
            else pl.repeat(0, n, dtype=pl.Int32, eager=True).alias("item")
        )
    flags: dict[str, pl.Series] = {}
    ids: dict[str, pl.Series] = {}
    for name, outputs in zip(names, derived, strict=True):
        columns[name] = outputs.pop(name)
        if f"{name}:unparsed" in outputs:
            flags[name] = outputs.pop(f"{name}:unparsed")
        ids.update(outputs)
    frame = pl.DataFrame(list(columns.values()))
    frame = _fill_totals(frame, spec)
    frame = _point_bounds(frame, target)
    frame = frame.with_columns(unparsed_cells=_unparsed_text(flags), **ids)
    for id_column in target.ids.values():  # every id column, resolved or not
        if id_column not in frame.columns:
            dtype = pl.List(pl.String) if id_column in target.list_ids else pl.String
            frame = frame.with_columns(pl.lit(None, dtype).alias(id_column))
    if target.unit:
        units = (
            metrics.select("metric", "unit")
            if metrics is not None
            else pl.DataFrame(schema={"metric": pl.String, "unit": pl.String})
        )
        frame = frame.join(
            units.unique("metric", keep="first"), on="metric", how="left", maintain_order="left"
        )
    return Interpreted(frame, skipped)


def _received_text(
    rows: pl.DataFrame, spec: ShapeSpec, match: ShapeMatch
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``row_number`` (and ``item``) plus one column per field read from the table, with its
    received text (Enum-held cells stay Enums when nothing expands), and the skipped rows."""
    if spec.melt is not None:
        return _melted(rows, spec, match)
    frame = rows.select("row_number", *(pl.col(c).alias(f) for f, c in match.fields.items()))
    if spec.list_cells is not None:
        return _listed(frame, spec), pl.DataFrame(schema=SKIPPED_SCHEMA)
    return frame, pl.DataFrame(schema=SKIPPED_SCHEMA)


def _melted(
    rows: pl.DataFrame, spec: ShapeSpec, match: ShapeMatch
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per non-empty cell of each wide column; rows with none are skipped."""
    melt = spec.melt
    assert melt is not None
    base = [pl.col(c).cast(pl.String).alias(f) for f, c in match.fields.items()]
    parts = []
    for index, value, hedge in match.melted:
        wide = melt.columns[index]
        parts.append(
            rows.select(
                "row_number",
                *base,
                pl.lit(index, pl.Int32).alias("item"),
                pl.lit(wide.label, pl.String).alias(melt.label_field),
                pl.col(value).cast(pl.String).alias(melt.value_field),
                *(
                    [
                        (pl.col(hedge).cast(pl.String) if hedge else pl.lit(None, pl.String)).alias(
                            melt.hedge_field
                        )
                    ]
                    if melt.hedge_field
                    else []
                ),
            )
        )
    long = pl.concat(parts, how="vertical")
    filled = long.filter(pl.col(melt.value_field).str.strip_chars().str.len_chars() > 0).sort(
        "row_number", "item", maintain_order=True
    )
    empty = rows.select("row_number").join(
        filled.select("row_number").unique(), on="row_number", how="anti"
    )
    headers = ", ".join(value for _, value, _ in match.melted)
    skipped = empty.with_columns(reason=pl.lit(f"no figure in {headers}"))
    return filled, skipped.cast(SKIPPED_SCHEMA)


def _listed(frame: pl.DataFrame, spec: ShapeSpec) -> pl.DataFrame:
    """One row per item of the list cell (a row with an empty cell stays one row), numbered
    from 0 in ``item``; the item pattern's named groups fill their fields."""
    cells = spec.list_cells
    assert cells is not None
    name = cells.field
    frame = frame.with_columns(pl.all().exclude("row_number").cast(pl.String))
    items = (
        pl.col(name)
        .str.split(cells.separator)
        .list.eval(pl.element().str.strip_chars().filter(pl.element().str.len_chars() > 0))
    )
    frame = (
        frame.with_columns(
            pl.when(items.list.len() > 0)
            .then(items)
            .otherwise(pl.lit([None], pl.List(pl.String)))
            .alias(name)
        )
        .explode(name)
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int32).over("row_number").alias("item"))
    )
    if cells.item is None:
        return frame
    groups = pl.col(name).str.extract_groups(cells.item)
    matched = pl.col(name).str.contains(cells.item)
    fills = []
    for group in re.compile(cells.item).groupindex:
        value = groups.struct.field(group)
        fallback = pl.col(group) if group in frame.columns else pl.lit(None, pl.String)
        fills.append(
            pl.when(matched & value.is_not_null()).then(value).otherwise(fallback).alias(group)
        )
    return frame.with_columns(fills)


def _field_text(text: pl.DataFrame, spec: ShapeSpec, name: str, n: int) -> pl.Series:
    """The received text of one field: its column, a constant, a value derived from another
    field, or nulls; after the field's declared value table."""
    if name in text.columns:
        received = text.get_column(name)
    elif name in spec.constants:
        received = pl.repeat(spec.constants[name], n, dtype=pl.String, eager=True)
    elif name in spec.derive and spec.derive[name].source in text.columns:
        derived = spec.derive[name]
        source = text.get_column(derived.source).cast(pl.String)
        table = {k.strip().casefold(): v for k, v in derived.values.items()}
        received = (
            source.str.strip_chars()
            .str.to_lowercase()
            .replace_strict(table, default=None, return_dtype=pl.String)
        )
    else:  # absent from the table: typed nulls
        received = pl.repeat(None, n, dtype=pl.String, eager=True)
    if received.dtype != pl.String and not isinstance(received.dtype, pl.Enum):
        received = received.cast(pl.String)
    return received.alias(name)


def _derive_cell(
    received: pl.Series, name: str, spec: ShapeSpec, target: Target, keyed: pl.DataFrame | None
) -> dict[str, pl.Series]:
    """What one field's text becomes: the typed value, an unparsed flag for types that must
    read as a value, and resolved ids. Elementwise, so it may run on distinct values only."""
    kind = target.fields[name]
    text = received.cast(pl.String).str.strip_chars()
    if name in spec.values:
        table = {k.strip().casefold(): v for k, v in spec.values[name].items()}
        text = text.str.to_lowercase().replace_strict(table, default=text)
    out: dict[str, pl.Series] = {name: _typed(text, kind).alias(name)}
    if kind in _PARSED_TYPES:
        out[f"{name}:unparsed"] = (text.str.len_chars() > 0) & out[name].is_null()
    if keyed is not None and name in spec.resolve:
        how = spec.resolve[name]
        id_column = target.ids[name]
        out[id_column] = _resolve(
            out[name],
            how.entity_type,
            how.alternatives,
            keyed,
            as_list=id_column in target.list_ids,
        ).alias(id_column)
    return out


def _typed(text: pl.Series, kind: str) -> pl.Series:
    """Stripped text read as a value of ``kind``; unreadable text becomes null."""
    read = _READERS.get(kind)
    return text if read is None else read(text)


def _qualifier(text: pl.Series) -> pl.Series:
    """A hedge word, lower case; an empty cell is a plain figure (exact)."""
    lowered = text.str.to_lowercase()
    return pl.select(
        pl.when(pl.lit(lowered).str.len_chars() > 0)
        .then(pl.lit(lowered))
        .otherwise(pl.lit("exact"))
    ).to_series()


def _flag(text: pl.Series) -> pl.Series:
    """yes/no, true/false, y/n, 1/0; anything else is null."""
    lowered = text.str.to_lowercase()
    return pl.select(
        pl.when(pl.lit(lowered).is_in(_TRUE))
        .then(True)
        .when(pl.lit(lowered).is_in(_FALSE))
        .then(False)
    ).to_series()


def parse_datetimes(text: pl.Series) -> pl.Series:
    """Text to Datetime: ``YYYY-MM-DD HH:MM[:SS]`` (one-digit hours too, or a ``T``), or any
    date ``parse_dates`` reads, at midnight."""
    stripped = text.str.strip_chars().str.replace("T", " ", literal=True)
    stamps = stripped.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us").fill_null(
        stripped.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us")
    )
    return stamps.fill_null(parse_dates(text).cast(pl.Datetime("us"))).alias(text.name)


# Field type -> how its stripped text is read (a type not listed keeps its text).
_READERS: dict[str, Callable[[pl.Series], pl.Series]] = {
    "name": lambda text: text.str.replace_all(r"\s+", " "),
    "date": parse_dates,
    "datetime": parse_datetimes,
    "count": parse_counts,
    "number": lambda text: pl.select(parse_float_text(pl.lit(text))).to_series(),
    "metric": lambda text: text.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "_"),
    "qualifier": _qualifier,
    "flag": _flag,
}


def _fill_totals(frame: pl.DataFrame, spec: ShapeSpec) -> pl.DataFrame:
    """A row that lists one item gives that item its own figures where the item says nothing
    (``M1A1 Abrams`` under a count of 49); several items never share out the row's figures."""
    if spec.list_cells is None or not spec.list_cells.totals:
        return frame
    single = pl.len().over("row_number") == 1
    return frame.with_columns(
        pl.when(pl.col(item).is_null() & single)
        .then(pl.col(total))
        .otherwise(pl.col(item))
        .alias(item)
        for item, total in spec.list_cells.totals.items()
    )


def _point_bounds(frame: pl.DataFrame, target: Target) -> pl.DataFrame:
    """A single stated value is a point: copy it to the side left empty, unless the qualifier
    says that side is open ("at least", "more than")."""
    if not {"value_low", "value_high", "qualifier"} <= set(target.fields):
        return frame
    point = pl.col("qualifier").is_in(["exact", "approx"])
    return frame.with_columns(
        pl.when(point)
        .then(pl.coalesce("value_high", "value_low"))
        .otherwise("value_high")
        .alias("value_high"),
        pl.when(point)
        .then(pl.coalesce("value_low", "value_high"))
        .otherwise("value_low")
        .alias("value_low"),
    )


def _per_value(
    received: pl.Series, derive: Callable[[pl.Series], dict[str, pl.Series]]
) -> dict[str, pl.Series]:
    """``derive(received)``, computed once per distinct value when the column repeats itself.

    Ledger columns repeat themselves (a few hundred vessels and ports, a few thousand dates
    and counts in ten million rows), so each distinct value is parsed and looked up once and
    the results spread back to the rows by index. An output equal to its input (text that
    needed no trimming) is the input itself, uncopied, and a flag never raised is all false
    without a pass over the rows.
    """
    values = distinct_values(received)
    if values is None:
        return derive(received)
    # An empty cell may become a value too (an unstated hedge is "exact"): it is derived as
    # the last distinct value.
    values = pl.concat([values.cast(pl.String), pl.Series([None], dtype=pl.String)])
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
            if index is None:
                index = value_index(received, values.head(-1)).fill_null(values.len() - 1)
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


# --------------------------------------------------------------------------- names


def _alias_keys(aliases: pl.DataFrame) -> pl.DataFrame:
    """Alias table by folded key: entity_id, entity_type, key (first alias wins on a clash)."""
    return aliases.select("entity_id", "entity_type", key=alias_key(pl.col("alias"))).unique(
        ["entity_type", "key"], keep="first", maintain_order=True
    )


def _lookup(text: pl.Series, entity_type: str, keyed: pl.DataFrame) -> pl.Series:
    """The entity id of each name in ``text`` (null when no alias of that type matches)."""
    lookup = keyed.filter(pl.col("entity_type") == entity_type).select("key", "entity_id")
    keys = pl.DataFrame({"key": text}).select(alias_key(pl.col("key")))
    return keys.join(lookup, on="key", how="left", maintain_order="left").get_column("entity_id")


def _resolve(
    text: pl.Series, entity_type: str, alternatives: str | None, keyed: pl.DataFrame, as_list: bool
) -> pl.Series:
    """Ids of the names in ``text``. As a list: the whole name's id, or else the ids of the
    names it gives as alternatives ("Iskander-M/KN-23"), in order, without repeats."""
    whole = _lookup(text, entity_type, keyed)
    if not as_list:
        return whole
    if alternatives is None:
        return pl.select(
            pl.when(pl.lit(whole).is_not_null())
            .then(pl.concat_list(pl.lit(whole)))
            .otherwise(pl.lit([], pl.List(pl.String)))
        ).to_series()
    parts = (
        pl.DataFrame({"text": text})
        .with_row_index("_i")
        .with_columns(pl.col("text").str.split(alternatives))
        .explode("text")
        .with_columns(pl.col("text").str.strip_chars())
    )
    parts = parts.with_columns(_lookup(parts.get_column("text"), entity_type, keyed).alias("id"))
    each = (
        parts.group_by("_i", maintain_order=True)
        .agg(pl.col("id").drop_nulls().unique(maintain_order=True))
        .sort("_i")
        .get_column("id")
    )
    return pl.select(
        pl.when(pl.lit(whole).is_not_null())
        .then(pl.concat_list(pl.lit(whole)))
        .otherwise(pl.lit(each))
    ).to_series()
