"""Stage 4b: what a pronoun or a description ("he", "it", "the team", "the paper", "the
spy agency") stands for: the most recent compatible name of the document so far."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from transforms.claims.docnames import Named, document_names, words_of
from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant
from transforms.claims.names import claimant_of
from transforms.entities import Mention
from transforms.rules import ExtractionRules

_DESCRIPTION = re.compile(r"[a-z0-9-]+")
# A name of the document: (position, claimant, words, quoted, looks like a person)
_Entry = tuple[int, Claimant, frozenset[str], bool, bool]

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


def _words(table: dict[str, frozenset[str]], name: str) -> frozenset[str]:
    found = table.get(name)
    return found if found is not None else words_of(name)


def looks_like_person(c: Claimant, v: Vocab) -> bool:
    """A person claimant, or an unknown name of two or three capitalised words that names
    no body ("Jane Roe", not "Eskadra Group" or "RIA Novosti")."""
    if c.entity_type is not None:
        return c.entity_type == "person"
    words = c.name.split()
    while len(words) > 2 and words[0].lower().rstrip(".") in v.titles_and_honorifics:
        words = words[1:]  # "Dr Anna Kowal"
    return (
        2 <= len(words) <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(
            w.lower() in v.org_nouns or w.lower() in v.body_heads or w.lower() in v.not_surnames
            for w in words
        )
        and words[0].lower() not in v.nationalities  # "Belarusian Hajun" names a group
    )


class _ByPosition:
    """Entries kept in position order (equal positions in the order they came)."""

    def __init__(self, entries: list[_Entry] | None = None) -> None:
        self.entries: list[_Entry] = entries or []
        self.at = [e[0] for e in self.entries]

    def insert(self, entry: _Entry) -> None:
        k = bisect.bisect_right(self.at, entry[0])  # after equal positions, as a stable sort
        self.entries.insert(k, entry)
        self.at.insert(k, entry[0])

    def last_before(self, before: int) -> int:
        """Index of the last entry before ``before`` (-1 if none)."""
        return bisect.bisect_left(self.at, before) - 1


def _newest(named: _ByPosition, quoted: _ByPosition, before: int) -> Iterator[_Entry]:
    """Entries of both before ``before``, the most recent first; at one position a quoted
    claimant before a named one."""
    i, j = named.last_before(before), quoted.last_before(before)
    static, said = named.entries, quoted.entries
    while i >= 0 or j >= 0:
        if j >= 0 and (i < 0 or said[j][0] >= static[i][0]):
            yield said[j]
            j -= 1
        else:
            yield static[i]
            i -= 1


@dataclass
class Antecedents:
    """Names a document has mentioned or quoted so far, with their positions."""

    rules: ExtractionRules
    v: Vocab
    mentions: list[Mention]
    text: str
    anchors: dict[str, list[int]]
    # quoted claimants (position, claimant, words, True, a person): all, people, bodies
    quoted: _ByPosition = field(default_factory=_ByPosition)
    _quoted_people: _ByPosition = field(default_factory=_ByPosition)
    _quoted_bodies: _ByPosition = field(default_factory=_ByPosition)
    # unnamed people relayed by a named intermediary: (position, their words, intermediary)
    relays: list[tuple[int, frozenset[str], Claimant]] = field(default_factory=list)
    _named: list[Named] | None = None
    # names of the document (not quoted): all, people, bodies other than countries
    _names: _ByPosition | None = None
    _people: _ByPosition = field(default_factory=_ByPosition)
    _bodies_named: _ByPosition = field(default_factory=_ByPosition)

    @property
    def named(self) -> list[Named]:
        """Names the document defines (found on first use: most documents never need them)."""
        if self._named is None:
            self._named = document_names(self.text, self.rules, self.v, self.anchors)
        return self._named

    def add(self, at: int, claimant: Claimant, words: frozenset[str] = frozenset()) -> None:
        """A claimant quoted at document offset ``at``, with the words of the phrase that
        named it ("a Naumann Foundation study": "the study" later stands for it)."""
        entry = (
            at,
            claimant,
            _words(alias_words(self.rules), claimant.name) | words,
            True,
            looks_like_person(claimant, self.v),
        )
        self.quoted.insert(entry)
        (self._quoted_people if entry[4] else self._quoted_bodies).insert(entry)

    def _static(self) -> _ByPosition:
        """Names and known bodies and people of the document, by position (made once)."""
        if self._names is None:
            words = alias_words(self.rules)
            pool = [
                (m.start, claimant_of(m), _words(words, m.canonical), False)
                for m in self.mentions
                if m.entity_type in ("organisation", "person")
            ]
            known = [(m.start, m.end) for m in self.mentions if m.entity_type == "organisation"]
            pool += [
                (n.start, n.claimant, n.words, False)
                for n in self.named
                if not any(a <= n.start < b for a, b in known)
            ]
            names = [
                (*e, looks_like_person(e[1], self.v)) for e in sorted(pool, key=lambda e: e[0])
            ]
            self._names = _ByPosition(names)
            self._people = _ByPosition([e for e in names if e[4]])
            self._bodies_named = _ByPosition(
                [e for e in names if not e[4] and e[1].entity_type != "country"]
            )
        return self._names

    def _latest(self, before: int) -> Iterator[_Entry]:
        """(position, claimant, words, quoted, a person) of every name before ``before``,
        the most recent first; at one position a quoted claimant before a named one."""
        return _newest(self._static(), self.quoted, before)

    def relayed(self, at: int, words: frozenset[str], intermediary: Claimant) -> None:
        """Unnamed people ("a security source", "people familiar with the matter") who spoke to
        a named outlet: later "the source", "those officials" stand for the outlet."""
        self.relays.append((at, frozenset(w.rstrip("s") for w in words), intermediary))

    def relay_for(self, before: int, head: str) -> Claimant | None:
        """The intermediary of the most recent relay whose unnamed people fit ``head``."""
        for at, _words, claimant in reversed(self.relays):
            if at < before:
                return claimant  # unnamed people are interchangeable: sources, officials, people
        return None

    def person(self, before: int) -> Claimant | None:
        """ "he", "the minister": the most recent person named or quoted."""
        self._static()
        latest = next(_newest(self._people, self._quoted_people, before), None)
        return latest[1] if latest is not None else None

    def organisation(self, before: int, description: list[str] | None = None) -> Claimant | None:
        """ "it", "the team", "the spy agency", "the report": the most recent body whose
        names share a word with the description, else the most recent body quoted, else
        the most recent body named."""
        # each scan reads the bodies newest first and stops at its answer
        if description:
            wanted = set(description) - {"the", "this", "that", "its", "their"}
            for _at, c, w, _q, _p in self._bodies(before):
                if wanted & w:
                    return c
        first = next(self._bodies(before), None)
        if first is None:
            return None
        last = first[1]
        if not description or description[0] in ("its", "their"):
            subject = self._subject_body(before, last)
            if subject is not None:
                return subject
        # the most recent body quoted (every quoted entry is one; named ones never are)
        k = self._quoted_bodies.last_before(before)
        return self._quoted_bodies.entries[k][1] if k >= 0 else last

    def _subject_body(self, before: int, last: Claimant) -> Claimant | None:
        """ "Ukraine's HUR has put it higher. Its officials said": the latest body, named
        (not quoted) at the start of its sentence, stands for "it" and "its"."""
        for at, c, _w, q, _p in self._bodies(before):
            if q or c.name != last.name:
                break
            if self._opens_sentence(at):
                return c
        return None

    def _bodies(self, before: int) -> Iterator[_Entry]:
        """Bodies named or quoted before ``before``, newest first; a country only as a
        claimant."""
        self._static()
        return _newest(self._bodies_named, self._quoted_bodies, before)

    def named_like(self, before: int, description: list[str]) -> Claimant | None:
        """The most recent body whose names share a word with the description; no fallback."""
        wanted = set(description) - {"the", "this", "that", "its", "their"}
        for _at, c, w, _q, person in self._latest(before):
            if not person and wanted & w:
                return c
        return None

    def member_of(self, before: int, plural: str) -> Claimant | None:
        """ "Prosecutors said" after "the Prosecutor General's Office": the most recent body
        whose name holds the singular of a bare plural role noun; None when none does."""
        if len(plural) < 5 or not plural.endswith("s"):
            return None
        singular = plural[:-1]
        for _at, c, w, _q, person in self._latest(before):
            if singular in w and not person:
                return c
        return None

    def _opens_sentence(self, at: int) -> bool:
        """A name at the start of its sentence (after at most an owner: "Ukraine's ...")."""
        head = self.text[max(0, at - 40) : at]
        cut = max(head.rfind(". "), head.rfind("\n"), head.rfind("? "), head.rfind("! "))
        if cut < 0 and at > 40:
            return False
        return _OPENER.fullmatch(head[cut + 1 :].lstrip()) is not None

    def state_body(self, before: int, description: list[str]) -> Claimant | None:
        """ "the government", "the defence ministry": a body named with those words before,
        else that body of the country most recently named as an actor (not "to/for X")."""
        wanted = set(description) - {"the", "this", "that", "its", "their"}
        for _at, c, w, _q, _p in self._latest(before):
            if c.entity_type == "organisation" and wanted <= w:
                return c
        country = next(
            (
                m
                for m in reversed(self.mentions)
                if m.end <= before
                and m.entity_type == "country"
                and not self.text[max(0, m.start - 5) : m.start]
                .rstrip()
                .lower()
                .endswith(("to", "for"))
            ),
            None,
        )
        iso = country.iso2 if country is not None else None
        demonym = self._last_demonym(country.end if country is not None else 0, before)
        if demonym is not None:
            iso = demonym  # "The Czech-run programme ... The defence ministry's figure": Czech
        adjective = self.adjectives.get(iso or "")
        if adjective is None:
            return None
        return Claimant(
            f"{adjective} {' '.join(w for w in description if w not in ('the', 'this', 'that'))}",
            "organisation",
            iso,
        )

    def _last_demonym(self, after: int, before: int) -> str | None:
        """ISO code of the last nationality adjective between two offsets ("Czech-run")."""
        found = _DEMONYMS.get(id(self.rules))
        if found is None or found[0] is not self.rules:
            words = sorted(
                (d.title() for d in self.rules.demonym_iso if "'" not in d and "’" not in d),
                key=len,
                reverse=True,
            )
            found = _DEMONYMS[id(self.rules)] = (
                self.rules,
                re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b"),
            )
        last = None
        for m in found[1].finditer(self.text, after, before):
            last = m
        return self.rules.demonym_iso.get(last.group(1).lower()) if last is not None else None

    @property
    def adjectives(self) -> dict[str, str]:
        """ISO2 -> the first nationality adjective of demonyms.csv ("KR" -> "South Korean")."""
        found = _ADJECTIVES.get(id(self.rules))
        if found is None or found[0] is not self.rules:
            table: dict[str, str] = {}
            for adjective, iso in self.rules.demonyms.iter_rows():
                if not adjective.endswith(("'s", "’s")):
                    table.setdefault(iso, adjective)
            found = _ADJECTIVES[id(self.rules)] = (self.rules, table)
        return found[1]


_ADJECTIVES: dict[int, tuple[ExtractionRules, dict[str, str]]] = {}
_DEMONYMS: dict[int, tuple[ExtractionRules, re.Pattern[str]]] = {}
_OPENER = re.compile(r"(?:(?:The|A|An)\s+)?(?:[A-Z][\w.-]*(?:['’]s)?\s+){0,2}")


def description_words(text: str) -> list[str]:
    """Lower-case words of a description ("the U.S. broadcaster" -> the, us, broadcaster)."""
    return _DESCRIPTION.findall(text.lower().replace(".", ""))
