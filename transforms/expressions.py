"""Polars expressions shared by the transforms: extractor prefilters, cell parsing, name keys."""

from __future__ import annotations

import datetime as dt

import polars as pl

from transforms.rules import ExtractionRules


def number_candidate_pattern(rules: ExtractionRules) -> str:
    """Regex (Rust and Python compatible) for text holding a digit or any number word."""
    words = sorted(
        w
        for w, (_value, kind) in rules.number_word_values.items()
        if kind not in ("article", "suffix", "point") and w.isalpha()
    )
    # (?-u:\b) keeps the word boundary ASCII-only, which Polars' regex engine needs for speed.
    return r"(?i)[0-9]|(?-u:\b)(?:" + "|".join(words) + r")(?-u:\b)"


def has_number(column: str | pl.Expr, rules: ExtractionRules) -> pl.Expr:
    """Boolean expression: the text contains a numeral or a spelled-out number."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.str.contains(number_candidate_pattern(rules))


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = [
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%Y/%m/%d",
]


def parse_date_text(expr: pl.Expr) -> pl.Expr:
    """Text to Date: ISO (with or without a time), day-first numeric, month names, Excel serials."""
    text = expr.str.strip_chars().str.replace(r"[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    serial = text.str.extract(r"^(\d{5})(?:\.0+)?$").cast(pl.Int32, strict=False)
    from_serial = (
        pl.when(serial.is_between(20_000, 80_000))
        .then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial))
        .cast(pl.Date)
    )
    parsed = [text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS]
    return pl.coalesce(*parsed, from_serial)


def date_parser_for(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The cheapest expression that reads every date in ``frame[column]``.

    Ledgers are almost always ISO throughout; trying eight formats on ten million rows costs
    seconds, so the full parser runs only when some non-empty cell is not plain ISO.
    """
    text = pl.col(column).str.strip_chars()
    iso = text.str.to_date("%Y-%m-%d", strict=False)
    misses = frame.select(((text.str.len_chars() > 0) & iso.is_null()).sum()).item()
    return iso if misses == 0 else parse_date_text(pl.col(column))


def parse_float_text(expr: pl.Expr) -> pl.Expr:
    """Text to Float64, accepting thousands separators (``15,809``, ``7 000``) and signs."""
    cleaned = expr.str.strip_chars().str.replace_all(r"[\s\u00a0\u202f,_']", "")
    return cleaned.cast(pl.Float64, strict=False)


def parse_count(expr: pl.Expr) -> pl.Expr:
    """Text to a whole count (Int64); fractional or non-numeric text becomes null.

    Any thousands separator counts here, the dot included (``1.250`` = 1250), because a count
    is never fractional.
    """
    grouped = expr.str.strip_chars().str.contains(r"^\d{1,3}([.,\s\u00a0\u202f']\d{3})+$")
    text = pl.when(grouped).then(expr.str.replace_all(r"\D", "")).otherwise(expr)
    value = parse_float_text(text)
    return pl.when(value == value.round(0)).then(value).cast(pl.Int64, strict=False)


def alias_key(expr: pl.Expr) -> pl.Expr:
    """Name folded for alias lookup: ``Maia-1`` = ``MAIA 1`` = ``maia1``."""
    return expr.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "")


def unparsed_cells(pairs: dict[str, pl.Expr]) -> pl.Expr:
    """Names of the columns whose received text was not empty but parsed to null ("" if none).

    ``pairs`` maps a column name to its parsed expression; the column itself still holds text.
    """
    flags = [
        pl.when((pl.col(name).str.strip_chars().str.len_chars() > 0) & parsed.is_null()).then(
            pl.lit(name)
        )
        for name, parsed in pairs.items()
    ]
    return pl.concat_str(flags, separator=", ", ignore_nulls=True)


