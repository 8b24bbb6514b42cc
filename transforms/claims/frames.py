"""Frame helpers shared by the stage drivers: documents' sentence rows and row groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

import polars as pl

from transforms.entities import Mention, mentions_by_doc


@dataclass(slots=True)
class Sentence:
    """One row of the sentence frame."""

    row: int
    para_idx: int
    sent_idx: int
    start: int
    end: int
    text: str
    candidate: bool
    display: bool  # a heading or a caption: read for context, gives no claim
    furniture: bool  # page furniture: not read at all


@dataclass(slots=True)
class Document:
    """A document with its sentences and alias mentions."""

    doc_id: str
    text: str
    published: dt.date | None
    mentions: list[Mention]
    sentences: list[Sentence]


def documents(docs: pl.DataFrame, sents: pl.DataFrame, rules: object) -> list[Document]:
    """Documents with their sentence rows (split_sentences emits each document's sentences
    contiguously and in order); the last row of a repeated doc_id wins, as the text does."""
    published = dict(docs.select(
        "doc_id", pl.col("published") if "published" in docs.columns else pl.lit(None, pl.Date)
    ).iter_rows())
    texts = dict(docs.select("doc_id", "text").iter_rows())
    per_row = mentions_by_doc(docs, rules)  # type: ignore[arg-type]
    mentions_of = {d: per_row[i] for i, d in enumerate(docs.get_column("doc_id").to_list())}
    cols = ("doc_id", "para_idx", "sent_idx", "char_start", "char_end", "sentence", "candidate",
            "display", "furniture")
    rows = enumerate(sents.select(cols).iter_rows())
    out = []
    for doc_id, group in groupby(rows, key=lambda r: r[1][0]):
        sentences = [Sentence(i, *row[1:]) for i, row in group]
        text = texts[doc_id] or ""
        out.append(Document(doc_id, text, published.get(doc_id), mentions_of[doc_id] if text else [], sentences))
    return out


def by_row(frame: pl.DataFrame) -> dict[int, list[dict]]:
    """Rows of a stage frame grouped by their sentence row, in frame order."""
    out: dict[int, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        out.setdefault(row["row"], []).append(row)
    return out


def columns(schema: dict) -> dict[str, list]:
    """Empty column lists for a frame of ``schema``."""
    return {k: [] for k in schema}


def rows_of(frame: pl.DataFrame) -> Iterator[dict]:
    """Rows of a frame as dicts."""
    return frame.iter_rows(named=True)
