"""One report as the frame the extractor reads, for tests on sentences we wrote."""

from __future__ import annotations

import datetime as dt

import polars as pl

DOC_SCHEMA = {
    "doc_id": pl.String,
    "text": pl.String,
    "published": pl.Date,
    "title": pl.String,
    "outlet": pl.String,
}


def one_doc(text: str, published: dt.date | None, doc_id: str = "d") -> pl.DataFrame:
    """A single document with no title or outlet."""
    return pl.DataFrame(
        {
            "doc_id": [doc_id],
            "text": [text],
            "published": [published],
            "title": [None],
            "outlet": [None],
        },
        schema=DOC_SCHEMA,
    )
