"""Stage 4c: the claimant of a reporting verb ("X said", ", X says", "said X"): the subject
noun phrase of the verb, read as a known name, a name kept as written, a titled role, or a
pronoun or description standing for an earlier name."""

from __future__ import annotations

import re

from transforms.claims.antecedents import Antecedents, looks_like_person
from transforms.claims.describe import PRONOUNS, Cue, Descriptions, Found
from transforms.claims.docnames import tidy_name
from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant, Event
from transforms.claims.names import (
    claimant_of,
    full_name,
    is_name_word,
    is_verb_filler,
    lowercase_body,
    strip_titles,
)
from transforms.claims.tokens import CLAUSE_BREAK, QUOTES, Token, merge_acronyms
from transforms.entities import Mention
from transforms.rules import ExtractionRules

_DETERMINERS = ("the", "a", "an", "this", "that", "these", "those")
_PREPOSITIONS = frozenset({"of", "at", "in", "on", "from", "with", "by", "to", "for", "than"})
_AFTER_VERB_STOP = frozenset(
    {
        "on",
        "in",
        "at",
        "during",
        "after",
        "before",
        "to",
        "from",
        "that",
        "while",
        "when",
        "who",
        "which",
        "adding",
        "citing",
        "according",
        "as",
    }
)


class Resolver(Descriptions):
    """Claimants named before (or right after) a reporting verb, in one sentence."""

    r: ExtractionRules
    v: Vocab
    text: str
    sentence: str
    quotes: list[tuple[int, int]]
    ante: Antecedents
    np_words: frozenset[str] = frozenset()  # words of the last subject read
    events_so_far: list[Event]  # events of the sentence being read

    # -- where the subject is ---------------------------------------------------------------
    def before(
        self,
        tokens: list[Token],
        k: int,
        length: int,
        mentions: list[Mention],
        cues: list[Cue],
        offset: int,
        events: list[Event],
    ) -> Found:
        """The claimant of an 'X said' cue at token k ("anon" for an unnamed one)."""
        near = self._adjacent_cue(tokens, k, mentions, cues, offset, events)
        if near == "anon" and tokens[k].low in ("told", "tell", "tells"):
            return (
                self._told(tokens, k + length, mentions, offset) or near
            )  # "six sources told Reuters"
        if near is not None:
            return near
        end = k
        while end > 0 and k - end < 3 and is_verb_filler(tokens[end - 1], self.v):
            end -= 1
        if end > 0 and tokens[end - 1].low in ("and", "but"):
            return next((e.claimant for e in reversed(events) if e.claimant is not None), None)
        if end > 1 and tokens[end - 1].low in ("who", "which") and tokens[end - 2].text == ",":
            start = self._clause_start(tokens, end - 2, cues)  # "according to Budanov, who said"
            stop = end - 2
            if tokens[end - 1].low == "which":
                lo = self._clause_start(tokens, end - 2, [])  # cue nouns stay in the phrase
                start, stop = self._last_noun_phrase(tokens, lo, end - 2)
            return self.subject(tokens, start, stop, mentions, offset) if start < stop else None
        start = self._clause_start(tokens, end, cues)
        if tokens[k].low.endswith("ing"):
            start = self._name_start(
                tokens, start, end
            )  # "with the Ministry of Defence confirming"
        if start < end:
            found = self.subject(tokens, start, end, mentions, offset)
            unnamed = found == "anon" or (
                isinstance(found, Claimant) and found.entity_type == "role"
            )
            if unnamed and tokens[k].low in ("told", "tell", "tells"):
                return self._told(tokens, k + length, mentions, offset) or found
            return found
        found = self._earlier_segment(tokens, end, cues, mentions, offset)
        if found is not None:
            return found
        after = self._after_verb(tokens, k + length)
        if after is not None:
            return self.subject(tokens, after[0], after[1], mentions, offset)  # '..., said X'
        return None

    def _told(
        self, tokens: list[Token], j: int, mentions: list[Mention], offset: int
    ) -> Claimant | None:
        """ "People familiar with the matter told the paper that ...": unnamed people relayed
        by the outlet they told, which becomes the claimant."""
        b = j
        while (
            b < len(tokens) and b - j < 8 and tokens[b].kind != "punct" and tokens[b].low != "that"
        ):
            b += 1
        if b == j:
            return None
        unnamed = self.np_words
        found = self.subject(tokens, j, b, mentions, offset)
        if isinstance(found, Claimant):
            self.ante.relayed(offset + tokens[j].start, unnamed, found)
            return found
        return None

    def _clause_start(self, tokens: list[Token], end: int, cues: list[Cue]) -> int:
        """First token of the noun phrase that ends at ``end``: after a clause break, a
        quotation mark, a word that opens a clause or another reporting cue."""
        taken = {
            x
            for ck, cl, kind in cues
            if not kind.startswith(("anaphor", "anonymous", "after_weak"))
            for x in range(ck, ck + cl)
        }
        start = end
        while start > 0 and end - start < 16:
            t = tokens[start - 1]
            if start < len(tokens) and "\n" in self.sentence[t.end : tokens[start].start]:
                break  # a line break: "First panel" above "Dr Anna Kowal said"
            if t.text == ")":
                opening = next(
                    (x for x in range(start - 2, max(-1, start - 8), -1) if tokens[x].text == "("),
                    None,
                )
                if opening is not None:  # "the Institute (RUSI) said": a gloss inside the name
                    start = opening
                    continue
            if (
                t.low in ("that", "this")
                and 0 < end - start <= 2
                and self._description_noun(tokens[end - 1].low)
            ):
                start -= 1  # "that institute put": a determiner, not a new clause
                continue
            if (
                t.text in ("'", "’")
                and start >= 2
                and tokens[start - 2].end == t.start
                and tokens[start - 2].low.endswith("s")
            ):
                start -= 1  # "the railway workers' network": a possessive, not a quotation mark
                continue
            if (
                t.text in CLAUSE_BREAK
                or t.text in QUOTES
                or t.text in "*_•!?-"
                or (t.text == "." and not self._abbreviation_dot(tokens, start - 1))
                or t.low in self.v.clause_openers
                or start - 1 in taken
            ):
                break
            start -= 1
        return start

    @staticmethod
    def _last_noun_phrase(tokens: list[Token], start: int, end: int) -> tuple[int, int]:
        """ "X sits at the top of an earlier NIS assessment, which put ...": the relative
        pronoun stands for the noun phrase right before the comma, after its preposition;
        a preposition inside a name ("Chiefs of Staff") is passed, and a place after the
        name ("the Joint Chiefs of Staff in Seoul, which said") is cut off."""
        k, stop = end, end
        while k > start:
            t = tokens[k - 1]
            if t.low in _PREPOSITIONS:
                inside = k - 1 > start and k < end and tokens[k - 2].text[:1].isupper()
                if not (inside and tokens[k].text[:1].isupper()):
                    break
                if t.low in ("in", "at", "from"):
                    stop = k - 1
            k -= 1
        return (k, stop) if k < stop else (start, end)

    @staticmethod
    def _name_start(tokens: list[Token], start: int, end: int) -> int:
        """The name right before a participle: capitalised words, "of", "the"."""
        k = end
        while k > start and (
            tokens[k - 1].text[:1].isupper() or tokens[k - 1].low in ("of", "the", "'s", "for")
        ):
            k -= 1
        return k if k < end else start

    def _description_noun(self, low: str) -> bool:
        v = self.v
        return low in v.org_nouns or low in v.report_nouns or low in v.person_nouns

    def _abbreviation_dot(self, tokens: list[Token], k: int) -> bool:
        """A full stop inside a sentence that closes an abbreviation ("Oct.", "U.S.")."""
        prev = tokens[k - 1] if k > 0 else None
        return (
            prev is not None
            and prev.end == tokens[k].start
            and (prev.low in self.v.abbreviations or (len(prev.text) == 1 and prev.text.isupper()))
        )

    def _after_verb(self, tokens: list[Token], j: int) -> tuple[int, int] | None:
        """'"...," said Jane Roe on Monday': the subject right after the verb."""
        if j >= len(tokens):
            return None
        first = tokens[j]
        if not (first.text[:1].isupper() or first.low in ("the", "a", "an")):
            return None
        end = j
        while end < len(tokens) and end - j < 8:
            t = tokens[end]
            if t.kind == "punct" or t.low in _AFTER_VERB_STOP:
                break
            if t.low in self.v.auxiliaries or (t.text.islower() and t.low.endswith("ed")):
                return None  # "said the North had shipped": the reported clause, not "said X"
            end += 1
        return (j, end) if end > j else None

    def _earlier_segment(
        self, tokens: list[Token], end: int, cues: list[Cue], mentions: list[Mention], offset: int
    ) -> Found:
        """'The NIS, which briefed lawmakers, said', 'Lim, an analyst at the Institute, said',
        'The Daily Planet, citing Finnish officials, reported': the subject is the first
        comma segment of the clause that names someone, a person's name first."""
        segments = self._comma_segments(tokens, end)
        if not segments:
            return None
        found: list[Found] = []
        for a, b in segments:
            opener = tokens[a].low
            participle = tokens[a].text.islower() and (
                opener.endswith(("ed", "ing")) or (a + 1 < b and tokens[a + 1].low == "by")
            )  # "written by X", "run by X": an aside about the subject
            if (
                opener in self.v.clause_openers
                or participle
                or (opener in self.v.aside_openers and a > segments[0][0])
                or any(ck == a and kind == "chain" for ck, _l, kind in cues)
            ):
                continue  # a relative clause, "submitted to ...", "citing ...", "at a talk with"
            read = self.subject(tokens, a, b, mentions, offset)
            described = opener in _DETERMINERS or tokens[a].text.islower()
            if isinstance(read, Claimant) and looks_like_person(read, self.v):
                if not described:
                    return read
                found.insert(0, read)  # "the spokesman, Jan Novak, said": the name apposed
            elif read is not None:
                found.append(read)
        named = [f for f in found if isinstance(f, Claimant) and looks_like_person(f, self.v)]
        return (named or found or [None])[0]

    def _comma_segments(self, tokens: list[Token], end: int) -> list[tuple[int, int]]:
        """Comma segments before token ``end`` (which follows a comma), left to right: the
        bracketed ones and the one they bracket ("X, the Y, said")."""
        if end < 2 or tokens[end - 1].text != ",":
            return []
        out: list[tuple[int, int]] = []
        b = end - 1
        while b > 0 and len(out) < 4:
            a = b
            while (
                a > 0
                and b - a < 24
                and tokens[a - 1].text not in CLAUSE_BREAK
                and tokens[a - 1].text not in QUOTES
            ):
                a -= 1
            if a < b:
                out.insert(0, (a, b))
            if a == 0 or tokens[a - 1].text != ",":
                break
            b = a - 1
        if len(out) < 2:
            return []  # not a bracketed clause: "Russia sent 900 troops, said X"
        start = self._clause_start(tokens, out[0][1], [])
        out[0] = (max(out[0][0], start), out[0][1])
        return out

    # -- what the subject names ---------------------------------------------------------------
    def subject(
        self, tokens: list[Token], a: int, b: int, mentions: list[Mention], offset: int
    ) -> Found:
        """The claimant a noun phrase names ("A Naumann Foundation study published in May":
        the phrase ends before its participle or preposition)."""
        if a >= b:
            return None
        return self._subject(tokens, a, b, mentions, offset)

    def _subject(
        self, tokens: list[Token], a: int, b: int, mentions: list[Mention], offset: int
    ) -> Found:
        if b - a == 1:  # the common short cases: "he said", "Kyiv said"
            t = tokens[a]
            self.np_words = frozenset((t.low,))
            if t.low in PRONOUNS:
                return self._pronoun(t.low, offset + t.start)
            one = [m for m in mentions if m.start == t.start and m.end == t.end]
            if one:
                return claimant_of(one[0])
        span = tokens[a:b]
        while len(span) > 1 and span[0].kind == "punct":
            span = span[1:]  # "- The government's list shows": a list marker
        if any(t.text in "()." for t in span):
            span = merge_acronyms([t for t in span if t.text not in "()"])
        while len(span) > 1 and span[0].low in self.v.np_leaders:
            span = span[1:]  # "By the group's count", "In its assessment"
        span = self._after_time_phrase(span)
        owner = max(
            (x for x, t in enumerate(span[:-1]) if t.low.endswith(("'s", "’s"))), default=None
        )
        v = self.v
        if owner is not None and all(t.low in v.report_modifiers for t in span[owner + 1 :]):
            # "the defence ministry's own year-end figure": the owner is the claimant
            last = span[owner]
            span = [
                *span[:owner],
                Token(last.text[:-2], last.start, last.end - 2, last.low[:-2], last.kind),
            ]
        if len(span) > 2:
            agent = self._agent(span)
            if agent is not None:
                span = agent
            span = self._person_of(span)
        cut = next(
            (
                x
                for x in range(1, len(span))
                if span[x].low in self.v.np_enders
                or (span[x].low in ("for", "to") and span[x - 1].text.islower())
            ),
            len(span),
        )
        span = span[:cut]
        if not span:
            return None
        self.np_words = frozenset(t.low for t in span if t.kind == "word")
        s0, s1 = span[0].start, span[-1].end
        inside = [m for m in mentions if s0 <= m.start and m.end <= s1]
        words = [t.low for t in span if t.kind == "word"]
        if len(words) == 1 and words[0] in PRONOUNS:
            return self._pronoun(words[0], offset + s0)
        if inside and inside[-1].end == s1:
            return claimant_of(inside[-1])  # a known name is the head: "South Korea's spy agency"
        named = self._written_name(span, inside, offset)
        if named is not None:
            return named
        if inside:
            return claimant_of(inside[-1])  # "South Korea's Joint Chiefs of Staff": the head
        return self._description(span, offset + s0)

    def _after_time_phrase(self, span: list[Token]) -> list[Token]:
        """ "Earlier this year Reuters", "Late last year Sky News", "On 21 May the agency":
        a time phrase that opens the clause is not part of its subject."""
        v = self.v
        if len(span) > 1 and span[0].low in v.time_adverbs and span[1].text != "'s":
            span = span[1:]
        cut = 0
        for x, t in enumerate(span[:5]):
            if t.low in v.time_nouns and x + 1 < len(span):
                cut = x + 1
            elif not (t.low in v.time_leaders or t.kind == "number" or t.text == ","):
                break
        return span[cut:] if cut else span

    def _person_of(self, span: list[Token]) -> list[Token]:
        """ "Mark Hale of the Harbour Study Group": the person, not the body he belongs to."""
        for x in range(2, min(len(span) - 1, 6)):
            if span[x].low in ("of", "at", "from", "with"):
                left = [t for t in span[:x] if t.text != "."]  # "Prof. Jan Berg"
                name = Claimant(" ".join(t.text for t in left))
                if all(is_name_word(t.text) and t.text not in self.v.not_names for t in left) and (
                    looks_like_person(name, self.v)
                ):
                    return left
                break
        return span

    def _agent(self, span: list[Token]) -> list[Token] | None:
        """ "imagery reviewed by X", "analysts at X", "a spokesman for X", "data from X": the
        body after the preposition is the claimant."""
        v = self.v
        for x in range(1, len(span) - 1):
            if span[x].low not in ("by", "at", "for", "from", "of", "with"):
                continue
            prev = span[x - 1]
            generic = (
                prev.low in v.person_nouns
                or prev.low in v.unnamed_people
                or prev.low in v.report_nouns
            ) and (
                prev.text.islower() or x == 1
            )  # not "the Institute for the Study of ...": a name
            participle = any(
                t.text.islower() and t.low.endswith(("ed", "en")) for t in span[max(0, x - 3) : x]
            ) and (span[x - 1].text.islower() or span[x - 1].low in v.time_nouns)
            # "imagery reviewed by X", "a study published in May by X"
            if (generic and span[x].low != "by") or (participle and span[x].low in ("by", "from")):
                rest = span[x + 1 :]
                definite = rest[0].low in ("the", "that", "this") and rest[-1].low in v.org_nouns
                if definite or any(t.text[:1].isupper() for t in rest):
                    return rest
        return None

    def _written_name(self, span: list[Token], inside: list[Mention], offset: int) -> Found:
        """Capitalised words after the last known name ("Czech Foreign Minister Jan Novak",
        "Lee said"), or an owner with a lower-case body ("Finland's defence ministry")."""
        if (
            len(span) > 1
            and span[-1].low in self.v.report_nouns
            and span[-1].text.islower()
            and (
                span[-1].low not in self.v.body_heads  # "Estonian defence intelligence" is a body
            )
        ):
            if len(span) == 2 and span[0].start == 0 and not span[0].text.isupper() and not inside:
                return None  # "Satellite images show": a capital that only opens the sentence
            span = span[:-1]  # "a Naumann Foundation study", "the U.S. assessments"
        body = lowercase_body(span, self.v)
        head = span[: len(span) - len(body)] if body else span
        name_toks: list[Token] = []
        for x in range(len(head) - 1, -1, -1):
            t = head[x]
            if (
                name_toks
                and x > 0
                and t.text in ("'", "’")
                and head[x - 1].end == t.start
                and (head[x - 1].low.endswith("s") and is_name_word(head[x - 1].text))
            ):
                continue  # "the Port Workers' Union": a plural possessive inside the name
            if (
                name_toks
                and x + 1 < len(head)
                and head[x + 1].text in ("'", "’")
                and head[x + 1] is not name_toks[0]
            ):
                t = Token(t.text + head[x + 1].text, t.start, head[x + 1].end, t.low + "'", t.kind)
            inner = (
                name_toks
                and x > 0
                and (
                    (t.low in self.v.name_links and is_name_word(head[x - 1].text))
                    or (t.low == "the" and head[x - 1].low in self.v.name_links)
                )
            )  # "Institute for the Study"
            if (is_name_word(t.text) and t.text not in self.v.not_names) or inner:
                name_toks.insert(0, t)  # "Ministry of Defence": "of" inside a name
            else:
                break
        if body and name_toks:
            # "Norway's defence ministry", "Finnish military intelligence": the owner and body
            owner = next((m for m in inside if m.start <= name_toks[0].start < m.end), None)
            first = owner.start if owner is not None else name_toks[0].start
            return Claimant(tidy_name(self.sentence[first : body[-1].end]))
        last = inside[-1].end if inside else -1
        name_toks = [t for t in name_toks if t.start >= last]
        if body or not name_toks:
            return None
        names = strip_titles([t.text for t in name_toks], self.v)
        if len(names) >= 2:
            return Claimant(tidy_name(" ".join(names)))
        if (
            len(names) == 1
            and len(name_toks) == 1
            and not self._description_noun(name_toks[0].low)
            and (name_toks[0].low not in self.v.body_heads)
        ):
            found = full_name(self.text, names[0], offset + name_toks[0].start, self.v)
            if found is not None:
                return Claimant(found, "person")
            word = name_toks[0]
            common = (
                word.low in self.v.unnamed_people
                or word.low in self.v.person_nouns
                or word.low in self.v.org_nouns
                or word.low in self.v.report_nouns
            )
            alone = all(not is_name_word(t.text) or t.text in self.v.not_names for t in span[:-1])
            if (
                not inside
                and span[-1] is word
                and alone
                and len(word.text) > 1
                and not common
                and (word.start > 0 or word.text.isupper() or self._capital_inside(word.text))
            ):
                return Claimant(names[0])  # "RAR said", "this week The Telegraph reported"
        return None

    def _capital_inside(self, word: str) -> bool:
        """The word is capitalised somewhere inside a sentence of the document, so a name
        ("Radar data show" opens a sentence with a common word)."""
        return re.search(r"[\w,;:] " + re.escape(word) + r"\b", self.text) is not None
