"""Attributed quantitative claims from report text.

Pipeline per batch of documents:

1. split into sentences (``transforms.text``) and keep, with one vectorised Polars
   ``str.contains``, only sentences that contain a digit or a number word;
2. per candidate sentence, find number phrases (``transforms.numbers``), decide the
   metric from the counted noun and its clause, drop non-claims (dates, calibres, page
   furniture, macro-economic money);
3. attribute each claim to the nearest reporting cue of its sentence, following
   citation chains and carrying attribution across one paragraph;
4. resolve supplier/recipient and the reporting period; collapse restatements.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

import polars as pl

from supplyline.rules import ExtractionRules
from transforms.entities import Mention, mentions_by_doc
from transforms.expressions import has_number
from transforms.numbers import (
    MONTHS,
    NumberPhrase,
    Token,
    bounds_for,
    find_number_phrases,
    tokenize,
)
from transforms.text import split_sentences

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
_CLAUSE_BREAK = frozenset({",", ";", ":", "(", ")", "—", "–"})
_QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})
# A reporting verb after these words is passive or adjectival, so the noun before it is
# the subject of the figure, not its source.
_NOT_A_CUE_BEFORE = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "an", "a", "the", "widely", "generally"}
)
# Adverbs between a form of "be" and a passive reporting verb ("is also believed").
_PASSIVE_ADVERBS = frozenset(
    {"also", "widely", "generally", "now", "still", "further", "previously", "already", "long",
     "commonly", "reportedly", "thought", "not"}
)
# Determiners that make "the figure", "that number" point back at an earlier count.
_DETERMINERS = frozenset({"the", "that", "this", "its", "their", "his", "her", "same"})
# "not only", "not just": emphasis, not negation.
_NOT_ONLY = frozenset({"only", "just", "merely", "least"})
_FIRST_PERSON = frozenset({"our", "my", "us", "me", "we", "i"})
# Labels that open a question turn in an interview or transcript.
_QUESTION_LABELS = frozenset({"q", "question", "interviewer", "moderator"})
_ANSWER_LABELS = frozenset({"a", "answer"})
_TURN = re.compile(
    r"[\s*_>]*([A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})[ \t]*(?:\([^)]{0,40}\))?[*_]*[ \t]*:[*_]*\s"
)
_PAREN_SOURCE = re.compile(r"\(([^()]{2,80})\)[\s.;,*_]*$")
# Words between an organisation and a person that make the person the speaker
# ("the agency's chief Jane Doe").
_TITLE_WORDS = frozenset(
    [
        "chief",
        "head",
        "director",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "minister",
        "commander",
        "official",
        "secretary",
        "general",
        "president",
        "deputy",
        "press",
        "analyst",
        "researcher",
        "envoy",
        "ambassador",
    ]
)
# Rate phrases after a bare number ("10,000 a day").
_RATE_FIRST = frozenset({"a", "per", "each", "every"})
_RATE_UNITS = frozenset({"day", "week", "month", "year"})
# Words after a number that still leave it without a noun ("2,000 more arrived").
# Sentences back that an attributed "the total", "the figure" ("the Pentagon had put the
# total at about 3,000") may reach for the counted noun; two without a named claimant.
_ANAPHOR_REACH = 4
# Metrics that count per unit of time: a bare figure with a rate phrase continues them.
_RATE_METRICS = frozenset({"artillery_rounds_per_day"})
_BARE_EXTENDERS = frozenset({"more", "additional", "extra", "fresh", "others", "other"})
_AUXILIARIES = frozenset(
    [
        "have",
        "has",
        "had",
        "been",
        "were",
        "was",
        "are",
        "is",
        "be",
        "being",
        "reportedly",
        "already",
        "also",
        "later",
        "since",
        "then",
    ]
)
# Adverbs that may stand between a claimant and its reporting verb ("has now said").
_VERB_ADVERBS = frozenset(
    {"now", "earlier", "previously", "already", "also", "again", "first", "recently", "since",
     "separately", "once", "still", "further", "long", "publicly", "officially", "reportedly"}
)
# Plural nouns that make the argument of "citing ..." an unnamed group of people.
_UNNAMED_PEOPLE = frozenset(
    {"officials", "official", "sources", "source", "diplomats", "diplomat", "officers",
     "officer", "people", "person", "insiders", "lawmakers", "analysts"}
)
# Lower-case head nouns of a body named after its owner ("Finland's defence ministry").
_BODY_HEADS = frozenset(
    {"ministry", "intelligence", "military", "army", "navy", "government", "agency", "service",
     "office", "command", "forces", "staff", "police"}
)
_HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "professor",
        "analyst",
        "lawmaker",
        "senator",
        "representative",
        "gen",
        "general",
        "maj",
        "major",
        "col",
        "colonel",
        "lt",
        "adm",
        "admiral",
        "capt",
        "captain",
        "sgt",
        "commander",
        "rep",
        "sen",
    ]
)
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'’.-]*")
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "But",
        "And",
        "Or",
        "So",
        "If",
        "As",
        "By",
        "For",
        "From",
        "Since",
        "After",
        "Before",
        "While",
        "When",
        "Where",
        "Earlier",
        "Later",
        "Meanwhile",
        "However",
        "Last",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "He",
        "She",
        "They",
        "We",
        "I",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
) | {m.capitalize() for m in MONTHS}


# --------------------------------------------------------------------------- data types
@dataclass(slots=True)
class Claimant:
    """Who a figure is attributed to."""

    name: str
    entity_type: str | None = None
    iso2: str | None = None


@dataclass(slots=True)
class Event:
    """A reporting cue in a sentence with the claimant it points at (None = anonymous)."""

    pos: int
    kind: str
    claimant: Claimant | None


@dataclass(slots=True)
class DocState:
    """What earlier sentences of a document established for attribution."""

    first_org: Claimant | None = None
    quoted: list[Claimant] = field(default_factory=list)  # claimants named so far, in order
    para_idx: int = -1
    para_attr: tuple[Claimant | None, Claimant | None] | None = None


@dataclass(slots=True)
class Draft:
    """A claim before deduplication."""

    metric: str
    low: float | None
    high: float | None
    unit: str
    qualifier: str
    start: int
    end: int
    pos: int
    supplier: str | None = None
    recipient: str | None = None
    extra: dict = field(default_factory=dict)


# Words that make a bare weight ("260,000 metric tons") a weight of munitions.
_MUNITION_WORDS = frozenset(
    {("munitions",), ("munition",), ("explosives",), ("weapons",), ("arms",), ("cargo",)}
)


@dataclass(slots=True)
class SentenceContext:
    """What the surrounding text says about a sentence's bare figures."""

    prev_troops: bool = False  # the previous sentence (any paragraph) was about soldiers
    answer_topic: str | None = None  # metric of the question this sentence answers
    recent_metric: str | None = None  # metric of the last claim in the previous sentences
    earlier_metric: str | None = None  # the same within a few more sentences ("the total")


# --------------------------------------------------------------------------- helpers
# Phrase tables indexed by their first word (keyed by id() but holding the table too, so a
# recycled id never returns a stale index): first word -> phrase lengths (longest first,
# at most 4) for _match_at, and first word -> phrases for _has_phrase.
_LENGTHS: dict[int, tuple[object, dict[str, tuple[int, ...]]]] = {}
_BY_FIRST: dict[int, tuple[object, dict[str, tuple[tuple[str, ...], ...]]]] = {}


def _lengths_by_first(
    table: dict[tuple[str, ...], str] | set[tuple[str, ...]] | frozenset,
) -> dict[str, tuple[int, ...]]:
    cached = _LENGTHS.get(id(table))
    if cached is None or cached[0] is not table:
        sizes: dict[str, set[int]] = {}
        for phrase in table:
            if phrase and len(phrase) <= 4:
                sizes.setdefault(phrase[0], set()).add(len(phrase))
        cached = (table, {w: tuple(sorted(ls, reverse=True)) for w, ls in sizes.items()})
        _LENGTHS[id(table)] = cached
    return cached[1]


