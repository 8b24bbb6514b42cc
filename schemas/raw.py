"""Pandera models for the raw layer: what ingestion hands to the warehouse."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from transforms.vocabulary import DATE_SOURCES, EARLIEST_DATE, OUTLET_SOURCES, PLAUSIBLE_AHEAD

SHA256 = r"^[0-9a-f]{64}$"


class RawDocument(pa.DataFrameModel):
    """raw.documents: one row per distinct report content."""

    doc_id: str = pa.Field(
        str_matches=r"^[0-9a-f]{16}$", unique=True, description="First 16 hex digits of sha256."
    )
    sha256: str = pa.Field(str_matches=SHA256, description="sha256 of the file's bytes.")
    file_name: str = pa.Field(
        str_length={"min_value": 1}, description="Path in the inbox where first seen."
    )
    format: str = pa.Field(isin=["txt", "md", "html", "pdf"], description="Text format.")
    title: str = pa.Field(
        nullable=True, description="Headline from front matter, <title> or PDF info."
    )
    url: str = pa.Field(nullable=True, description="Original address, from front matter.")
    outlet: str = pa.Field(nullable=True, description="Publishing outlet, from front matter.")
    published: dt.date = pa.Field(
        nullable=True, description="Publication date, if the file states one."
    )
    text: str = pa.Field(
        str_length={"min_value": 1}, description="Visible text, decoded, newlines normalised."
    )
    published_source: str = pa.Field(
        isin=list(DATE_SOURCES), description="Where the publication date was read."
    )
    outlet_source: str = pa.Field(
        isin=list(OUTLET_SOURCES), description="Where the outlet's name was read."
    )

    @pa.check("published", name="published_in_plausible_window")
    def published_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Publication dates before the earliest plausible date or more than a year ahead are typos."""
        col = pl.col(data.key)
        latest = dt.date.today() + PLAUSIBLE_AHEAD
        return data.lazyframe.select(col.is_null() | col.is_between(EARLIEST_DATE, latest))

    class Config:
        name = "raw.documents"
