"""Records passed between the stages, and the output schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

CLAIM_SCHEMA = {
    "doc_id": pl.String,
    "claim_seq": pl.Int32,
    "metric": pl.String,
    "value_low": pl.Float64,
    "value_high": pl.Float64,
    "unit": pl.String,
    "qualifier": pl.String,
    "attributed_to": pl.String,
    "reported_by": pl.String,
    "claimant": pl.String,  # as written ("Seoul's spy agency"); the outlet for its own figures
    "claimant_kind": pl.String,  # alias (in aliases.csv) | candidate (a new name) | outlet
    "supplier": pl.String,
    "recipient": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "quote": pl.String,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
    "sentence_idx": pl.Int32,
}

TROOP_METRICS = frozenset(
    {
        "troops_deployed",
        "troop_reinforcements",
        "troop_casualties",
        "troops_killed",
        "troops_wounded",
        "troops_captured",
    }
)
LOSS_METRICS = frozenset({"troop_casualties", "troops_killed", "troops_wounded", "troops_captured"})


@dataclass(slots=True)
class Claimant:
    """Who a figure is attributed to."""

    name: str
    entity_type: str | None = None
    iso2: str | None = None
    written: str | None = field(default=None, compare=False)  # the name as the text writes it


@dataclass(slots=True)
class Event:
    """A reporting cue in a sentence with the claimant it points at (None = anonymous)."""

    pos: int
    kind: str
    claimant: Claimant | None
    words: frozenset[str] = frozenset()  # words of the phrase that named the claimant


@dataclass(slots=True)
class DocState:
    """What earlier sentences of a document established for attribution."""

    first_org: Claimant | None = None
    quoted: list[Claimant] = field(default_factory=list)  # claimants named so far, in order
    para_idx: int = -1
    para_attr: tuple[Claimant | None, Claimant | None] | None = None


@dataclass(slots=True)
class Draft:
    """A figure with its metric, before attribution and deduplication."""

    metric: str
    low: float | None
    high: float | None
    unit: str
    qualifier: str
    start: int
    end: int
    pos: int


@dataclass(slots=True)
class SentenceContext:
    """What the surrounding text says about a sentence's bare figures."""

    prev_troops: bool = False  # the previous sentence (any paragraph) was about soldiers
    answer_topic: str | None = None  # metric of the question this sentence answers
    recent_metric: str | None = None  # metric of the last claim in the previous sentences
    earlier_metric: str | None = None  # the same within a few more sentences ("the total")
    prev_tokens: Callable[[], list] | None = None  # tokens of the previous sentence (elided nouns)
    troops_nearby: bool = False  # one of the last three sentences was about soldiers
    prev_in_para: bool = False  # the previous sentence is in the same paragraph
    munitions_weighed: bool = False  # the document already weighed munitions in tonnes
    running: Callable[[], str | None] | None = (
        None  # the thing last counted in the sentences just before
    )