def _phrases_by_first(
    phrases: set[tuple[str, ...]] | frozenset,
) -> dict[str, tuple[tuple[str, ...], ...]]:
    cached = _BY_FIRST.get(id(phrases))
    if cached is None or cached[0] is not phrases:
        index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            if phrase:
                index.setdefault(phrase[0], []).append(phrase)
        cached = (phrases, {w: tuple(ps) for w, ps in index.items()})
        _BY_FIRST[id(phrases)] = cached
    return cached[1]


def _match_at(
    tokens: list[Token], k: int, table: dict[tuple[str, ...], str]
) -> tuple[str, int] | None:
    """Longest phrase of ``table`` (up to 4 words) starting at token k -> (value, length)."""
    if k >= len(tokens):
        return None
    lengths = _lengths_by_first(table).get(tokens[k].low)
    if lengths is None:
        return None
    return _match_lengths(tokens, k, table, lengths)


def _match_lengths(
    tokens: list[Token], k: int, table: dict[tuple[str, ...], str], lengths: tuple[int, ...]
) -> tuple[str, int] | None:
    n = len(tokens)
    for length in lengths:
        if k + length > n:
            continue
        if length == 1:
            hit = table.get((tokens[k].low,))
        else:
            hit = table.get(tuple([t.low for t in tokens[k : k + length]]))
        if hit is not None:
            return hit, length
    return None


def _has_phrase(
    tokens: list[Token], lo: int, hi: int, phrases: set[tuple[str, ...]] | frozenset
) -> bool:
    """Whether any phrase occurs in tokens[lo:hi]."""
    index = _phrases_by_first(phrases)
    lows = [t.low for t in tokens[max(lo, 0) : hi]]
    if index.keys().isdisjoint(lows):
        return False
    for k, word in enumerate(lows):
        candidates = index.get(word)
        if candidates is not None:
            for phrase in candidates:
                if len(phrase) == 1 or tuple(lows[k : k + len(phrase)]) == phrase:
                    return True
    return False


def _clause_bounds(tokens: list[Token], i: int, j: int) -> tuple[int, int]:
    """Token range of the comma/semicolon clause around tokens [i, j)."""
    lo = i
    while lo > 0 and tokens[lo - 1].text not in _CLAUSE_BREAK:
        lo -= 1
    hi = j
    while hi < len(tokens) and tokens[hi].text not in _CLAUSE_BREAK and tokens[hi].text != ".":
        hi += 1
    return lo, hi


def _is_measure_next(tokens: list[Token], j: int, rules: ExtractionRules) -> bool:
    return j < len(tokens) and tokens[j].low in rules.measures


