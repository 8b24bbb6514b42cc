"""Stage 4d: the claimant chosen for each figure, and speakers of interview turns."""

from __future__ import annotations

import re

from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant, Event
from transforms.claims.names import claimant_of, distinct
from transforms.claims.tokens import LOWER, UPPER
from transforms.entities import Mention

_TURN = re.compile(
    r"[\s*_>]*(["
    + UPPER
    + r"][\w'’.-]*(?:[ \t]+["
    + UPPER
    + r"][\w'’.-]*){0,2})[ \t]*(?:\([^)]{0,40}\))?[*_]*[ \t]*:[*_]*\s"
)


def choose(events: list[Event], pos: int) -> tuple[bool, Claimant | None, Claimant | None]:
    """(found, source, reported_by) for a figure at ``pos`` in the sentence."""
    own = next((e for e in events if e.kind == "relative" and e.pos == pos), None)
    if own is not None:
        return True, own.claimant, None  # "the 24 that Kostin reported"
    events = [e for e in events if e.kind != "relative"]
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
        return True, chain.claimant, distinct(chain.claimant, base.claimant)
    others = [
        e.claimant
        for e in events
        if e.claimant is not None
        and base.claimant is not None
        and e.claimant.name != base.claimant.name
    ]
    return True, base.claimant, others[0] if others else None


class Turns:
    """Speaker labels of interviews and transcripts ("Q:", "A:", "Ruiz:", "KIM:")."""

    def __init__(self, doc_mentions: list[Mention], v: Vocab, text: str) -> None:
        self.persons = [m for m in doc_mentions if m.entity_type == "person"]
        self.v = v
        self.text = text
        self.text_names: dict[str, str] | None = None
        self.interviewee: Claimant | None = None

    @staticmethod
    def _label(sentence: str) -> str | None:
        m = _TURN.match(sentence)
        return m.group(1) if m else None

    def is_question_turn(self, sentence: str) -> bool:
        """The paragraph opens with an interviewer's label ("Q:")."""
        label = self._label(sentence)
        return label is not None and label.lower().rstrip(".") in self.v.question_labels

    def speaker(self, sentence: str) -> Claimant | None:
        """The speaker a paragraph's label names, if any."""
        label = self._label(sentence)
        if label is None:
            return None
        low = label.lower().rstrip(".")
        if low in self.v.question_labels:
            return None
        if low in self.v.answer_labels:
            if self.interviewee is None and self.persons:
                self.interviewee = claimant_of(self.persons[0])
            return self.interviewee
        words = [w.lower() for w in label.split()]
        for p in self.persons:
            pwords = p.canonical.lower().split() + p.surface.lower().split()
            if all(w in pwords for w in words):
                self.interviewee = self.interviewee or claimant_of(p)
                return claimant_of(p)
        full = label if len(words) > 1 and not label.isupper() else self._full_name(label)
        if full is None:
            return None  # "Armin Papperger:" names the speaker in full; "RUIZ:" needs the text
        found = Claimant(full, "person")
        self.interviewee = self.interviewee or found
        return found

    def _full_name(self, label: str) -> str | None:
        """'Ruiz' -> 'Hanna Ruiz' when the document names the person in full somewhere."""
        if self.text_names is None:
            self.text_names = {}
            self._learn(self.text)
        return self.text_names.get(label.lower())

    def _learn(self, text: str) -> None:
        """Collect capitalised two- and three-word names of the document."""
        assert self.text_names is not None
        for m in re.finditer(
            r"(?<![\w'’-])(["
            + UPPER
            + "]["
            + LOWER
            + "'’-]+(?:[ ]["
            + UPPER
            + "]["
            + LOWER
            + r"'’-]+){1,2})(?![\w'’-])",
            text,
        ):
            parts = m.group(1).split()
            if parts[0] in self.v.not_names or any(
                p.lower() in self.v.titles_and_honorifics for p in parts
            ):
                continue
            for part in (parts[0], parts[-1]):
                self.text_names.setdefault(part.lower(), m.group(1))
