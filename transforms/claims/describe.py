"""Stage 4c (continued): pronouns and descriptions that stand for a claimant ("he", "its
analysts", "the spy agency", "the group's coordinator", "a senior alliance official"), and
unnamed claimants ("experts say")."""

from __future__ import annotations

import re

from transforms.claims.antecedents import Antecedents, description_words, looks_like_person
from transforms.claims.docnames import tidy_name
from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant, Event
from transforms.claims.names import claimant_of, is_verb_filler
from transforms.claims.tokens import Token
from transforms.entities import Mention

Cue = tuple[int, int, str]  # (token index, length, kind)
Found = Claimant | str | None  # "anon": an unnamed claimant

_DETERMINER = re.compile(r"\b(?:the|a|an|these|those)\b")

PRONOUNS = {"he": "person", "she": "person", "it": "body", "they": "body", "its": "body"}


class Descriptions:
    """What a pronoun or a description in a subject stands for, in one sentence."""

    v: Vocab
    sentence: str
    ante: Antecedents
    events_so_far: list[Event]

    def _in_sentence(self, person: bool) -> Claimant | None:
        """A claimant named earlier in the same sentence ("X said in its assessment")."""
        for e in reversed(self.events_so_far):
            if e.claimant is not None and looks_like_person(e.claimant, self.v) == person:
                return e.claimant
        return None

    def _pronoun(self, word: str, at: int) -> Found:
        if PRONOUNS[word] == "person":
            return self._in_sentence(True) or self.ante.person(at)
        return self._in_sentence(False) or self.ante.organisation(at)

    def _description(self, span: list[Token], at: int) -> Found:
        """ "the team", "the U.S. broadcaster", "a senior alliance official", "officials"."""
        words = description_words(tidy_name(self.sentence[span[0].start : span[-1].end]))
        if span[0].low in ("the", "a", "an", "this", "that"):
            words = [span[0].low, *words]
        if not words:
            return None
        head = words[-1]
        definite = words[0] in ("the", "this", "that", "those", "these")
        owner = next((x for x, t in enumerate(span[:-1]) if t.low.endswith(("'s", "’s"))), None)
        if owner is not None and head in self.v.person_nouns and owner + 2 == len(span):
            # "the group's coordinator", "the agency's spokesman": the body they speak for
            t = span[owner]
            whole = [*span[:owner], Token(t.text[:-2], t.start, t.end - 2, t.low[:-2], t.kind)]
            found = (
                self._description(whole, at)
                if len(whole) > 1 or not whole[0].text[:1].isupper()
                else None
            )
            if isinstance(found, Claimant):
                return found
        if definite and (head in self.v.unnamed_people or head in self.v.person_nouns):
            relay = self.ante.relay_for(at, head)
            if relay is not None:
                return relay  # "the source", "those officials": relayed by a named outlet
        if definite and head in self.v.state_bodies:
            return self.ante.state_body(at, words) or "anon"  # "the government", "the ministry"
        if words[0] in ("its", "their") or (definite and head in self.v.org_nouns):
            # "its analysts", "the analysts", "in its assessment"; "Sweden gave €1bn, the
            # tracker showed": a body whose name fits the description first
            inside = self._in_sentence(False)
            if definite and inside is not None and inside.entity_type == "country":
                inside = self.ante.named_like(at, words) or inside
            return inside or self.ante.organisation(at, words) or "anon"
        if head in self.v.person_nouns:
            if definite:
                return self.ante.person(at) or "anon"
            if words[0] in ("a", "an") and len(words) > 2:
                # a titled role, kept as written, unless an outlet relayed such sources before
                return self.ante.relay_for(at, head) or Claimant(
                    tidy_name(" ".join(t.text for t in span)), "role"
                )
            return "anon"
        if head in self.v.unnamed_people or (words[0] in self.v.unnamed_people and len(words) > 2):
            return "anon"  # "officials", "people familiar with the matter"
        if (head in self.v.org_nouns or head in self.v.report_nouns) and (
            definite or words[0] in ("its", "their")
        ):
            return self.ante.organisation(at, words) or "anon"
        if len(words) == 1:
            return self.ante.member_of(at, head)  # "Prosecutors said": the prosecutor's office
        return None

    # -- cues right before the verb -------------------------------------------------------
    def _adjacent_cue(
        self,
        tokens: list[Token],
        k: int,
        mentions: list[Mention],
        cues: list[Cue],
        offset: int,
        events: list[Event],
    ) -> Found:
        """Pronouns and descriptions of attribution_cues.csv right before the cue ("he said",
        "the report says"), and unnamed claimants ("experts say")."""
        for ck, length, kind in cues:
            if not (ck + length <= k and k - (ck + length) <= 2):
                continue
            if not all(is_verb_filler(t, self.v) for t in tokens[ck + length : k]):
                continue  # "the think tank run by the spy agency, estimated": not the subject
            if kind in ("anaphor_person", "anaphor_org"):
                found = self.anaphor(tokens, ck, length, kind, offset, events)
                if found is not None:
                    return found
                continue
            if kind == "anonymous":
                return self._named_group(tokens[ck].start, mentions)
        return None

    def _named_group(self, at: int, mentions: list[Mention]) -> Claimant | str:
        """ "Panel of Experts" is a name; "Western and Ukrainian intelligence and military
        sources": the named body inside the same noun phrase is the source."""
        inside = [m for m in mentions if m.start <= at < m.end]
        if inside:
            return claimant_of(inside[0])
        named = [
            m
            for m in mentions
            if m.end <= at
            and re.fullmatch(r"[\sa-z,'’-]*", self.sentence[m.end : at])
            and not _DETERMINER.search(self.sentence[m.end : at])  # "to Moscow, the sources"
            and at - m.end <= 30
        ]
        return claimant_of(named[-1]) if named else "anon"

    def anaphor(
        self, tokens: list[Token], ck: int, length: int, kind: str, offset: int, events: list[Event]
    ) -> Found:
        """The claimant a pronoun or description of attribution_cues.csv ("he", "its", "the
        institute") stands for: one named earlier in the same sentence ("X said in its
        assessment"), else an earlier name; "anon" for an unnamed one, None when nothing fits."""
        at = offset + tokens[ck].start
        words = [t.low for t in tokens[ck : ck + length]]
        for e in reversed(events):
            c = e.claimant
            if (
                e.pos < tokens[ck].start
                and c is not None
                and ((c.entity_type == "person") == (kind == "anaphor_person"))
            ):
                if c.entity_type == "country" and length > 1:
                    # "Latvia pledged 40, the group said": the group named before
                    return self.ante.named_like(at, words) or c
                return c
        if kind == "anaphor_person":
            found = self.ante.person(at)
            return found if found is not None else ("anon" if length > 1 else None)
        found = self.ante.organisation(at, words if length > 1 else None)
        return found if found is not None else ("anon" if length > 1 else None)