# --------------------------------------------------------------------------- metrics
class _SentenceClaims:
    """Metric, money and share decisions for the number phrases of one sentence."""

    def __init__(
        self,
        sentence: str,
        tokens: list[Token],
        rules: ExtractionRules,
        prev_troops: bool = False,
        context: SentenceContext | None = None,
    ) -> None:
        self.s = sentence
        self.t = tokens
        self.r = rules
        self.n = len(tokens)
        self.prev_troops = prev_troops  # the previous sentence of the paragraph was about soldiers
        self.ctx = context or SentenceContext()
        self._skip: set[int] = set()  # phrase starts consumed by a ratio ("one in ten")
        self._label = self._label_metric()

    def run(self) -> list[Draft]:
        r, t = self.r, self.t
        if _has_phrase(t, 0, self.n, r.cue_sets.get("suppress", set())):
            return []
        change = _has_phrase(t, 0, self.n, r.cue_sets.get("change_verb", set()))
        drafts: list[Draft] = []
        phrases = find_number_phrases(self.s, r, t, change=change)
        covered = set()
        for idx, ph in enumerate(phrases):
            covered.update(range(ph.start_tok, ph.end_tok))
            if ph.start_tok in self._skip or self._negated(ph.start_tok):
                continue
            nxt = phrases[idx + 1] if idx + 1 < len(phrases) else None
            draft = self._claim(ph, drafts, nxt if change else None)
            if draft is not None:
                drafts.append(draft)
        drafts.extend(self._fractions(covered))
        drafts.sort(key=lambda d: d.start)
        return drafts

    def _span(self, a: int, b: int) -> tuple[int, int]:
        return self.t[a].start, self.t[b - 1].end

    def _claim(
        self, ph: NumberPhrase, previous: list[Draft], change_to: NumberPhrase | None = None
    ) -> Draft | None:
        r, t = self.r, self.t
        if _is_measure_next(t, ph.end_tok, r) and not ph.currency and not ph.percent:
            return None
        if ph.percent:
            return self._share(ph)
        if ph.currency:
            return self._money(ph)
        fwd = self._forward(ph.end_tok)
        metric, noun_end, bare, inline = fwd
        if metric == "-":
            return None
        if self._ratio(noun_end or ph.end_tok):
            return None  # "one container in ten" is a proportion, not a count
        if metric == "explosives_tonnes" and not self._munition_weight(noun_end):
            return None
        if ph.year_like and (metric is None or noun_end != ph.end_tok + 1):
            return None
        if (
            metric is None
            and change_to is not None
            and ph.end_tok < self.n
            and t[ph.end_tok].low == "to"
            and change_to.start_tok == ph.end_tok + 1
        ):
            # "rose from 15,000 to 30,000 troops": the first figure counts the same noun.
            metric = self._forward(change_to.end_tok)[0]
            metric = None if metric == "-" else metric
        if metric is None and bare and not ph.year_like:
            metric = self._loss_predicate(ph.end_tok)
        if metric is None and not ph.year_like:
            metric = self._loss_verb_before(ph.start_tok)  # "... and wounded 40 near X"
        if metric is None and bare and not ph.year_like:
            metric = self._backward(ph.start_tok)
            if metric is not None and previous and previous[-1].metric in {
                dst for _cue, dst, _pos in self.r.modifiers.get(metric, ())
            }:
                # "10,000 shells a day while Ukraine fired between 2,000 and 3,000": the
                # bare figure compares with the refined figure before it (a rate).
                metric = previous[-1].metric
            if metric is None and previous:
                prior = previous[-1].metric
                if prior in TROOP_METRICS or prior in self.r.metric_units and prior != "money":
                    # A bare follow-on number ("lifting the total to 10,000") restates the
                    # running total, so reinforcements roll up into the deployed force.
                    metric = "troops_deployed" if prior == "troop_reinforcements" else prior
        if metric is None and not ph.year_like and (bare or self._label is not None):
            metric = self._topic(ph, bare)
        if metric is None and bare and not ph.year_like and self._rate_next(ph.end_tok):
            # "often fewer than 2,000 a day" right after a daily rate: the same rate.
            recent = self.ctx.recent_metric
            if recent is not None and recent in _RATE_METRICS:
                metric = recent
        if metric is None:
            return None
        if metric in LOSS_METRICS and noun_end is not None and not self._loss_context():
            return None  # "14 killed" in a strike on a city counts civilians, not soldiers
        end = max(noun_end or ph.end_tok, ph.end_tok)
        metric = self._modify(metric, ph.start_tok, noun_end or ph.end_tok, inline)
        start, stop = self._span(ph.start_tok, end)
        return Draft(
            metric,
            ph.low,
            ph.high,
            r.metric_units.get(metric, ""),
            ph.qualifier,
            start,
            stop,
            t[ph.core_tok].start,
        )

    def _loss_predicate(self, j: int) -> str | None:
        """'300 have died', '2,700 were wounded': a loss verb right after a bare number."""
        if not (self._troop_context() or self.prev_troops):
            return None
        t = self.t
        for k in range(j, min(j + 5, self.n)):
            hit = _match_at(t, k, self.r.forward_keywords)
            if hit is not None and hit[0] in LOSS_METRICS:
                refined = self._modify("troops_deployed", j, k, set())  # "killed or wounded"
                return refined if refined in LOSS_METRICS else hit[0]
            if t[k].low not in _AUXILIARIES:
                return None
        return None

    def _loss_verb_before(self, i: int) -> str | None:
        """'killed 21 soldiers and wounded 40': a loss verb right before a bare number."""
        if i == 0 or not (self._troop_context() or self.prev_troops):
            return None
        hit = self.r.forward_keywords.get((self.t[i - 1].low,))
        return hit if hit in LOSS_METRICS else None

    def _loss_context(self) -> bool:
        """Losses are soldiers' when the sentence names soldiers, or when the previous sentence
        did and nothing here points at civilians."""
        if self._troop_context():
            return True
        return (self.prev_troops or self.ctx.prev_troops) and not _has_phrase(
            self.t, 0, self.n, self.r.cue_sets.get("civilian", set())
        )

    def _negated(self, i: int) -> bool:
        """'has not sent 100,000 troops': a negator in the three words before the figure."""
        neg = self.r.cue_sets.get("negation", set())
        lo = i
        for k in range(i - 1, max(-1, i - 4), -1):
            if self.t[k].text in _CLAUSE_BREAK or self.t[k].text == ".":
                break
            lo = k
        if lo == i:
            return False
        words = [x for x in self.t[lo:i] if x.low not in _NOT_ONLY]
        if any(x.low.endswith(("n't", "n’t")) for x in words):
            return True
        if any(x.low == "not" and k + 1 < len(self.t) and self.t[k + 1].low in _NOT_ONLY
               for k, x in enumerate(self.t[lo:i], lo)):
            return False  # "not only a million shells but also ..."
        return _has_phrase(self.t, lo, i, neg)

    def _ratio(self, j: int) -> bool:
        """'one container in ten', 'three out of four': the second number is a denominator."""
        t = self.t
        if (
            j + 1 < self.n
            and t[j].low in ("per", "each")
            and t[j + 1].kind == "word"
            and t[j + 1].low.rstrip("s") not in _RATE_UNITS | {"a", "an"}
        ):
            return True  # "15 rounds per gun": a ratio to another count
        ratio = self.r.cue_sets.get("ratio", set())
        for cue in ratio:
            n = len(cue)
            if tuple(x.low for x in self.t[j : j + n]) != cue:
                continue
            k = j + n
            if k >= self.n or _is_measure_next(self.t, k + 1, self.r):
                continue
            tok = self.t[k]
            small = tok.kind == "num" and re.fullmatch(r"\d{1,3}", tok.text) is not None
            word = self.r.number_word_values.get(tok.low, (0.0, ""))[1] in ("unit", "tens", "hundred")
            if small or word:
                self._skip.add(k)
                return True
        return False

    def _munition_weight(self, noun_end: int | None) -> bool:
        """'260,000 metric tons' counts munitions only when the sentence is about munitions and
        the unit does not weigh something else ('tons of rice')."""
        t = self.t
        if noun_end is None:
            return True
        if any(x.low == "of" for x in t[max(0, noun_end - 3) : noun_end]):
            return True  # the keyword itself named the cargo ("tonnes of munitions")
        if noun_end < self.n and t[noun_end].low == "of":
            return False
        return _has_phrase(t, 0, self.n, self.r.share_nouns | _MUNITION_WORDS)

    def _label_metric(self) -> str | None:
        """Metric named by a fact-box label ("Troops deployed: about 11,000")."""
        t = self.t
        colon = next((k for k, x in enumerate(t[:8]) if x.text == ":"), None)
        if colon is None or colon == 0:
            return None
        words = [x for x in t[:colon] if x.kind == "word"]
        if not 1 <= len(words) <= 4 or any(
            x.kind == "num" or x.low in self.r.number_word_values for x in t[:colon]
        ):
            return None  # a label is a short noun phrase without figures
        for k in range(colon):
            for table in (self.r.forward_keywords, self.r.backward_keywords):
                hit = _match_at(t, k, table)
                if hit is not None and hit[0] != "-" and k + hit[1] <= colon:
                    return hit[0]
        return None

    def _topic(self, ph: NumberPhrase, bare: bool = True) -> str | None:
        """A bare figure whose noun was named before: a fact-box label, the question being
        answered, or 'the figure' / 'the number' standing for the last counted noun."""
        t = self.t
        if self._label is not None and t[0].start <= t[ph.start_tok].start:
            colon = next((k for k, x in enumerate(t[:8]) if x.text == ":"), 0)
            if ph.start_tok > colon and not any(
                x.kind == "num" for x in t[colon + 1 : ph.core_tok]
            ):
                return self._label  # the first figure after the label
        if not bare:
            return None
        if self.ctx.answer_topic is not None and (ph.qualifier != "exact" or self.n <= 8):
            return self.ctx.answer_topic
        if self.ctx.earlier_metric is not None:
            anaphors = self.r.cue_sets.get("anaphor", set())
            for k in range(ph.start_tok - 1, 0, -1):
                if (
                    (t[k].low,) in anaphors
                    and not (k + 1 < self.n and t[k + 1].low == "of")
                    and (t[k - 1].low in _DETERMINERS or (k > 1 and t[k - 2].low in _DETERMINERS))
                ):
                    return self.ctx.earlier_metric
        return None

    def _rate_next(self, j: int) -> bool:
        """'a day', 'per day' right after token j."""
        t = self.t
        return (
            j + 1 < self.n and t[j].low in _RATE_FIRST and t[j + 1].low in _RATE_UNITS
        ) or (j < self.n and t[j].low in ("daily", "weekly", "monthly", "annually"))

    def _troop_context(self) -> bool:
        """The sentence talks about soldiers (a troop noun, not just a loss verb)."""
        return _has_phrase(self.t, 0, self.n, self.r.troop_nouns)

    def _forward(self, j: int) -> tuple[str | None, int | None, bool, set[str]]:
        """Counted noun after the number -> (metric, noun end, bare, inline modifiers)."""
        r, t = self.r, self.t
        k = j
        steps = 0
        inline: set[str] = set()
        # Still "bare" after words like "more" ("1,000 more may follow"): no noun was named.
        only_skips = True
        while k < self.n and steps < 8:
            hit = _match_at(t, k, r.forward_keywords)
            if hit is not None:
                return hit[0], k + hit[1], False, inline
            tok = t[k]
            if tok.text in _QUOTES:
                k += 1
                continue
            if tok.kind == "punct" or tok.kind == "sym":
                return None, None, only_skips, inline
            if tok.kind == "num":
                only_skips = False
                if k > j and t[k - 1].kind == "word" and t[k - 1].end == tok.start:
                    k += 1  # model designation such as "M1989" between number and noun
                    steps += 1
                    continue
                if _is_measure_next(t, k + 1, r):
                    k += 2  # calibre such as "152 mm" between number and noun
                    steps += 1
                    continue
                if re.fullmatch(r"\d+(?:\.\d+)?(?:mm|cm|-mm|-inch|-in|in)", tok.low):
                    k += 1
                    steps += 1
                    continue
                if (
                    k >= 2
                    and t[k - 1].low in ("of", "the")
                    and any(x.low == "of" for x in t[max(j, k - 2) : k])
                ):
                    k += 1  # "8,000 of the 10,000 soldiers": take the noun of the whole
                    steps += 1
                    continue
                return None, None, False, inline
            role = r.window_roles.get(tok.low)
            if tok.low in ("and", "or") and k > j and self._calibre_at(k + 1):
                k += 1  # "152 mm and 122 mm shells": two calibres of one noun
                steps += 1
                continue
            if tok.low in _RATE_FIRST and k + 1 < self.n and t[k + 1].low in _RATE_UNITS:
                return None, None, only_skips, inline  # "10,000 a day": still no noun
            if role == "function":
                return None, None, only_skips, inline
            if (
                role == "skip"
                or "-" in tok.text
                or tok.text[0].isupper()
                or tok.low in r.demonym_iso
            ):
                inline.add(tok.low)
                only_skips = only_skips and tok.low in _BARE_EXTENDERS
                k += 1
                steps += 1
                continue
            return None, None, False, inline
        return None, None, k >= self.n and only_skips, inline

    def _calibre_at(self, k: int) -> bool:
        t = self.t
        if k >= self.n or t[k].kind != "num":
            return False
        return _is_measure_next(t, k + 1, self.r) or bool(
            re.fullmatch(r"\d+(?:\.\d+)?(?:mm|cm|-mm|-inch|-in|in)", t[k].low)
        )

    def _backward(self, i: int) -> str | None:
        """Metric noun earlier in the clause ("the number of wounded was put at 1,000")."""
        r, t = self.r, self.t
        lo, _ = _clause_bounds(t, i, i)
        for k in range(i - 1, max(lo, i - 12) - 1, -1):
            for length in (3, 2, 1):
                a = k - length + 1
                if a < lo:
                    continue
                hit = r.backward_keywords.get(tuple(x.low for x in t[a : k + 1]))
                if hit is not None and hit != "-":
                    return hit
        return None

    def _modify(self, metric: str, start: int, noun_end: int, inline: set[str]) -> str:
        """Apply loss verbs, reinforcement words and rate phrases to the base metric."""
        mods = self.r.modifiers.get(metric)
        if not mods:
            return metric
        t = self.t
        for cue, dst, pos in mods:
            if pos == "inline" and cue[0] in inline:
                return dst
        _, hi = _clause_bounds(t, noun_end, noun_end)
        after = [x.low for x in t[noun_end : min(hi, noun_end + 8)]]
        before = [x.low for x in t[max(0, start - 4) : start]]
        for cue, dst, pos in mods:
            n = len(cue)
            if pos == "after":
                if any(tuple(after[k : k + n]) == cue for k in range(len(after) - n + 1)):
                    return dst
            elif pos == "before" and any(
                tuple(before[k : k + n]) == cue for k in range(len(before) - n + 1)
            ):
                return dst
        return metric

    def _share(self, ph: NumberPhrase) -> Draft | None:
        end = self._share_noun(ph.end_tok)
        if end is None or ph.value > 100:
            return None
        start, stop = self._span(ph.start_tok, end)
        return Draft(
            "share_of_artillery_ammo",
            ph.low,
            ph.high,
            "percent",
            ph.qualifier,
            start,
            stop,
            self.t[ph.core_tok].start,
        )

    def _share_noun(self, j: int) -> int | None:
        """End of "of (all) (the) (Russia's) ammunition" after a percentage or fraction."""
        t, r = self.t, self.r
        if j >= self.n or t[j].low != "of":
            return None
        k = j + 1
        for _ in range(5):
            if k >= self.n:
                return None
            for length in (2, 1):
                if tuple(x.low for x in t[k : k + length]) in r.share_nouns:
                    return k + length
            if t[k].kind != "word" or (
                t[k].low not in ("all", "the", "its", "their")
                and not t[k].text[0].isupper()
                and not t[k].low.endswith(("'s", "’s"))
                and r.window_roles.get(t[k].low) != "skip"
            ):
                return None
            k += 1
        return None

    def _fractions(self, covered: set[int]) -> list[Draft]:
        """'half of all the shells Russia fires' -> share of artillery ammunition."""
        r, t = self.r, self.t
        out = []
        for k, tok in enumerate(t):
            entry = r.number_word_values.get(tok.low)
            if entry is None or entry[1] != "fraction" or k in covered:
                continue
            end = self._share_noun(k + 1)
            if end is None:
                continue
            first = k - 1 if k > 0 and t[k - 1].low in ("a", "one") else k
            qual, start = self._hedge_for(first)
            low, high = bounds_for(entry[0], qual)
            s, e = self._span(start, end)
            out.append(
                Draft(
                    "share_of_artillery_ammo",
                    low,
                    high,
                    "percent",
                    qual or "exact",
                    s,
                    e,
                    tok.start,
                )
            )
        return out

    def _hedge_for(self, i: int) -> tuple[str | None, int]:
        t = self.t
        for length in (3, 2, 1):
            k = i - length
            if k < 0:
                continue
            hit = self.r.hedges_before.get(tuple(x.low for x in t[k:i]))
            if hit is not None and hit[0] != "none":
                return hit[0], k
        return None, i

    def _money(self, ph: NumberPhrase) -> Draft | None:
        r, t = self.r, self.t
        lo, hi = self._money_clause(ph.start_tok, ph.end_tok)
        pos = r.cue_sets.get("money_positive", set())
        weak = r.cue_sets.get("money_weak", set())
        neg = r.cue_sets.get("money_negative", set())
        # Supply words in the clause keep the sum; macro words there drop it (even next to a
        # bare "war": "exports before the war"); otherwise the sentence as a whole must be
        # about the war or the supply relationship.
        if not _has_phrase(t, lo, hi, pos) and (
            _has_phrase(t, lo, hi, neg) or not _has_phrase(t, 0, self.n, pos | weak)
        ):
            return None
        start, stop = self._span(ph.start_tok, ph.end_tok)
        return Draft(
            "money",
            ph.low,
            ph.high,
            ph.currency or "",
            ph.qualifier,
            start,
            stop,
            t[ph.core_tok].start,
        )

    def _money_clause(self, i: int, j: int) -> tuple[int, int]:
        """Comma clause around a sum; a bracketed conversion belongs to the outer clause."""
        t = self.t
        depth_open = any(x.text == "(" for x in t[max(0, i - 3) : i])
        if depth_open:
            k = i
            while k > 0 and t[k].text != "(":
                k -= 1
            return _clause_bounds(t, k, k)
        return _clause_bounds(t, i, j)


