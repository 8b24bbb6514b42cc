"""Stage 4 drivers: claimant candidates of every sentence (a frame), then the claimant of
each figure, following a paragraph's reported account and interview turns."""

from __future__ import annotations

import re

import polars as pl

from transforms.claims.choose import Turns, choose
from transforms.claims.cues import ReportingFrames
from transforms.claims.frames import Document, Sentence, by_row, columns
from transforms.claims.lexicon import vocab
from transforms.claims.model import Claimant, Event
from transforms.claims.names import claimant_of, country_for_demonym, distinct, prefer_agency
from transforms.claims.sentences import TokenStore
from transforms.rules import ExtractionRules

EVENT_SCHEMA = {
    "row": pl.UInt32,  # row of the sentence frame
    "pos": pl.Int64,  # where the cue starts in the sentence
    "kind": pl.String,  # before | chain | after | after_weak | anonymous | first_person | paren
    "claimant": pl.String,  # null: an unnamed claimant
    "entity_type": pl.String,
    "iso2": pl.String,
    "written": pl.String,  # the claimant as the text writes it
}
ATTRIBUTION_SCHEMA = {"attributed_to": pl.String, "reported_by": pl.String, "claimant": pl.String}


def reporting_frames(
    docs: list[Document], tokens: TokenStore, rules: ExtractionRules
) -> pl.DataFrame:
    """Every reporting cue of every sentence with the claimant it points at."""
    out = columns(EVENT_SCHEMA)
    for doc in docs:
        finder = ReportingFrames(rules, doc.text, doc.mentions, doc.name_anchors)
        local = doc.local
        for s in doc.sentences:
            if s.furniture or not s.cue_hint:
                continue  # no reporting cue, no events
            events = finder.events(s.text, tokens[s.row], local.within(s.start, s.end), s.start)
            finder.remember(s.start, events)
            for e in events:
                c = e.claimant
                for key, value in zip(
                    EVENT_SCHEMA,
                    (
                        s.row,
                        e.pos,
                        e.kind,
                        c and c.name,
                        c and c.entity_type,
                        c and c.iso2,
                        c and c.written,
                    ),
                    strict=True,
                ):
                    out[key].append(value)
    return pl.DataFrame(out, schema=EVENT_SCHEMA)


def events_by_row(frame: pl.DataFrame) -> dict[int, list[Event]]:
    """The event frame back as Event records per sentence row."""
    out: dict[int, list[Event]] = {}
    for row, rows in by_row(frame).items():
        out[row] = [
            Event(
                r["pos"],
                r["kind"],
                None
                if r["claimant"] is None
                else Claimant(r["claimant"], r["entity_type"], r["iso2"], r["written"]),
            )
            for r in rows
        ]
    return out


def attribute(
    docs: list[Document],
    figures: pl.DataFrame,
    events: dict[int, list[Event]],
    rules: ExtractionRules,
) -> pl.DataFrame:
    """``figures`` with the claimant of each figure (``attributed_to``) and the intermediary
    that relayed it (``reported_by``)."""
    out = columns(ATTRIBUTION_SCHEMA)
    per_row = by_row(figures.select("row", "pos"))
    v = vocab(rules)
    for doc in docs:
        turns = Turns(doc.mentions, v, doc.text)
        lead = ListLead(doc)
        para_idx = -1
        carried: tuple[Claimant | None, Claimant | None] | None = None
        speaker: Claimant | None = None
        unframed: list[int] = []  # figures of the previous sentence with no reporting frame
        for s in doc.sentences:
            if s.para_idx != para_idx:
                para_idx, carried = s.para_idx, None
                speaker = turns.speaker(s.text)
                if turns.is_question_turn(s.text):
                    speaker = None
            sentence_events = [e for e in events.get(s.row, []) if e.kind != "backref"]
            heading = lead.read(s, sentence_events)
            _said_so(events.get(s.row, []), unframed, out)
            unframed = []
            for fig in per_row.get(s.row, []):
                if not choose(sentence_events, fig["pos"])[0]:
                    unframed.append(len(out["attributed_to"]))
                own = _contrast_clause(sentence_events, s.text, fig["pos"], v.contrasts)
                source, via = _claimant_for(own, fig["pos"], carried, speaker or heading, rules)
                out["attributed_to"].append(source.name if source else None)
                out["reported_by"].append(via.name if via else None)
                out["claimant"].append((source.written or source.name) if source else None)
            if sentence_events:
                _found, source, via = choose(sentence_events, len(s.text) + 1)
                carried = (prefer_agency(source, carried), via)
    return figures.with_columns(pl.DataFrame(out, schema=ATTRIBUTION_SCHEMA))


