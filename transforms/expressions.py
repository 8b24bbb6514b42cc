"""Polars expressions shared by the transforms (cell parsing, name keys)."""

from __future__ import annotations

import datetime as dt

import polars as pl

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y",
                 "%b %d, %Y", "%Y/%m/%d"]


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


def parse_float_text(expr: pl.Expr) -> pl.Expr:
    """Text to Float64, accepting thousands separators (``15,809``, ``7 000``) and signs."""
    cleaned = expr.str.strip_chars().str.replace_all(r"[\s\u00a0\u202f,_']", "")
    return cleaned.cast(pl.Float64, strict=False)


def parse_count(expr: pl.Expr) -> pl.Expr:
    """Text to a whole count (Int64); fractional or non-numeric text becomes null."""
    value = parse_float_text(expr)
    return pl.when(value == value.round(0)).then(value).cast(pl.Int64, strict=False)


def alias_key(expr: pl.Expr) -> pl.Expr:
    """Name folded for alias lookup: ``Maia-1`` = ``MAIA 1`` = ``maia1``."""
    return expr.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "")