# --------------------------------------------------------------------------- attribution
class _Attributor:
    """Finds reporting cues and their claimants in one sentence."""

    def __init__(self, rules: ExtractionRules) -> None:
        self.r = rules
        self._sentence = ""
        self._doc_mentions: list[Mention] = []
        self._persons_of: list[Mention] | None = None
        self._persons: list[Mention] = []

    def events(
        self,
        sentence: str,
        tokens: list[Token],
        mentions: list[Mention],
        doc_mentions: list[Mention],
        offset: int,
        state: DocState,
    ) -> list[Event]:
        r = self.r
        self._sentence = sentence
        self._doc_mentions = doc_mentions
        self._quotes = _quoted_spans(sentence)
        cues: list[tuple[int, int, str]] = []  # (token index, length, kind)
        k = 0
        n = len(tokens)
        table = r.attribution
        firsts = _lengths_by_first(table)
        while k < n:
            lengths = firsts.get(tokens[k].low)
            hit = None if lengths is None else _match_lengths(tokens, k, table, lengths)
            if hit is None:
                k += 1
                continue
            kind, length = hit
            cues.append((k, length, kind))
            k += length
        claim_mentions = [
            m for m in mentions if m.entity_type in ("organisation", "person", "country")
        ]
        paren = self._paren_source(sentence, tokens, claim_mentions)
        if not cues:
            return [paren] if paren is not None else []
        if self._persons_of is not doc_mentions:  # once per document
            self._persons_of = doc_mentions
            self._persons = [m for m in doc_mentions if m.entity_type == "person"]
        persons = self._persons
        events: list[Event] = []
        cited: set[int] = set()  # mention starts already taken by "citing X" / "according to X"
        anaphors = {ck: (cl, ckind) for ck, cl, ckind in cues if ckind.startswith("anaphor")}
        for k, length, kind in cues:
            if kind in ("before", "chain"):
                cue_end = tokens[k + length - 1].end
                argument_cue = anaphors.get(k + length)
                if argument_cue is not None:
                    # "according to the report", "according to the intelligence chief": a
                    # definite description naming an earlier claimant.
                    alen, akind = argument_cue
                    after = k + length + alen
                    if after >= n or tokens[after].kind == "punct" or tokens[after].low == "that":
                        found = self._anaphor(
                            tokens, k + length, alen, akind, events, persons, offset, state
                        )
                        if found is not None:
                            events.append(
                                Event(tokens[k].start, kind, None if found == "anon" else found)
                            )
                            continue
                claimant, start = self._after(sentence, cue_end, claim_mentions)
                if kind == "chain" and self._unnamed_relay(tokens, k + length, claimant):
                    # "X, citing South Korean officials, reported": an anonymous claimant
                    # relayed by a named intermediary; the intermediary is the source.
                    if start is not None:
                        cited.add(start)
                    continue
                if claimant is not None:
                    events.append(Event(tokens[k].start, kind, claimant))
                    if start is not None:
                        cited.add(start)
                elif k + length < n and tokens[k + length].low in _FIRST_PERSON:
                    # "according to our data": the speaker of the turn is the source.
                    events.append(Event(tokens[k].start, "first_person", None))
                else:
                    # "according to some estimates": an explicit but unnamed source.
                    events.append(Event(tokens[k].start, "anonymous", None))
        free = [m for m in claim_mentions if m.start not in cited]
        # Token positions inside the argument of "according to ..." / "citing ...".
        argument: set[int] = set()
        for ck, length, kind in cues:
            if kind in ("before", "chain"):
                for x in range(ck + length, min(ck + length + 4, n)):
                    if tokens[x].kind == "punct":
                        break
                    argument.add(x)
        for k, _length, kind in cues:
            if kind not in ("after", "after_weak") or k in argument:
                continue
            b = k - 1
            while b > 0 and tokens[b].low in _PASSIVE_ADVERBS:
                b -= 1
            if b >= 0 and tokens[b].low in _NOT_A_CUE_BEFORE:
                continue  # "is (also) estimated to", "an estimated sum": no claimant named here
            cue_start = tokens[k].start
            found = self._before(
                tokens, k, cue_start, free or claim_mentions, cues, persons, offset, state, events
            )
            if found is not None:
                events.append(Event(cue_start, kind, found if found != "anon" else None))
        if paren is not None:
            events.append(paren)
        events.sort(key=lambda e: e.pos)
        return events

    @staticmethod
    def _unnamed_relay(tokens: list[Token], a: int, claimant: Claimant | None) -> bool:
        """The argument of "citing ..." is a group of unnamed people ("South Korean
        officials", "Finnish sources"), not a named body or person."""
        if claimant is not None and claimant.entity_type in ("organisation", "person"):
            return False
        words: list[Token] = []
        for t in tokens[a : a + 5]:
            if t.kind == "punct" or t.low in ("that", "who", "which", "on", "in", "as"):
                break
            words.append(t)
        return bool(words) and words[-1].low in _UNNAMED_PEOPLE

    def _paren_source(
        self, sentence: str, tokens: list[Token], mentions: list[Mention]
    ) -> Event | None:
        """'... 9 million+ since 2023 (Joint Chiefs of Staff)': a source in brackets that
        closes the sentence or list item (not a gloss such as 'Service (NIS)')."""
        if not sentence.rstrip(" .;,*_").endswith(")"):
            return None
        m = _PAREN_SOURCE.search(sentence)
        if m is None or re.search(r"\d", m.group(1)):
            return None
        before = sentence[: m.start()].rstrip()
        if not before or not re.search(r"\d", before):
            return None
        if any(0 <= m.start() - x.end <= 2 for x in mentions):
            return None  # "the National Intelligence Service (NIS)": a gloss of a known name
        caps = re.findall(r"[\w'’-]+", before[-80:])
        initials = ""
        for w in reversed(caps):
            if w[:1].isupper():
                initials = w[0] + initials
            elif w.lower() not in ("of", "for", "and", "the"):
                break
        acronym = re.sub(r"[^A-Z]", "", m.group(1))
        if len(acronym) >= 2 and initials.endswith(acronym):
            return None  # "the Open Source Centre (OSC)": an acronym gloss
        inside = [x for x in mentions if m.start(1) <= x.start and x.end <= m.end(1)]
        if inside:
            chosen = inside[0]
            if chosen.entity_type == "country" and chosen.surface.lower() in (
                chosen.canonical.lower(), "the " + chosen.canonical.lower()
            ):
                return None  # "(Russia)" names a place, not a source
            return Event(m.start(), "paren", _claimant(chosen))
        words = m.group(1).split()
        if 1 <= len(words) <= 5 and all(w[:1].isupper() or w in ("of", "for", "and") for w in words):
            return Event(m.start(), "paren", Claimant(" ".join(words)))
        return None

    def _after(
        self, sentence: str, cue_end: int, mentions: list[Mention]
    ) -> tuple[Claimant | None, int | None]:
        """Claimant named after a cue such as 'according to' -> (claimant, mention start)."""
        for pos, m in enumerate(mentions):
            if cue_end <= m.start <= cue_end + 60:
                gap = sentence[cue_end : m.start]
                if any(c in gap for c in ",;:."):
                    break
                chosen = _titled_person(sentence, m, mentions[pos + 1 :])
                chosen = _owned_body(sentence, chosen, mentions[pos + 1 :])
                return _claimant(chosen), chosen.start
            if m.start > cue_end + 60:
                break
        # Unknown name: up to three lower-case words (a title), then capitalised words.
        rest = sentence[cue_end:]
        body = re.match(
            r"\s+(?:the\s+)?([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?(?:['’]s)?(?:\s+[a-z]+){0,2}\s+("
            + "|".join(sorted(_BODY_HEADS))
            + r"))\b(?!['’])",
            rest,
        )
        if body and body.group(1).split()[0] not in _NOT_NAMES:
            # "citing Finland's defence ministry": an owner and a lower-case body noun.
            return Claimant(body.group(1)), None
        mm = re.match(
            r"\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}?((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,3})",
            rest,
        )
        if mm:
            words = _strip_titles([w for w in mm.group(1).split() if w not in _NOT_NAMES])
            if words and not re.search(r"\d", mm.group(1)):
                name = " ".join(words).rstrip(".,").removesuffix("'s").removesuffix("’s")
                return Claimant(name), None
        return None, None

    def _before(
        self,
        tokens: list[Token],
        k: int,
        cue_start: int,
        mentions: list[Mention],
        cues: list,
        persons: list[Mention],
        offset: int,
        state: DocState,
        events: list[Event],
    ) -> Claimant | str | None:
        # Pronouns and definite descriptions right before the cue ("he said", "the report says").
        for ck, length, kind in cues:
            if ck + length <= k and k - (ck + length) <= 2:
                if kind in ("anaphor_person", "anaphor_org"):
                    found = self._anaphor(tokens, ck, length, kind, events, persons, offset, state)
                    if found is not None:
                        return found
                    continue
                if kind == "anonymous":
                    inside = [m for m in mentions if m.start <= tokens[ck].start < m.end]
                    if inside:
                        return _claimant(inside[0])  # "Panel of Experts" is a name
                    # "Western and Ukrainian intelligence and military sources": the named
                    # body inside the same noun phrase is the source, not anonymous.
                    named = [
                        m
                        for m in mentions
                        if m.end <= tokens[ck].start
                        and re.fullmatch(r"[\sa-z,'’-]*", self._sentence[m.end : tokens[ck].start])
                        and tokens[ck].start - m.end <= 30
                    ]
                    if named:
                        return _claimant(named[-1])
                    return "anon"
        best = None
        quoted = self._quotes
        for m in mentions:
            if m.end <= cue_start and cue_start - m.end <= 90:
                if quoted and any(q0 <= m.start < q1 <= cue_start for q0, q1 in quoted):
                    continue  # '"... helped Ukraine ...," Novak said': quoted speech, not the speaker
                between = [t for t in tokens if m.end <= t.start < cue_start]
                if any(t.low in ("that", ";") for t in between):
                    continue
                best = m
        # Unknown name directly before the cue: "Lee Ji-won said", "Czech President Jan Novak
        # said", "Ukraine's Special Operations Forces say".
        # Auxiliaries and adverbs between the claimant and the verb ("Finland's defence
        # ministry has estimated", "the agency had earlier said") are skipped.
        end = k
        while end > 0 and k - end < 3 and _is_verb_filler(tokens[end - 1]):
            end -= 1
        if end > 1 and tokens[end - 1].text == ",":
            # "The Daily Planet, citing Finnish officials, reported": the claimant stands
            # before the bracketed "citing ..." clause.
            for ck, _length, ckind in cues:
                if (
                    ckind == "chain"
                    and 1 <= ck < end - 1
                    and tokens[ck - 1].text == ","
                    and not any(t.kind == "punct" for t in tokens[ck : end - 1])
                ):
                    end = ck - 1
                    break
        prev = [t for t in tokens[:end]][-5:]
        name_toks: list[Token] = []
        body = _lowercase_body(prev)
        if body:
            prev = prev[: len(prev) - len(body)]
        for t in reversed(prev):
            if _NAME_WORD.fullmatch(t.text) and t.text not in _NOT_NAMES:
                name_toks.insert(0, t)
            else:
                break
        if body and name_toks and (best is None or best.end <= name_toks[0].start):
            # "Finland's defence ministry", "Finnish military intelligence": a body named by
            # its owner and a lower-case head noun, kept as written.
            first = name_toks[0]
            return Claimant(self._sentence[first.start : body[-1].end])
        if best is not None and name_toks and name_toks[0].start < best.end:
            name_toks = [t for t in name_toks if t.start >= best.end]
        names = _strip_titles([t.text for t in name_toks])
        if len(names) >= 2 and (best is None or best.end <= name_toks[0].start):
            return Claimant(" ".join(names))
        if len(names) == 1 and len(name_toks) == 1 and k >= 2 and (
            best is None or best.end <= name_toks[0].start
        ):
            # '..., Novak said': a surname the document introduced earlier in full.
            full = self._full_name(names[0], offset + cue_start)
            if full is not None:
                return Claimant(full, "person")
        if best is not None:
            return _claimant(best)
        return None

    def _anaphor(
        self,
        tokens: list[Token],
        ck: int,
        length: int,
        kind: str,
        events: list[Event],
        persons: list[Mention],
        offset: int,
        state: DocState,
    ) -> Claimant | str | None:
        """The claimant a pronoun or definite description ("he", "its", "the institute")
        stands for, "anon" for an unnamed one, None when nothing fits."""
        cue_start = tokens[ck].start
        # A claimant already named earlier in the same sentence ("Ukraine's military
        # intelligence said in its latest assessment").
        for e in reversed(events):
            c = e.claimant
            if e.pos < cue_start and c is not None and (
                (c.entity_type == "person") == (kind == "anaphor_person")
            ):
                return c
        if kind == "anaphor_person":
            prior = [p for p in persons if p.end <= offset + cue_start]
            if prior:
                return _claimant(prior[-1])
            if length > 1:
                # "the official said" with no named person: an unnamed speaker, never
                # the country mentioned in the reported content ("the North shipped").
                return "anon"
            return None
        if length > 1:
            # "the institute said": the latest claimant whose name has that head noun.
            head = tokens[ck + length - 1].low
            if len(head) > 3:
                pattern = re.compile(r"\b" + re.escape(head) + r"\b", re.I)
                for c in reversed(state.quoted):
                    if c.entity_type != "person" and pattern.search(c.name):
                        return c
                for m in reversed(self._doc_mentions):
                    if (
                        m.end <= offset + cue_start
                        and m.entity_type == "organisation"
                        and (pattern.search(m.surface) or pattern.search(m.canonical))
                    ):
                        return _claimant(m)
        if state.first_org is not None:
            return state.first_org
        for m in self._doc_mentions:
            if m.end > offset + cue_start:
                break
            if m.entity_type == "organisation":
                return _claimant(m)
        if length > 1:
            return "anon"  # "the report said" with no named body: not the subject
        return None

    def _full_name(self, surname: str, before: int) -> str | None:
        """'Novak' -> 'Jan Novak' when the text before ``before`` names him in full."""
        if not surname[:1].isupper() or not surname[1:].islower() or len(surname) < 3:
            return None
        found = None
        pattern = r"(?<![\w'’-])([A-Z][a-z'’-]+) " + re.escape(surname) + r"(?![\w'’-])"
        for m in re.finditer(pattern, self.text[:before]):
            first = m.group(1)
            if first not in _NOT_NAMES and first.lower() not in _TITLE_WORDS | _HONORIFICS:
                found = f"{first} {surname}"
        return found

    _sentence: str = ""
    _quotes: list[tuple[int, int]] = []
    text: str = ""


