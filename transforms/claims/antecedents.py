"""Stage 4b: what a pronoun or a description ("he", "it", "the team", "the paper", "the
spy agency") stands for: the most recent compatible name of the document so far."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transforms.claims.docnames import Named, words_of
from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant
from transforms.claims.names import claimant_of
from transforms.entities import Mention
from transforms.rules import ExtractionRules

_ALIAS_WORDS: dict[int, tuple[ExtractionRules, dict[str, frozenset[str]]]] = {}


def alias_words(rules: ExtractionRules) -> dict[str, frozenset[str]]:
    """Canonical name -> the words of all its aliases ("NIS" -> nis, national, intelligence,
    service, spy, agency, ...)."""
    cached = _ALIAS_WORDS.get(id(rules))
    if cached is None or cached[0] is not rules:
        by_canon: dict[str, set[str]] = {}
        for alias, (_eid, _etype, canon, _iso) in rules.alias_rows.items():
            by_canon.setdefault(canon, set()).update(words_of(alias, canon))
        cached = (rules, {c: frozenset(w) for c, w in by_canon.items()})
        _ALIAS_WORDS[id(rules)] = cached
    return cached[1]


def looks_like_person(c: Claimant, v: Vocab) -> bool:
    """A person claimant, or an unknown name of two or three capitalised words that names
    no body ("Jane Roe", not "Eskadra Group" or "RIA Novosti")."""
    if c.entity_type is not None:
        return c.entity_type == "person"
    words = c.name.split()
    return (
        2 <= len(words) <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(w.lower() in v.org_nouns or w.lower() in v.body_heads for w in words)
    )


@dataclass
class Antecedents:
    """Names a document has mentioned or quoted so far, with their positions."""

    rules: ExtractionRules
    v: Vocab
    mentions: list[Mention]
    named: list[Named]
    quoted: list[tuple[int, Claimant, frozenset[str]]] = field(default_factory=list)

    def add(self, at: int, claimant: Claimant, words: frozenset[str] = frozenset()) -> None:
        """A claimant quoted at document offset ``at``, with the words of the phrase that
        named it ("a Naumann Foundation study": "the study" later stands for it)."""
        self.quoted.append((at, claimant, words))

    def _pool(self, before: int) -> list[tuple[int, Claimant, frozenset[str], bool]]:
        """(position, claimant, words, quoted) of every name before ``before``, by position."""
        words = alias_words(self.rules)
        pool = [(m.start, claimant_of(m), words.get(m.canonical, words_of(m.canonical)), False)
                for m in self.mentions if m.end <= before and m.entity_type in ("organisation", "person")]
        known = [(m.start, m.end) for m in self.mentions if m.entity_type == "organisation"]
        pool += [(n.start, n.claimant, n.words, False) for n in self.named
                 if n.start < before and not any(a <= n.start < b for a, b in known)]
        pool += [(at, c, words.get(c.name, words_of(c.name)) | extra, True)
                 for at, c, extra in self.quoted if at < before]
        return sorted(pool, key=lambda e: e[0])

    def person(self, before: int) -> Claimant | None:
        """"he", "the minister": the most recent person named or quoted."""
        for _at, c, _w, _q in reversed(self._pool(before)):
            if looks_like_person(c, self.v):
                return c
        return None

    def organisation(self, before: int, description: list[str] | None = None) -> Claimant | None:
        """"it", "the team", "the spy agency", "the report": the most recent body whose
        names share a word with the description, else the most recent body quoted, else
        the most recent body named."""
        bodies = [e for e in self._pool(before) if not looks_like_person(e[1], self.v)
                  and (e[1].entity_type != "country" or e[3])]  # a country only as a claimant
        if description:
            wanted = set(description) - {"the", "this", "that", "its", "their"}
            for _at, c, w, _q in reversed(bodies):
                if wanted & w:
                    return c
        for _at, c, _w, q in reversed(bodies):
            if q:
                return c
        return bodies[-1][1] if bodies else None


def description_words(text: str) -> list[str]:
    """Lower-case words of a description ("the U.S. broadcaster" -> the, us, broadcaster)."""
    return re.findall(r"[a-z0-9-]+", text.lower().replace(".", ""))
