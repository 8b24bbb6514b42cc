"""Stage 4c: reporting frames of a sentence ("X said", "according to X", "citing X", a
source in brackets) and the claimant each points at."""

from __future__ import annotations

import re

from transforms.claims.antecedents import Antecedents
from transforms.claims.docnames import tidy_name
from transforms.claims.lexicon import lengths_by_first, lows_of, match_lengths, vocab
from transforms.claims.model import Claimant, Event
from transforms.claims.names import (
    claimant_of,
    owned_body,
    strip_titles,
    titled_person,
)
from transforms.claims.resolve import Cue, Resolver
from transforms.claims.tokens import Token
from transforms.entities import Mention
from transforms.rules import ExtractionRules

_PAREN_SOURCE = re.compile(r"\(([^()]{2,80})\)[\s.;,*_]*$")
_CLAIMANT_TYPES = ("organisation", "person", "country")


class ReportingFrames(Resolver):
    """Finds reporting cues and their claimants in the sentences of one document."""

    def __init__(
        self,
        rules: ExtractionRules,
        text: str,
        doc_mentions: list[Mention],
        anchors: dict[str, list[int]],
    ) -> None:
        self.r = rules
        self.v = vocab(rules)
        self.text = text
        self.ante = Antecedents(rules, self.v, doc_mentions, text, anchors)
        self.sentence = ""
        self._body = re.compile(
            r"\s+(?:the\s+)?([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?(?:['’]s)?(?:\s+[a-z]+){0,2}\s+("
            + "|".join(sorted(self.v.body_heads))
            + r"))\b(?!['’])"
        )

    def remember(self, offset: int, events: list[Event]) -> None:
        """Claimants of a sentence's events, as antecedents for later sentences."""
        for e in events:
            if e.claimant is not None:
                self.ante.add(offset + e.pos, e.claimant, e.words)

    def events(
        self, sentence: str, tokens: list[Token], mentions: list[Mention], offset: int
    ) -> list[Event]:
        """Reporting cues of one sentence with their claimants, in text order."""
        self.sentence = sentence
        claim_mentions = [m for m in mentions if m.entity_type in _CLAIMANT_TYPES]
        cues = self._cues(tokens, mentions)
        self.events_so_far: list[Event] = []
        paren = self._paren_source(sentence, claim_mentions)
        if not cues:
            return [paren] if paren is not None else []
        events = self.events_so_far
        self._relays: list[int] = []
        cited = self._forward_events(tokens, cues, claim_mentions, offset, events)
        free = [m for m in claim_mentions if m.start not in cited]
        argument = self._arguments(tokens, cues)
        for k, _length, kind in cues:
            if kind not in ("after", "after_weak", "backref") or k in argument:
                continue
            b = k - 1
            while b > 0 and tokens[b].low in self.v.passive_adverbs:
                b -= 1
            if b >= 0 and tokens[b].low in self.v.passive_markers:
                continue  # "is (also) estimated to", "an estimated sum": no claimant named here
            self.np_words = frozenset()
            found = self.before(tokens, k, _length, free or claim_mentions, cues, offset, events)
            if found is not None:
                claimant = found if isinstance(found, Claimant) else None  # "anon": unnamed
                events.append(Event(tokens[k].start, kind, claimant, self.np_words))
                figure = self._relative_figure(tokens, k)
                if figure is not None and claimant is not None:
                    events.append(Event(figure, "relative", claimant))
        if paren is not None:
            events.append(paren)
        events.sort(key=lambda e: e.pos)
        self._remember_relays(events)
        return events

    def _remember_relays(self, events: list[Event]) -> None:
        """ "X reported, citing officials ...": later "the officials", "those sources" stand
        for X, the named intermediary (as after "officials told X")."""
        named = next((e.claimant for e in events if e.claimant is not None), None)
        if named is not None:
            for at in self._relays:
                self.ante.relayed(at, frozenset(), named)

    def _relative_figure(self, tokens: list[Token], k: int) -> int | None:
        """ "the 24 that Prosecutor General Andriy Kostin reported": the figure a relative
        clause attributes to its subject (its offset), else None."""
        b = k - 1
        while (
            b > 0
            and k - b <= 6
            and (tokens[b].text[:1].isupper() or tokens[b].low in self.v.titles_and_honorifics)
        ):
            b -= 1
        if (
            b == k - 1
            or b < 1
            or tokens[b].low not in ("that", "which")
            or tokens[b - 1].kind != "num"
        ):
            return None
        return tokens[b - 1].start

    def _cues(self, tokens: list[Token], mentions: list[Mention] | None = None) -> list[Cue]:
        """(token index, length, kind) of every attribution cue, longest first; none inside a
        known name ("the United States gave": "States" is not "states")."""
        cues: list[Cue] = []
        table = self.r.attribution
        firsts = lengths_by_first(table)
        _same, lows, present = lows_of(tokens)
        if firsts.keys().isdisjoint(present):
            return cues
        at = [k for k, w in enumerate(lows) if w in firsts]
        spans = [(m.start, m.end) for m in mentions] if mentions else []
        nxt = 0
        for k in at:
            if k < nxt:
                continue
            lengths = firsts[tokens[k].low]
            hit = match_lengths(tokens, k, table, lengths)
            if (
                hit is not None
                and hit[0] == "backref"
                and not self._closes_clause(tokens, k + hit[1])
            ):
                # "said this month": not "said so." pointing back; the verb alone
                hit = match_lengths(tokens, k, table, tuple(x for x in lengths if x < hit[1]))
            if (
                hit is not None
                and tokens[k].low in self.v.needs_at
                and not self._at_follows(tokens, k)
            ):
                hit = None  # "put $4.8 billion into the scheme": spending, not "put the total at"
            if hit is None or any(a <= tokens[k].start < b for a, b in spans):
                continue
            if k > 0 and tokens[k - 1].low in self.v.cue_blockers:
                continue  # "Member states plan ...": a noun, not "X states"
            cues.append((k, hit[1], hit[0]))
            nxt = k + hit[1]
        return cues

    @staticmethod
    def _at_follows(tokens: list[Token], k: int) -> bool:
        """ "put the total at N", "valued the deliveries to Russia at N" (but "put $4 billion
        into the scheme": only "put" turns into spending with "into" or "to")."""
        spends = tokens[k].low.startswith("put")
        for t in tokens[k + 1 : k + 18]:
            if t.low in ("at", "higher", "lower"):
                return True  # "put the total at N", "puts the figure far higher: N"
            if t.text in (";", ".") or (spends and t.low in ("into", "to", "toward", "towards")):
                return False
        return False

    def _closes_clause(self, tokens: list[Token], j: int) -> bool:
        """Nothing of the clause follows token j: punctuation, the end, or a new clause."""
        return (
            j >= len(tokens)
            or tokens[j].kind == "punct"
            or tokens[j].low in self.v.clause_openers
            or (tokens[j].low in self.v.np_enders and tokens[j].low != "this")
            or tokens[j].low == "to"
        )

    def _forward_events(
        self,
        tokens: list[Token],
        cues: list[Cue],
        mentions: list[Mention],
        offset: int,
        events: list[Event],
    ) -> set[int]:
        """Events of cues whose claimant follows ("according to X", "citing X"); returns
        the starts of the mentions they took."""
        n = len(tokens)
        cited: set[int] = set()
        anaphors = {ck: (cl, ckind) for ck, cl, ckind in cues if ckind.startswith("anaphor")}
        for k, length, kind in cues:
            if kind not in ("before", "chain"):
                continue
            if self._anaphor_argument(tokens, k, length, kind, anaphors, offset, events):
                continue
            if (
                kind == "chain"
                and k + length < n
                and tokens[k + length].low in ("its", "their", "his", "her")
            ):
                continue  # "Reuters, citing its own tally, reported": the subject's own figure
            if self._nested_source(tokens, k + length, cues):
                continue  # "according to an assessment by the BND": "by" names the claimant
            described = self._described(tokens, k + length, mentions, offset)
            if described is not None:
                events.append(
                    Event(tokens[k].start, kind, described if described != "anon" else None)
                )
                continue  # "according to the government", "according to the institute's data"
            relay = self._relayed(tokens, k + length, mentions, offset)
            if relay is not None:
                events.append(Event(tokens[k].start, kind, relay if relay != "anon" else None))
                continue  # "according to a source who spoke to the channel": the channel
            claimant, start = self._after(self.sentence, tokens[k + length - 1].end, mentions)
            if kind == "chain" and self._unnamed_relay(tokens, k + length, claimant):
                # "X, citing South Korean officials, reported": the officials go unnamed,
                # so the outlet passing their figure on is the source.
                if start is not None:
                    cited.add(start)
                self._relays.append(offset + tokens[k].start)
                continue
            if claimant is not None:
                events.append(Event(tokens[k].start, kind, claimant))
                if start is not None:
                    cited.add(start)
            elif k + length < n and tokens[k + length].low in self.v.first_person:
                # "according to our data": the speaker of the turn is the source.
                events.append(Event(tokens[k].start, "first_person", None))
            else:
                # "according to some estimates": an explicit but unnamed source.
                events.append(Event(tokens[k].start, "anonymous", None))
        return cited

    def _anaphor_argument(
        self,
        tokens: list[Token],
        k: int,
        length: int,
        kind: str,
        anaphors: dict,
        offset: int,
        events: list[Event],
    ) -> bool:
        """ "according to the report", "according to the intelligence chief": a definite
        description naming an earlier claimant. Adds the event; False if there is none."""
        argument_cue = anaphors.get(k + length)
        if argument_cue is None:
            return False
        alen, akind = argument_cue
        after = k + length + alen
        if not (
            after >= len(tokens) or tokens[after].kind == "punct" or tokens[after].low == "that"
        ):
            return False
        found = self.anaphor(tokens, k + length, alen, akind, offset, events)
        if found is None:
            return False
        events.append(Event(tokens[k].start, kind, found if isinstance(found, Claimant) else None))
        return True

    def _nested_source(self, tokens: list[Token], j: int, cues: list[Cue]) -> bool:
        """The argument of "according to" is a report made by someone a cue names next."""
        k = j + 1 if j < len(tokens) and tokens[j].low in ("a", "an", "the") else j
        while (
            k < len(tokens)
            and k - j < 4
            and tokens[k].text.islower()
            and tokens[k].low not in self.v.report_nouns
        ):
            k += 1
        return (
            k < len(tokens)
            and tokens[k].low in self.v.report_nouns
            and any(ck in (k, k + 1) and kind == "before" for ck, _l, kind in cues)
        )

    def _described(self, tokens: list[Token], j: int, mentions: list[Mention], offset: int):
        """The argument of "according to" is a description ("the government", "the
        ministry's figures"): what it stands for."""
        if j >= len(tokens) or tokens[j].low not in (
            "the",
            "its",
            "their",
            "this",
            "that",
            "those",
            "these",
        ):
            return None
        b = j
        while (
            b < len(tokens)
            and b - j < 6
            and tokens[b].kind == "word"
            and not tokens[b].text[:1].isupper()
        ):
            b += 1
            if (
                self._description_noun(tokens[b - 1].low)
                or tokens[b - 1].low in self.v.state_bodies
            ):
                break  # "the documents seen by the newspaper also include": the newspaper
        if b == j + 1 or (b < len(tokens) and tokens[b].text[:1].isupper()):
            return None  # "according to the Institute ...": a name, read by _after
        return self.subject(tokens, j, b, mentions, offset)

    def _relayed(self, tokens: list[Token], j: int, mentions: list[Mention], offset: int):
        """ "an intelligence source who spoke to the channel", "officials quoted by X": the figure
        belongs to the named outlet that passes on what nameless people told it."""
        words = [t.low for t in tokens[j : j + 12]]
        group = next(
            (
                x
                for x, w in enumerate(words[:5])
                if w in self.v.unnamed_people or w in self.v.person_nouns
            ),
            None,
        )
        if group is None:
            return None
        for x in range(group + 1, min(group + 4, len(words))):
            for verb in self.v.relay_verbs:
                if tuple(words[x : x + len(verb)]) == verb:
                    a = j + x + len(verb)
                    b = a
                    while b < len(tokens) and b - a < 8 and tokens[b].kind != "punct":
                        b += 1
                    found = self.subject(tokens, a, b, mentions, offset) if b > a else None
                    if isinstance(found, Claimant):
                        self.ante.relayed(
                            offset + tokens[j].start, frozenset(words[: group + 1]), found
                        )
                    return found
            if words[x] in (",", "."):
                break
        return None

    @staticmethod
    def _arguments(tokens: list[Token], cues: list[Cue]) -> set[int]:
        """Token positions inside the argument of "according to ..." / "citing ..."."""
        argument: set[int] = set()
        for ck, length, kind in cues:
            if kind in ("before", "chain"):
                for x in range(ck + length, min(ck + length + 4, len(tokens))):
                    if tokens[x].kind == "punct":
                        break
                    argument.add(x)
        return argument

    def _unnamed_relay(self, tokens: list[Token], a: int, claimant: Claimant | None) -> bool:
        """The argument of "citing ..." is a group of unnamed people ("South Korean
        officials", "Finnish sources"), not a named body or person."""
        words: list[Token] = []
        for t in tokens[a : a + 5]:
            if t.kind == "punct" or t.low in self.v.relay_stops:
                break
            words.append(t)
        group = next((k for k, t in enumerate(words[:4]) if t.low in self.v.unnamed_people), None)
        if group is None:
            return False
        named = claimant is not None and claimant.entity_type in ("organisation", "person")
        # "citing Western officials": unnamed even where an alias table knows the phrase;
        # "citing NIS officials" names the body.
        return not named or all(
            t.low not in self.v.body_heads
            and (
                t.low in self.r.demonym_iso
                or t.low in self.v.group_adjectives
                or not t.text[:1].isupper()
            )
            for t in words[:group]
        )

    def _paren_source(self, sentence: str, mentions: list[Mention]) -> Event | None:
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
        if self._acronym_gloss(before, m.group(1)):
            return None  # "the Open Source Centre (OSC)": an acronym gloss
        inside = [x for x in mentions if m.start(1) <= x.start and x.end <= m.end(1)]
        if inside:
            chosen = inside[0]
            if chosen.entity_type == "country" and chosen.surface.lower() in (
                chosen.canonical.lower(),
                "the " + chosen.canonical.lower(),
            ):
                return None  # "(Russia)" names a place, not a source
            return Event(m.start(), "paren", claimant_of(chosen))
        words = m.group(1).split()
        if 1 <= len(words) <= 5 and all(w[:1].isupper() or w in self.v.name_links for w in words):
            return Event(m.start(), "paren", Claimant(" ".join(words)))
        return None

    def _acronym_gloss(self, before: str, inside: str) -> bool:
        caps = re.findall(r"[\w'’-]+", before[-80:])
        initials = ""
        for w in reversed(caps):
            if w[:1].isupper():
                initials = w[0] + initials
            elif w.lower() not in self.v.acronym_fillers:
                break
        acronym = re.sub(r"[^A-Z]", "", inside)
        if len(acronym) >= 2 and initials.endswith(acronym):
            return True
        # "Czechoslovak Group (CSG)": the letters in order inside the capitalised words
        words = [w for w in caps if w[:1].isupper()][-len(acronym) :]
        joined = "".join(words).upper()
        it = iter(joined)
        return (
            bool(words)
            and len(acronym) >= 2
            and joined[:1] == acronym[:1]
            and all(c in it for c in acronym)
        )

    def _after(
        self, sentence: str, cue_end: int, mentions: list[Mention]
    ) -> tuple[Claimant | None, int | None]:
        """Claimant named after a cue such as 'according to' -> (claimant, mention start)."""
        body = self._body.match(sentence[cue_end:])
        if body and body.group(1).split()[0] not in self.v.not_names and "'" in body.group(1) + "’":
            owner = next((m for m in mentions if m.start == cue_end + body.start(1)), None)
            if owner is not None and owner.end < cue_end + body.end(1):
                # "citing Norway's defence ministry": the owner's body, as written
                return Claimant(tidy_name(body.group(1))), owner.start
        for pos, m in enumerate(mentions):
            if cue_end <= m.start <= cue_end + 60:
                if any(c in sentence[cue_end : m.start] for c in ",;:."):
                    break
                unknown = self._unknown_after(sentence[cue_end : m.start])
                if unknown is not None and unknown.name not in sentence[m.start : m.end]:
                    return unknown, None  # "seen by Nordic News list ... to Russia": the name first
                chosen = titled_person(sentence, m, mentions[pos + 1 :], self.v)
                chosen = owned_body(sentence, chosen, mentions[pos + 1 :])
                return claimant_of(chosen), chosen.start
            if m.start > cue_end + 60:
                break
        return self._unknown_after(sentence[cue_end:]), None

    def _role_after(self, rest: str, start: int, end: int) -> Claimant | None:
        """An unnamed person described by rank, nationality and service, ending in a person
        noun within three lower-case words after the nationality ("a senior Dutch defence
        official", "an Estonian diplomat"); None when no such noun ends the phrase."""
        words = re.match(r"(?:\s+[a-z][\w-]*){1,3}", rest[end:])
        if words is None:
            return None
        tail = words.group(0).split()
        last = max((x for x, w in enumerate(tail) if w in self.v.person_nouns), default=None)
        if last is None:
            return None
        lead = re.search(r"(?:\s+[a-z][\w-]*){0,2}\s*$", rest[:start])
        first = lead.start() if lead is not None else start
        text = " ".join(rest[first:end].split() + tail[: last + 1])
        return Claimant(re.sub(r"^(?:the|a|an)\s+", "", text), "role")

    def _unknown_after(self, rest: str) -> Claimant | None:
        """An unknown name after the cue: an owner and a lower-case body noun ("citing
        Finland's defence ministry"), or up to three lower-case words (a title) and then
        capitalised words."""
        body = self._body.match(rest)
        if body and body.group(1).split()[0] not in self.v.not_names:
            return Claimant(body.group(1))
        mm = re.match(
            r"\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}?((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,3})",
            rest,
        )
        adjectives = self.v.nationalities | self.v.group_adjectives
        if mm and all(w.lower() in adjectives for w in mm.group(1).split()):
            later = self._unknown_after(rest[mm.end(1) :])  # "the German broadcaster ARD": ARD
            if later is not None:
                return later
            role = self._role_after(rest, mm.start(1), mm.end(1))
            if role is not None:
                return role  # "a senior European intelligence official": kept as written
        if mm:
            words = strip_titles(
                [w for w in mm.group(1).split() if w not in self.v.not_names], self.v
            )
            if words and not re.search(r"\d", mm.group(1)):
                name = " ".join(words).rstrip(".,").removesuffix("'s").removesuffix("’s")
                return Claimant(name)
        return None