def _is_verb_filler(t: Token) -> bool:
    """An auxiliary or adverb between a claimant and its reporting verb."""
    low = t.low
    if t.kind != "word" or not t.text.islower():
        return False
    return low in _AUXILIARIES or low in _VERB_ADVERBS or (len(low) > 4 and low.endswith("ly"))


def _lowercase_body(prev: list[Token]) -> list[Token]:
    """Trailing lower-case words ending in a body noun ("defence ministry") right after a
    capitalised owner ("Finland's", "Finnish"); empty when there is none."""
    if not prev or prev[-1].low not in _BODY_HEADS or not prev[-1].text.islower():
        return []
    j = len(prev) - 1
    while j > 0 and len(prev) - j < 3 and prev[j - 1].text.islower() and prev[j - 1].kind == "word":
        j -= 1
    words = prev[j:]
    if j == 0 or not _NAME_WORD.fullmatch(prev[j - 1].text) or prev[j - 1].text in _NOT_NAMES:
        return []
    if any(w.low in _AUXILIARIES or w.low in _NOT_A_CUE_BEFORE for w in words):
        return []
    return words


def _strip_titles(words: list[str]) -> list[str]:
    """Drop leading job titles, possessives and anything before the last title from an
    unknown name ("Analyst Jane Roe", "Czech President Jan Novak" -> "Jan Novak";
    "Ukraine's Border Guard" -> "Border Guard")."""
    titles = _TITLE_WORDS | _HONORIFICS
    last = max((k for k, w in enumerate(words) if w.lower().rstrip(".") in titles), default=-1)
    if 0 <= last < len(words) - 1:
        words = words[last + 1 :]
    while words and (words[0].lower().rstrip(".") in titles or words[0].endswith(("'s", "’s"))):
        words = words[1:]
    return words


