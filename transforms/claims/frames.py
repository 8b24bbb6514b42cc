"""Frame helpers shared by the stage drivers: documents' sentence rows and row groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

import polars as pl

from transforms.claims.docnames import anchor_patterns
from transforms.claims.lexicon import vocab
from transforms.claims.offsets import match_starts
from transforms.claims.outlet import document_outlets
from transforms.claims.sentences import SentenceMentions
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
    cue_hint: bool  # may hold a reporting cue
    troop_hint: bool  # may name soldiers
    dated: bool  # may name a reporting period (a year, "year", a month)


@dataclass(slots=True)
class Document:
    """A document with its sentences and alias mentions."""

    doc_id: str
    text: str
    published: dt.date | None
    mentions: list[Mention]
    sentences: list[Sentence]
    name_anchors: dict[str, list[int]]  # where the text may define a name (docnames)
    local: SentenceMentions  # the mentions cut per sentence
    outlet: str | None = None  # who publishes it (for the figures it states itself)


def documents(docs: pl.DataFrame, sents: pl.DataFrame, rules: object) -> list[Document]:
    """Documents with their sentence rows (split_sentences emits each document's sentences
    contiguously and in order); the last row of a repeated doc_id wins, as the text does."""
    published = dict(
        docs.select(
            "doc_id", pl.col("published") if "published" in docs.columns else pl.lit(None, pl.Date)
        ).iter_rows()
    )
    texts = dict(docs.select("doc_id", "text").iter_rows())
    anchors = _name_anchors(docs, rules)
    per_row = mentions_by_doc(docs, rules)  # type: ignore[arg-type]
    mentions_of = {d: per_row[i] for i, d in enumerate(docs.get_column("doc_id").to_list())}
    outlets = dict(zip(docs.get_column("doc_id").to_list(), document_outlets(docs), strict=True))
    cols = (
        "doc_id",
        "para_idx",
        "sent_idx",
        "char_start",
        "char_end",
        "sentence",
        "candidate",
        "display",
        "furniture",
        "cue_hint",
        "troop_hint",
        "dated",
    )
    rows = enumerate(sents.select(cols).iter_rows())
    out = []
    for doc_id, group in groupby(rows, key=lambda r: r[1][0]):
        sentences = [Sentence(i, *row[1:]) for i, row in group]
        text = texts[doc_id] or ""
        mentions = mentions_of[doc_id] if text else []
        out.append(
            Document(
                doc_id,
                text,
                published.get(doc_id),
                mentions,
                sentences,
                anchors[doc_id],
                SentenceMentions(mentions),
                outlets.get(doc_id),
            )
        )
    return out


def _name_anchors(docs: pl.DataFrame, rules: object) -> dict[str, dict[str, list[int]]]:
    """Per doc_id, where its text may define a name, found for all texts at once."""
    texts = docs.get_column("text").fill_null("")
    patterns = anchor_patterns(rules, vocab(rules))  # type: ignore[arg-type]
    found = {kind: match_starts(texts, body) for kind, body in patterns.items()}
    ids = docs.get_column("doc_id").to_list()
    return {doc_id: {kind: found[kind][i] for kind in patterns} for i, doc_id in enumerate(ids)}


def by_row(frame: pl.DataFrame) -> dict[int, list[dict]]:
    """Rows of a stage frame grouped by their sentence row, in frame order."""
    out: dict[int, list[dict]] = {}
    names = frame.columns
    for values in zip(*(frame.get_column(c).to_list() for c in names), strict=True):
        row = dict(zip(names, values, strict=True))
        out.setdefault(row["row"], []).append(row)
    return out


def columns(schema: dict) -> dict[str, list]:
    """Empty column lists for a frame of ``schema``."""
    return {k: [] for k in schema}


def rows_of(frame: pl.DataFrame) -> Iterator[dict]:
    """Rows of a frame as dicts."""
    return frame.iter_rows(named=True)