class ListLead:
    """The line that leads a bulleted list ("**Ministry figures (May 2025)**", "The
    institute's main findings:") names the claimant of the items below it that name none."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.claimant: Claimant | None = None
        self.para = -1

    def read(self, s: Sentence, events: list[Event]) -> Claimant | None:
        """The lead's claimant for an item of its list; None outside a list."""
        if _BULLET.match(s.text):
            return self.claimant
        if s.para_idx != self.para:
            self.para = s.para_idx
            self.claimant = self._named(s, events) if _LEAD.search(s.text) else None
        elif not _LEAD.search(s.text):
            self.claimant = None  # the lead is a single line; prose follows
        return None

    def _named(self, s: Sentence, events: list[Event]) -> Claimant | None:
        if events:
            return choose(events, len(s.text) + 1)[1]  # "The ministry's figures:"
        bodies = [
            m
            for m in self.doc.local.within(s.start, s.end)
            if m.entity_type in ("organisation", "person")
        ]
        return claimant_of(bodies[0]) if bodies else None  # "**MSMT report (29 May)**"


_BULLET = re.compile(r"[ \t]*(?:[-*•–]|\d{1,2}[.)])[ \t]")
_LEAD = re.compile(r"^\s*\*\*[^*]+\*\*\s*$|:[*_]*\s*$")  # a bold line, or one ending in ":"


def _contrast_clause(
    events: list[Event], text: str, pos: int, contrasts: frozenset[str]
) -> list[Event]:
    """ "X reported that A, while B, according to Y": a figure in a contrasting clause
    closed by its own "according to" belongs to that claimant, not to the frame before."""
    later = next((e for e in events if e.pos >= pos), None)
    if later is None or later.kind != "before" or later.claimant is None:
        return events
    breaks = [
        m.start()
        for m in _WORD.finditer(text, 0, pos)
        if m.group(0).lower() in contrasts and m.start() > 0 and text[m.start() - 2] == ","
    ]
    if not breaks:
        return events
    return [e for e in events if e.pos > breaks[-1]]


_WORD = re.compile(r"[A-Za-z]+")


def _said_so(events: list[Event], unframed: list[int], out: dict[str, list]) -> None:
    """ "Jane Roe said so as she opened the meeting": the claimant of the figures of the
    sentence before, where that sentence has no reporting frame of its own."""
    said = next(
        (e.claimant for e in events if e.kind == "backref" and e.claimant is not None), None
    )
    if said is None:
        return
    for index in unframed:
        out["attributed_to"][index] = said.name
        out["reported_by"][index] = None
        out["claimant"][index] = said.written or said.name


def _claimant_for(
    events: list[Event],
    pos: int,
    carried: tuple[Claimant | None, Claimant | None] | None,
    speaker: Claimant | None,
    rules: ExtractionRules,
) -> tuple[Claimant | None, Claimant | None]:
    """The sentence's own reporting frame, else the paragraph's account, else the speaker."""
    found, source, via = choose(events, pos)
    if not found and carried is not None:
        source, via = carried
    if not found and source is None and speaker is not None:
        source, via = speaker, None
    source = country_for_demonym(source, rules)
    source = prefer_agency(source, carried)
    return source, distinct(source, via)