# --------------------------------------------------------------------------------------------
# Whole-column parsers for large tables: a cheap pass for the common form, and the full
# parser only on the rows that pass fails. Each gives the same value, row by row, as the
# expression it speeds up (parse_date_text / date_parser_for, parse_count).
# --------------------------------------------------------------------------------------------

_EXACT_FLOAT_INT = 2**53  # beyond it a count read through Float64 (parse_count) loses digits


def parse_dates(text: pl.Series) -> pl.Series:
    """Text to Date, as ``parse_date_text``: plain ISO dates in one pass, then the other forms
    (day-first, month names, Excel serials, times) only for the cells ISO did not read."""
    stripped = text.str.strip_chars()
    dates = stripped.str.to_date("%Y-%m-%d", strict=False)
    missed = (dates.is_null() & (stripped.str.len_chars() > 0)).arg_true()
    if missed.len():
        rest = pl.select(parse_date_text(pl.lit(text.gather(missed)))).to_series()
        dates = dates.scatter(missed, rest)
    return dates.alias(text.name)


def parse_counts(text: pl.Series) -> pl.Series:
    """Text to a whole count (Int64), as ``parse_count``: plain integers in one pass, then
    separators, decimals and the rest only for the cells that are not plain integers."""
    stripped = text.str.strip_chars()
    counts = stripped.cast(pl.Int64, strict=False)
    counts = pl.select(
        pl.when(pl.lit(counts).is_between(-_EXACT_FLOAT_INT, _EXACT_FLOAT_INT)).then(pl.lit(counts))
    ).to_series()
    missed = (counts.is_null() & (stripped.str.len_chars() > 0)).arg_true()
    if missed.len():
        rest = pl.select(parse_count(pl.lit(text.gather(missed)))).to_series()
        counts = counts.scatter(missed, rest)
    return counts.alias(text.name)


_PROBE_ROWS = 65_536
_REPEATS_SHARE = 0.05  # a column repeats itself when a probe of its rows is at most 5% distinct


def mostly_repeats(values: pl.Series) -> bool:
    """Whether a column mostly repeats itself (a ledger's vessels, ports, dates and counts),
    judged on an evenly spread probe of its rows; a short column always qualifies."""
    if values.len() <= 2 * _PROBE_ROWS:
        return True
    probe = values.gather_every(values.len() // _PROBE_ROWS)
    return probe.n_unique() <= _REPEATS_SHARE * probe.len()


def distinct_values(values: pl.Series) -> pl.Series | None:
    """The distinct non-null values of a column that mostly repeats itself, else None.

    Work done once per distinct value is spread back to the rows with ``value_index``. An
    Enum column's distinct values are its categories.
    """
    if isinstance(values.dtype, pl.Enum):
        return values.dtype.categories
    if not mostly_repeats(values):
        return None
    return values.drop_nulls().unique()


def value_index(values: pl.Series, distinct: pl.Series) -> pl.Series:
    """Each row's position in ``distinct`` (its distinct values), null for a null cell:
    ``derived.gather(value_index(values, distinct))`` spreads per-value results to the rows."""
    if isinstance(values.dtype, pl.Enum):
        return values.to_physical()
    return values.cast(pl.Enum(distinct)).to_physical()


def repeats_as_enum(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each text column that mostly repeats itself held as an Enum of its own
    distinct values: the same text, one or two bytes a cell instead of a 16-byte string view
    (a ten-million-row ledger shrinks from 1.7 GB to a few hundred MB). Shorter frames and
    mostly distinct columns are left as they are.
    """
    if frame.height <= 2 * _PROBE_ROWS:
        return frame
    positions = [
        i
        for i, dtype in enumerate(frame.dtypes)
        if dtype == pl.String and mostly_repeats(frame.to_series(i))
    ]
    if not positions:
        return frame
    distinct = frame.select(pl.nth(i).drop_nulls().unique().implode() for i in positions).row(0)
    return frame.with_columns(
        pl.nth(i).cast(pl.Enum(d)) for i, d in zip(positions, distinct, strict=True)
    )
