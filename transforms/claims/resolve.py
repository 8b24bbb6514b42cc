"""Stage 4b: the claimant before a reporting verb ("X said"), and what pronouns and
definite descriptions ("he", "the institute") stand for."""

from __future__ import annotations

import re

from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant, DocState, Event
from transforms.claims.names import (
    NAME_WORD,
    claimant_of,
    full_name,
    is_verb_filler,
    lowercase_body,
    strip_titles,
)
from transforms.claims.tokens import Token
from transforms.entities import Mention
from transforms.rules import ExtractionRules

Cue = tuple[int, int, str]  # (token index, length, kind)


class Resolver:
    """Claimants named before a cue, and antecedents of anaphors, in one sentence."""

    r: ExtractionRules
    v: Vocab
    text: str
    sentence: str
    quotes: list[tuple[int, int]]
    doc_mentions: list[Mention]

    def before(
        self, tokens: list[Token], k: int, mentions: list[Mention], cues: list[Cue],
        persons: list[Mention], offset: int, state: DocState, events: list[Event],
    ) -> Claimant | str | None:
        """The claimant of an 'X said' cue at token k ("anon" for an unnamed one)."""
        cue_start = tokens[k].start
        near = self._adjacent_cue(tokens, k, mentions, cues, persons, offset, state, events)
        if near is not None:
            return near
        best = self._last_mention_before(tokens, cue_start, mentions)
        end = self._verb_phrase_start(tokens, k, cues)
        prev = tokens[:end][-5:]
        name_toks: list[Token] = []
        body = lowercase_body(prev, self.v)
        if body:
            prev = prev[: len(prev) - len(body)]
        for t in reversed(prev):
            if NAME_WORD.fullmatch(t.text) and t.text not in self.v.not_names:
                name_toks.insert(0, t)
            else:
                break
        if body and name_toks and (best is None or best.end <= name_toks[0].start):
            # "Finland's defence ministry", "Finnish military intelligence": a body named by
            # its owner and a lower-case head noun, kept as written.
            return Claimant(self.sentence[name_toks[0].start : body[-1].end])
        return self._named_before(name_toks, best, k, offset + cue_start)

    def _named_before(
        self, name_toks: list[Token], best: Mention | None, k: int, at: int
    ) -> Claimant | None:
        """An unknown capitalised name right before the cue ("Lee Ji-won said", "Czech
        President Jan Novak said"), else the last known name before it."""
        if best is not None and name_toks and name_toks[0].start < best.end:
            name_toks = [t for t in name_toks if t.start >= best.end]
        names = strip_titles([t.text for t in name_toks], self.v)
        free = best is None or (bool(name_toks) and best.end <= name_toks[0].start)
        if len(names) >= 2 and free:
            return Claimant(" ".join(names))
        if len(names) == 1 and len(name_toks) == 1 and k >= 2 and free:
            # '..., Novak said': a surname the document introduced earlier in full.
            found = full_name(self.text, names[0], at, self.v)
            if found is not None:
                return Claimant(found, "person")
        if best is not None:
            return claimant_of(best)
        return None

    def _adjacent_cue(
        self, tokens: list[Token], k: int, mentions: list[Mention], cues: list[Cue],
        persons: list[Mention], offset: int, state: DocState, events: list[Event],
    ) -> Claimant | str | None:
        """Pronouns and definite descriptions right before the cue ("he said", "the report
        says"), and unnamed claimants ("experts say")."""
        for ck, length, kind in cues:
            if not (ck + length <= k and k - (ck + length) <= 2):
                continue
            if kind in ("anaphor_person", "anaphor_org"):
                found = self.anaphor(tokens, ck, length, kind, events, persons, offset, state)
                if found is not None:
                    return found
                continue
            if kind == "anonymous":
                return self._named_group(tokens[ck].start, mentions)
        return None

    def _named_group(self, at: int, mentions: list[Mention]) -> Claimant | str:
        """"Panel of Experts" is a name; "Western and Ukrainian intelligence and military
        sources": the named body inside the same noun phrase is the source."""
        inside = [m for m in mentions if m.start <= at < m.end]
        if inside:
            return claimant_of(inside[0])
        named = [
            m for m in mentions
            if m.end <= at
            and re.fullmatch(r"[\sa-z,'’-]*", self.sentence[m.end : at])
            and at - m.end <= 30
        ]
        return claimant_of(named[-1]) if named else "anon"

    def _last_mention_before(
        self, tokens: list[Token], cue_start: int, mentions: list[Mention]
    ) -> Mention | None:
        best = None
        for m in mentions:
            if m.end <= cue_start and cue_start - m.end <= 90:
                if self.quotes and any(q0 <= m.start < q1 <= cue_start for q0, q1 in self.quotes):
                    continue  # '"... helped Ukraine ...," Novak said': quoted speech, not the speaker
                between = [t for t in tokens if m.end <= t.start < cue_start]
                if any(t.low in ("that", ";") for t in between):
                    continue
                best = m
        return best

    def _verb_phrase_start(self, tokens: list[Token], k: int, cues: list[Cue]) -> int:
        """Where the claimant ends: auxiliaries and adverbs ("has now said") and a bracketed
        "citing ..." clause ("The Daily Planet, citing Finnish officials, reported") are
        skipped."""
        end = k
        while end > 0 and k - end < 3 and is_verb_filler(tokens[end - 1], self.v):
            end -= 1
        if end > 1 and tokens[end - 1].text == ",":
            for ck, _length, ckind in cues:
                if (
                    ckind == "chain"
                    and 1 <= ck < end - 1
                    and tokens[ck - 1].text == ","
                    and not any(t.kind == "punct" for t in tokens[ck : end - 1])
                ):
                    return ck - 1
        return end

    def anaphor(
        self, tokens: list[Token], ck: int, length: int, kind: str, events: list[Event],
        persons: list[Mention], offset: int, state: DocState,
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
                return claimant_of(prior[-1])
            # "the official said" with no named person: an unnamed speaker, never
            # the country mentioned in the reported content ("the North shipped").
            return "anon" if length > 1 else None
        if length > 1:
            found = self._named_like(tokens[ck + length - 1].low, offset + cue_start, state)
            if found is not None:
                return found
        if state.first_org is not None:
            return state.first_org
        for m in self.doc_mentions:
            if m.end > offset + cue_start:
                break
            if m.entity_type == "organisation":
                return claimant_of(m)
        return "anon" if length > 1 else None  # "the report said" with no named body

    def _named_like(self, head: str, at: int, state: DocState) -> Claimant | None:
        """"the institute said": the latest claimant whose name has that head noun."""
        if len(head) <= 3:
            return None
        pattern = re.compile(r"\b" + re.escape(head) + r"\b", re.I)
        for c in reversed(state.quoted):
            if c.entity_type != "person" and pattern.search(c.name):
                return c
        for m in reversed(self.doc_mentions):
            if (
                m.end <= at
                and m.entity_type == "organisation"
                and (pattern.search(m.surface) or pattern.search(m.canonical))
            ):
                return claimant_of(m)
        return None
