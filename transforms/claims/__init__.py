"""Attributed quantitative claims from report text: a chain of small pure stages.

1. ``sentences``: sentences of every document with offsets, and their tokens;
2. ``numbers``: number mentions (numerals, number words, scales, ranges, percentages, money,
   hedges), their starts found for all sentences at once with the Rust regex engine;
3. ``figures``/``metric``/``nouns``/``money``: which metric each mention counts;
4. ``attribution``/``cues``/``resolve``/``names``/``choose``: claimant candidates from the
   reporting frames of each sentence, then the claimant chosen per figure;
5. ``assemble``/``parties``/``period``: supplier, recipient and period, one claim per distinct
   figure of a document.

Each stage hands the next a frame keyed by the sentence row.
"""

from __future__ import annotations

import gc

import polars as pl

from transforms.claims.assemble import assemble
from transforms.claims.attribution import attribute, events_by_row, reporting_frames
from transforms.claims.figures import count_metrics
from transforms.claims.frames import documents
from transforms.claims.lexicon import forget_words, has_phrase
from transforms.claims.model import CLAIM_SCHEMA
from transforms.claims.numbers import MENTION_SCHEMA, number_mentions
from transforms.claims.period import resolve_period
from transforms.claims.sentences import (
    TokenStore,
    phrase_hint,
    sentence_frame,
    sentence_tokens,
)
from transforms.rules import ExtractionRules

__all__ = [
    "CLAIM_SCHEMA",
    "extract_claims",
    "extract_claims_serial",
    "resolve_period",
    "MENTION_SCHEMA",
]


# Documents run through the stages together: the regex passes work on whole columns, and
# the sentences' tokens of one chunk stay small enough to keep in cache.
CHUNK_DOCS = 100000


def extract_claims(docs: pl.DataFrame, rules: ExtractionRules) -> pl.DataFrame:
    """Attributed quantitative claims, one row per distinct figure and claimant per doc."""
    # The stages hold a chunk's tokens at once: many small acyclic objects that the cyclic
    # garbage collector would rescan over and over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        parts = [
            _extract(docs.slice(k, CHUNK_DOCS), rules)
            for k in range(0, max(docs.height, 1), CHUNK_DOCS)
        ]
        return pl.concat(parts) if parts else pl.DataFrame(schema=CLAIM_SCHEMA)
    finally:
        forget_words()
        if enabled:
            gc.enable()


def extract_claims_serial(docs: pl.DataFrame, rules: ExtractionRules) -> pl.DataFrame:
    """The serial reference for :func:`extract_claims`: one document at a time, nothing
    shared between documents, and no vectorised prefilter (every sentence is read for
    reporting cues, soldiers, a period and change verbs, every token is tried as the start
    of a number). Slow; the equivalence tests hold the fast path to it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        parts = [_extract(docs.slice(k, 1), rules, serial=True) for k in range(docs.height)]
        return pl.concat(parts) if parts else pl.DataFrame(schema=CLAIM_SCHEMA)
    finally:
        forget_words()
        if enabled:
            gc.enable()


def _extract(docs: pl.DataFrame, rules: ExtractionRules, serial: bool = False) -> pl.DataFrame:
    if docs.height == 0:
        return pl.DataFrame(schema=CLAIM_SCHEMA)
    sents = sentence_frame(docs, rules)
    if sents.height == 0:
        return pl.DataFrame(schema=CLAIM_SCHEMA)
    if serial:  # the hints only ever skip sentences that would give nothing
        sents = sents.with_columns(
            pl.lit(True).alias(hint) for hint in ("cue_hint", "troop_hint", "dated")
        )
    tokens = sentence_tokens(sents)
    changes = _change_verbs(sents, tokens, rules, serial)
    numbers = number_mentions(sents, tokens, changes, rules, every_token=serial)
    doc_list = documents(docs, sents, rules)
    event_frame = reporting_frames(doc_list, tokens, rules)
    events = events_by_row(event_frame)
    named = {row for row, evs in events.items() if any(e.claimant is not None for e in evs)}
    figures = count_metrics(doc_list, tokens, numbers, named, changes, rules)
    figures = attribute(doc_list, figures, events, rules)
    return assemble(doc_list, tokens, figures, events, rules)


def _change_verbs(
    sents: pl.DataFrame, tokens: TokenStore, rules: ExtractionRules, serial: bool = False
) -> dict[int, bool]:
    """Candidate sentences with a change verb ("rose from A to B" is two figures); only
    those whose text may hold one (a Rust-regex pass over all sentences) are tokenised
    and looked at."""
    change = rules.cue_sets.get("change_verb", set())
    hint = None if serial else phrase_hint(change)
    may = pl.col("candidate") if hint is None else pl.col("candidate") & hint
    rows = sents.select(pl.arg_where(may)).to_series().to_list()
    return {row: True for row in rows if has_phrase(tokens[row], 0, len(tokens[row]), change)}