def _owned_body(sentence: str, m: Mention, later: list[Mention]) -> Mention:
    """"Ukraine's Defence Intelligence": the body named after a country's possessive."""
    if m.entity_type != "country" or not later or later[0].entity_type == "country":
        return m
    gap = sentence[m.end : later[0].start]
    if re.fullmatch(r"['’]s\s+", gap):
        return later[0]
    return m


def _titled_person(sentence: str, m: Mention, later: list[Mention]) -> Mention:
    """'<agency>'s chief <Person>' -> the person; otherwise the mention itself."""
    if m.entity_type == "person" or not later or later[0].entity_type != "person":
        return m
    gap = sentence[m.end : later[0].start].lower()
    words = re.findall(r"[a-z]+", gap)
    if len(words) <= 4 and any(w in _TITLE_WORDS for w in words) and not re.search(r"[,;:.]", gap):
        return later[0]
    return m


_QUOTATION = re.compile(r"[\"“][^\"“”]*[\"”]")


def _quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Character spans of the quotations of a sentence."""
    if '"' not in sentence and "“" not in sentence:
        return []
    return [(q.start(), q.end()) for q in _QUOTATION.finditer(sentence)]


def _claimant(m: Mention) -> Claimant:
    if m.entity_type == "country":
        # A capital or government standing for its state ("Kyiv said", "the United
        # States gave"): keep the name as written, which is how reports cite them.
        name = re.sub(r"^(?i:the)\s+", "", m.surface)
        return Claimant(name, "country", m.iso2)
    return Claimant(m.canonical, m.entity_type, m.iso2)


def _choose(events: list[Event], pos: int) -> tuple[bool, Claimant | None, Claimant | None]:
    """(found, source, reported_by) for a figure at ``pos`` in the sentence."""
    if not events:
        return False, None, None
    paren = [e for e in events if e.kind == "paren"]
    if paren:
        return True, paren[-1].claimant, None
    strong = [e for e in events if e.kind != "after_weak"]
    if strong and len(strong) < len(events):
        events = strong  # "Kyiv recorded 60 launches, the prosecutor said": the report frame wins
    before = [e for e in events if e.pos < pos]
    after = [e for e in events if e.pos >= pos]
    base = before[-1] if before else after[0]
    chains = [e for e in events if e.kind == "chain" and e.claimant is not None]
    if base.kind == "anonymous":
        return True, None, None
    if base.kind == "first_person":
        return False, None, None  # the speaker of the turn, resolved by the caller
    if base.kind != "chain" and chains:
        chain = min(chains, key=lambda e: abs(e.pos - base.pos))
        return True, chain.claimant, _distinct(chain.claimant, base.claimant)
    others = [
        e.claimant
        for e in events
        if e.claimant is not None
        and base.claimant is not None
        and e.claimant.name != base.claimant.name
    ]
    return True, base.claimant, others[0] if others else None


def _distinct(source: Claimant | None, via: Claimant | None) -> Claimant | None:
    """An intermediary is only worth recording when it is not the source itself."""
    if via is None or (source is not None and via.name == source.name):
        return None
    return via


# --------------------------------------------------------------------------- flows & periods
def _flows(
    tokens: list[Token],
    mentions: list[Mention],
    pos: int,
    metric: str,
    rules: ExtractionRules,
    quote_span: tuple[int, int],
    claimants: set[str],
) -> tuple[str | None, str | None]:
    """Supplier and recipient ISO2 codes from supply verbs and from/to phrases."""
    if metric in LOSS_METRICS:
        return None, None
    core = next((k for k, t in enumerate(tokens) if t.start >= pos), len(tokens) - 1)
    lo, hi = _clause_bounds(tokens, core, core)
    c0 = tokens[lo].start if tokens else 0
    c1 = tokens[hi - 1].end if hi > 0 and tokens else 0
    countries = [
        m
        for m in mentions
        if m.entity_type == "country" and m.iso2 and _claimant(m).name not in claimants
    ]
    supplier = recipient = None
    for m in countries:
        if not c0 <= m.start < c1:
            continue
        prev = [t.low for t in tokens if t.end <= m.start][-2:]
        if prev[-1:] == ["from"] and supplier is None:
            supplier = m.iso2
        elif prev[-1:] in (["to"], ["into"]) and prev[:1] != ["according"] and recipient is None:
            recipient = m.iso2
    cue_idx = None
    for k, t in enumerate(tokens):
        if t.start > pos:
            break
        if t.low in rules.flows:
            cue_idx = k
    if cue_idx is not None:
        cue = tokens[cue_idx]
        direction = rules.flows[cue.low]
        subj = [m for m in countries if m.end <= cue.start]
        obj = [
            m
            for m in countries
            if cue.end <= m.start < pos
            and [t.low for t in tokens if t.end <= m.start][-1:] not in (["from"], ["to"])
        ]
        if direction == "give":
            supplier = supplier or (subj[-1].iso2 if subj else None)
            recipient = recipient or (obj[0].iso2 if obj else None)
        else:
            recipient = recipient or (subj[-1].iso2 if subj else None)
            supplier = supplier or (obj[0].iso2 if obj else None)
    if supplier is None and metric in TROOP_METRICS | {"workers_sent"}:
        # "1,500 North Korean troops": the demonym in the counted noun names the sender.
        q0, q1 = quote_span
        inside = [t for t in tokens if q0 <= t.start < q1]
        for k, t in enumerate(inside):
            pair = " ".join(x.text for x in inside[k : k + 2]).lower()
            iso = rules.demonym_iso.get(pair) or rules.demonym_iso.get(t.low)
            if iso:
                supplier = iso
                break
    if recipient == supplier:
        recipient = None
    return supplier, recipient


_MONTH_RE = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DATE_RE = _MONTH_RE + r"(?:\s+(\d{1,2})(?:st|nd|rd|th)?(?!\d))?,?(?:\s+(?:of\s+)?((?:19|20)\d\d))?"
_P_SPAN = re.compile(
    r"\b(?:between|from)\s+" + _DATE_RE + r"\s+(?:and|to|through|until|till)\s+" + _DATE_RE
)
_P_SINCE = re.compile(r"\bsince\s+(?:last\s+)?(?:(?:the\s+)?(?:early|mid|late)-?\s*)?" + _DATE_RE)
_P_SINCE_YEAR = re.compile(r"\bsince\s+((?:19|20)\d\d)\b")
_P_YEARS = re.compile(
    r"\b(?:between|from)\s+((?:19|20)\d\d)\s+(?:and|to|through)\s+((?:19|20)\d\d)\b"
)
_P_YEAR = re.compile(
    r"\b(?:in|during|throughout|for)\s+((?:19|20)\d\d)(?:\s+and\s+((?:19|20)\d\d))?\b"
)
_P_REL_YEAR = re.compile(r"\b(last|this|previous|past)\s+year\b", re.I)
_P_IN_MONTH = re.compile(r"\bin\s+" + _DATE_RE)


def _month_num(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _anchor_year(month: int, year: str | None, published: dt.date | None) -> int | None:
    if year:
        return int(year)
    if published is None:
        return None
    return published.year if month <= published.month else published.year - 1


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def resolve_period(
    sentence: str, published: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """Reporting period named in a sentence, resolved against the publication date."""
    m = _P_SPAN.search(sentence)
    if m:
        m1, d1, y1, m2, d2, y2 = m.groups()
        mo1, mo2 = _month_num(m1), _month_num(m2)
        year2 = _anchor_year(mo2, y2, published)
        year1 = int(y1) if y1 else (year2 - (mo1 > mo2) if year2 else None)
        if year1 and year2:
            start = _safe_date(year1, mo1, int(d1) if d1 else 1)
            end = _safe_date(year2, mo2, int(d2)) if d2 else _month_end(year2, mo2)
            return start, end
    m = _P_YEARS.search(sentence)
    if m:
        return dt.date(int(m.group(1)), 1, 1), dt.date(int(m.group(2)), 12, 31)
    m = _P_SINCE.search(sentence)
    if m:
        mo = _month_num(m.group(1))
        year = _anchor_year(mo, m.group(3), published)
        if year:
            return _safe_date(year, mo, int(m.group(2)) if m.group(2) else 1), published
    m = _P_SINCE_YEAR.search(sentence)
    if m:
        return dt.date(int(m.group(1)), 1, 1), published
    m = _P_YEAR.search(sentence)
    if m:
        last = int(m.group(2) or m.group(1))
        return dt.date(int(m.group(1)), 1, 1), dt.date(last, 12, 31)
    m = _P_REL_YEAR.search(sentence)
    if m and published is not None:
        year = published.year if m.group(1).lower() == "this" else published.year - 1
        if m.group(1).lower() == "past":
            return published - dt.timedelta(days=365), published
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    m = _P_IN_MONTH.search(sentence)
    if m:
        mo = _month_num(m.group(1))
        year = _anchor_year(mo, m.group(3), published)
        if year:
            return dt.date(year, mo, 1), _month_end(year, mo)
    return None, None


# --------------------------------------------------------------------------- main
def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=CLAIM_SCHEMA)


def extract_claims(docs: pl.DataFrame, rules: ExtractionRules) -> pl.DataFrame:
    """Attributed quantitative claims, one row per distinct (metric, bounds, unit) per doc."""
    if docs.height == 0:
        return _empty()
    sents = split_sentences(docs)
    if sents.height == 0:
        return _empty()
    sents = sents.with_columns(has_number("sentence", rules).alias("candidate"))
    published = {
        d: p
        for d, p in docs.select(
            "doc_id",
            pl.col("published") if "published" in docs.columns else pl.lit(None, pl.Date),
        ).iter_rows()
    }
    texts = dict(docs.select("doc_id", "text").iter_rows())
    # Mentions of the text kept for each doc_id (the last row, as ``texts`` keeps it).
    per_row = mentions_by_doc(docs, rules)
    doc_mentions_of = {d: per_row[i] for i, d in enumerate(docs.get_column("doc_id").to_list())}
    rows: dict[str, list] = {k: [] for k in CLAIM_SCHEMA}
    attributor = _Attributor(rules)
    columns = ("doc_id", "para_idx", "sent_idx", "char_start", "char_end", "sentence", "candidate")
    # split_sentences emits each document's sentences contiguously and in order.
    for doc_id, group in groupby(sents.select(columns).iter_rows(), key=itemgetter(0)):
        text = texts[doc_id] or ""
        doc_mentions = doc_mentions_of[doc_id] if texts[doc_id] else []
        _doc_claims(
            doc_id,
            text,
            [row[1:] for row in group],
            doc_mentions,
            published.get(doc_id),
            rules,
            attributor,
            rows,
        )
    return pl.DataFrame(rows, schema=CLAIM_SCHEMA)


def _doc_claims(
    doc_id: str,
    text: str,
    group: list[tuple],
    doc_mentions: list[Mention],
    published: dt.date | None,
    rules: ExtractionRules,
    attributor: _Attributor,
    rows: dict[str, list],
) -> None:
    state = DocState()
    attributor.text = text
    # (metric, low, high, unit) -> row index while the figure is known only from a
    # headline or caption, None once a body sentence stated it.
    seen: dict[tuple, int | None] = {}
    seq = 0
    mention_iter = 0
    troops_in_prev = False
    prev_para = -1
    turns = _Turns(doc_mentions, rules, text)
    speaker: Claimant | None = None
    question: tuple[int, str | None] | None = None  # (paragraph, metric) of the last question
    recent: tuple[int, str] | None = None  # (sentence, metric) of the last claim
    for para_idx, sent_idx, s0, s1, sentence, candidate in group:
        if para_idx != state.para_idx:
            state.para_idx = para_idx
            state.para_attr = None
            speaker = turns.speaker(sentence)
            if turns.is_question_turn(sentence):
                speaker = None
        while mention_iter < len(doc_mentions) and doc_mentions[mention_iter].end <= s0:
            mention_iter += 1
        local = []
        for m in doc_mentions[mention_iter:]:
            if m.start >= s1:
                break  # mentions are sorted and disjoint: none later ends inside the sentence
            if m.start >= s0 and m.end <= s1:
                local.append(
                    Mention(m.start - s0, m.end - s0, m.entity_id, m.entity_type, m.canonical,
                            m.iso2, m.surface)
                )
        prev_troops = troops_in_prev and para_idx == prev_para
        prev_para = para_idx
        tokens = tokenize(sentence)
        events = attributor.events(sentence, tokens, local, doc_mentions, s0, state)
        if candidate:
            ctx = SentenceContext(
                prev_troops=troops_in_prev,
                answer_topic=question[1]
                if question is not None and para_idx in (question[0], question[0] + 1)
                else None,
                recent_metric=recent[1] if recent is not None and sent_idx - recent[0] <= 2 else None,
                earlier_metric=recent[1]
                if recent is not None
                and sent_idx - recent[0]
                <= (_ANAPHOR_REACH if any(e.claimant is not None for e in events) else 2)
                else None,
            )
            drafts = _SentenceClaims(sentence, tokens, rules, prev_troops, ctx).run()
            if drafts:
                recent = (sent_idx, drafts[-1].metric)
            period = resolve_period(sentence, published) if drafts else (None, None)
            display = _is_display(sentence)
            for d in drafts:
                key = (d.metric, d.low, d.high, d.unit)
                replace = None
                if key in seen:
                    # A figure first seen in a headline or caption is re-attributed from the
                    # body sentence that states it (the body figure is the claim).
                    replace = seen.pop(key)
                    if replace is None or display:
                        seen[key] = replace
                        continue
                seen[key] = len(rows["doc_id"]) if display else None
                found, source, via = _choose(events, d.pos)
                if not found and state.para_attr is not None:
                    source, via = state.para_attr
                if not found and source is None and speaker is not None:
                    source, via = speaker, None
                source = _country_for_demonym(source, rules)
                source = _prefer_agency(source, state.para_attr)
                names = {e.claimant.name for e in events if e.claimant is not None}
                supplier, recipient = _flows(
                    tokens, local, d.pos, d.metric, rules, (d.start, d.end), names
                )
                via = _distinct(source, via)
                row = {
                    "doc_id": doc_id,
                    "claim_seq": seq,
                    "metric": d.metric,
                    "value_low": d.low,
                    "value_high": d.high,
                    "unit": d.unit,
                    "qualifier": d.qualifier,
                    "attributed_to": source.name if source else None,
                    "reported_by": via.name if via else None,
                    "supplier": supplier,
                    "recipient": recipient,
                    "period_start": period[0],
                    "period_end": period[1],
                    "quote": sentence[d.start : d.end],
                    "char_start": s0 + d.start,
                    "char_end": s0 + d.end,
                    "sentence_idx": sent_idx,
                }
                if replace is not None:
                    row["claim_seq"] = rows["claim_seq"][replace]
                    for col, value in row.items():
                        rows[col][replace] = value
                    continue
                for col, value in row.items():
                    rows[col].append(value)
                seq += 1
        troops_in_prev = _has_phrase(tokens, 0, len(tokens), rules.troop_nouns)
        if sentence.rstrip(" *_\"'”’").endswith("?"):
            question = (para_idx, _question_metric(tokens, rules))
        elif question is not None and para_idx > question[0] + 1:
            question = None
        if events:
            found, source, via = _choose(events, len(sentence) + 1)
            state.para_attr = (_prefer_agency(source, state.para_attr), via)
            for e in events:
                if (
                    state.first_org is None
                    and e.claimant is not None
                    and e.claimant.entity_type == "organisation"
                ):
                    state.first_org = e.claimant
                    break
            state.quoted.extend(e.claimant for e in events if e.claimant is not None)


_CAPTION = re.compile(r"\s*[*_](?![*_\s]).*[*_][\s.]*$", re.S)


def _is_display(sentence: str) -> bool:
    """Headings ("# ...") and italic captions ("*Soldiers at ...*"): display text whose
    figures restate the body."""
    return sentence.lstrip().startswith("#") or _CAPTION.fullmatch(sentence) is not None


def _question_metric(tokens: list[Token], rules: ExtractionRules) -> str | None:
    """Counted noun of a question ("How many soldiers are there now?")."""
    for k in range(len(tokens)):
        hit = _match_at(tokens, k, rules.forward_keywords)
        if hit is not None and hit[0] != "-":
            return hit[0]
    return None


def _country_for_demonym(source: Claimant | None, rules: ExtractionRules) -> Claimant | None:
    """'By South Korean estimates': a bare nationality adjective stands for its country."""
    if source is None or source.entity_type is not None:
        return source
    iso = rules.demonym_iso.get(source.name.lower())
    if iso is None:
        return source
    for _alias, (_eid, etype, canon, iso2) in rules.alias_rows.items():
        if etype == "country" and iso2 == iso:
            return Claimant(canon, "country", iso)
    return source


class _Turns:
    """Speaker labels of interviews and transcripts ("Q:", "A:", "Ruiz:", "KIM:")."""

    def __init__(self, doc_mentions: list[Mention], rules: ExtractionRules, text: str) -> None:
        self.persons = [m for m in doc_mentions if m.entity_type == "person"]
        self.rules = rules
        self.text = text
        self.text_names: dict[str, str] | None = None
        self.interviewee: Claimant | None = None

    def _label(self, sentence: str) -> str | None:
        m = _TURN.match(sentence)
        return m.group(1) if m else None

    def is_question_turn(self, sentence: str) -> bool:
        label = self._label(sentence)
        return label is not None and label.lower().rstrip(".") in _QUESTION_LABELS

    def speaker(self, sentence: str) -> Claimant | None:
        label = self._label(sentence)
        if label is None:
            return None
        low = label.lower().rstrip(".")
        if low in _QUESTION_LABELS:
            return None
        if low in _ANSWER_LABELS:
            if self.interviewee is None and self.persons:
                self.interviewee = _claimant(self.persons[0])
            return self.interviewee
        words = [w.lower() for w in label.split()]
        for p in self.persons:
            pwords = p.canonical.lower().split() + p.surface.lower().split()
            if all(w in pwords for w in words):
                self.interviewee = self.interviewee or _claimant(p)
                return _claimant(p)
        full = self._full_name(label)
        if full is None:
            return None
        found = Claimant(full, "person")
        self.interviewee = self.interviewee or found
        return found

    def _full_name(self, label: str) -> str | None:
        """'Ruiz' -> 'Hanna Ruiz' when the document names the person in full somewhere."""
        if self.text_names is None:
            self.text_names = {}
            self.learn(self.text)
        return self.text_names.get(label.lower())

    def learn(self, text: str) -> None:
        """Collect capitalised two- and three-word names of the document."""
        for m in re.finditer(r"(?<![\w'’-])([A-Z][a-z'’-]+(?:[ ][A-Z][a-z'’-]+){1,2})(?![\w'’-])", text):
            name = m.group(1)
            parts = name.split()
            if parts[0] in _NOT_NAMES or any(p.lower() in _TITLE_WORDS | _HONORIFICS for p in parts):
                continue
            for part in (parts[0], parts[-1]):
                self.text_names.setdefault(part.lower(), name)


def _prefer_agency(
    source: Claimant | None, carried: tuple[Claimant | None, Claimant | None] | None
) -> Claimant | None:
    """'According to Seoul' right after 'South Korean intelligence reported': the capital
    stands for the agency already named in the paragraph."""
    if (
        source is not None
        and source.entity_type == "country"
        and carried is not None
        and carried[0] is not None
        and carried[0].entity_type in ("organisation", "person")
        and carried[0].iso2 == source.iso2
    ):
        return carried[0]
    return source
