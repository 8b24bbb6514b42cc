"""Stage 3a: the counted noun of a number: the window after it, the clause before it,
modifiers that refine the metric (loss verbs, "more", "a day")."""

from __future__ import annotations

import re

from transforms.claims.lexicon import Vocab, contains_seq, match_at
from transforms.claims.model import LOSS_METRICS
from transforms.claims.tokens import QUOTES, Token, clause_bounds
from transforms.rules import ExtractionRules

_CALIBRE = re.compile(
    r"\d+(?:\.\d+)?(?:mm|cm|-mm|-inch|-in|in|-millimet(?:re|er)|-calibre|-caliber)"
)  # "152mm", "122-millimetre", "155-calibre"
# (metric or None, end of the noun, no noun was named, inline modifier words)
Window = tuple[str | None, int | None, bool, set[str]]


def is_measure_next(tokens: list[Token], j: int, rules: ExtractionRules) -> bool:
    """A measure unit ("mm", "km", "years") right at token j."""
    return j < len(tokens) and tokens[j].low in rules.measures


class NounWindow:
    """Where the counted noun of a number phrase is, in one tokenised sentence."""

    t: list[Token]
    r: ExtractionRules
    v: Vocab
    n: int
    _skip: set[int]  # phrase starts a ratio consumed (the class this mixes into keeps them)

    def _forward(self, j: int) -> Window:
        """Counted noun after the number -> (metric, noun end, bare, inline modifiers)."""
        r, t = self.r, self.t
        k = j
        steps = 0
        inline: set[str] = set()
        # Still "bare" after words like "more" ("1,000 more may follow"): no noun was named.
        only_skips = True
        while k < self.n and steps < 8:
            hit = match_at(t, k, r.forward_keywords)
            if hit is not None:
                person = self._person_after_adjective(hit, k)
                if person is not None:
                    inline.add(t[k].low)  # "two wounded soldiers": the loss word is a modifier
                    return "troops_deployed", person, False, inline
                if self._model_of_another_noun(k, k + hit[1]):
                    return None, None, False, inline  # "10 new Archer barrels": barrels
                self._skip.update(
                    x for x in range(k, k + hit[1]) if t[x].kind == "num"
                )  # "RCH 155"
                return hit[0], k + hit[1], False, inline
            hit = match_at(t, k, r.person_keywords)
            if hit is not None:
                return "person", k + hit[1], False, inline
            tok = t[k]
            if tok.text in QUOTES:
                k += 1
                continue
            if tok.kind == "punct" or tok.kind == "sym":
                return None, None, only_skips, inline
            if tok.kind == "num":
                skip = self._number_in_window(j, k)
                if skip is None:
                    return None, None, False, inline
                only_skips = False
                k += skip
                steps += 1
                continue
            step = self._word_in_window(j, k, inline)
            if step == "stop":
                return None, None, False, inline
            if step == "bare":
                return None, None, only_skips, inline
            if step == "skip":
                only_skips = only_skips and tok.low in self.v.bare_extenders
                inline.add(tok.low)
            k += 1
            steps += 1
        return None, None, k >= self.n and only_skips, inline

    def _model_of_another_noun(self, k: int, end: int) -> bool:
        """A capitalised model name followed by a plain noun names that noun's kind
        ("Archer barrels", "HIMARS ammunition"), not the system itself."""
        t = self.t
        if not t[k].text[:1].isupper() or end >= self.n:
            return False
        last = t[end - 1].low
        if last.endswith("s") and (last[:-1],) in self.r.forward_keywords:
            return False  # "10 Koksans west": a plural model name counts the systems
        nxt = t[end]
        return (
            nxt.kind == "word"
            and nxt.text.islower()
            and not nxt.low.endswith(("ed", "ing"))
            and self.r.window_roles.get(nxt.low) is None
            and match_at(t, end, self.r.forward_keywords) is None
            and nxt.low not in self.v.bare_extenders
        )

    def _person_after_adjective(self, hit: tuple[str, int], k: int) -> int | None:
        """End of the soldiers noun after a loss word used as an adjective ("two wounded North
        Korean soldiers"), None when the loss word is itself the counted noun."""
        if hit[1] != 1 or hit[0] not in LOSS_METRICS:
            return None
        t, r = self.t, self.r
        for m in range(k + 1, min(k + 5, self.n)):
            found = match_at(t, m, r.forward_keywords)
            if found is not None:
                return m + found[1] if found[0] == "troops_deployed" else None
            tok = t[m]
            if not (
                tok.text[0].isupper()
                or tok.low in r.demonym_iso
                or r.window_roles.get(tok.low) == "skip"
            ):
                return None
        return None

    def _number_in_window(self, j: int, k: int) -> int | None:
        """Tokens to skip for a number between the figure and its noun (a designation, a
        calibre, the whole of "8,000 of the 10,000 soldiers"), None when it ends the window."""
        t = self.t
        tok = t[k]
        if k > j and t[k - 1].kind == "word" and t[k - 1].end == tok.start:
            return 1  # model designation such as "M1989" between number and noun
        if is_measure_next(t, k + 1, self.r):
            return 2  # calibre such as "152 mm" between number and noun
        if _CALIBRE.fullmatch(tok.low):
            return 1
        p = k - 1
        while p > j and (t[p].low,) in self.r.hedges_before:
            p -= 1  # "4,000 of the roughly 11,000 soldiers"
        if (
            p >= 1
            and t[p].low in ("of", "the")
            and any(x.low == "of" for x in t[max(j, p - 1) : p + 1])
        ):
            return 1  # "8,000 of the 10,000 soldiers": take the noun of the whole
        if k > j and t[k - 1].kind == "word" and t[k - 1].text[:1].isupper():
            self._skip.add(k)  # "12 Panzerhaubitze 2000 howitzers": a model number, not a figure
            return 1
        return None

    def _word_in_window(self, j: int, k: int, inline: set[str]) -> str:
        """What a word between the figure and its noun does: "skip" (a modifier), "pass"
        (a calibre conjunction), "bare" (the window ends without a noun), "stop"."""
        t = self.t
        tok = t[k]
        role = self.r.window_roles.get(tok.low)
        if tok.low in ("and", "or") and k > j and self._calibre_at(k + 1):
            return "pass"  # "152 mm and 122 mm shells": two calibres of one noun
        if tok.low in self.v.rate_first and k + 1 < self.n and t[k + 1].low in self.v.rate_units:
            return "bare"  # "10,000 a day": still no noun
        if role == "function":
            return "bare"
        if (tok.low,) in self.r.hedges_before and k > j and t[k - 1].low in ("the", "of"):
            return "pass"  # "900 of the roughly 5,000 soldiers"
        if (
            role == "skip"
            or "-" in tok.text
            or tok.text[0].isupper()
            or tok.low in self.r.demonym_iso
        ):
            return "skip"
        return "stop"

    def _calibre_at(self, k: int) -> bool:
        t = self.t
        if k >= self.n or t[k].kind != "num":
            return False
        return is_measure_next(t, k + 1, self.r) or bool(_CALIBRE.fullmatch(t[k].low))

    def _backward(self, i: int) -> str | None:
        """Metric noun earlier in the clause ("the number of wounded was put at 1,000")."""
        r, t = self.r, self.t
        lo, _ = clause_bounds(t, i, i)
        if lo >= 2 and t[lo].low in self.v.appositive_participles and t[lo - 1].text == ",":
            lo, _ = clause_bounds(t, lo - 1, lo - 1)  # "the troop dispatch, put at about 6,500"
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
        _, hi = clause_bounds(t, noun_end, noun_end)
        hi = self._next_figure(noun_end, min(hi, noun_end + 16), mods)
        after = [x.low for x in t[noun_end:hi]]
        before = [x.low for x in t[max(0, start - 4) : start]]
        for cue, dst, pos in mods:
            if pos == "next" and tuple(after[: len(cue)]) == cue:
                return dst  # "300 killed and wounded": right after the noun
        for place, words in (("after", after), ("before", before)):
            for cue, dst, pos in mods:  # what follows the noun beats what precedes the number
                if pos == place and contains_seq(words, cue):
                    return dst
        for cue, dst, pos in mods:  # words inside the noun phrase ("more", "wounded") last
            if pos == "inline" and cue[0] in inline:
                return dst
        return metric

    def _next_figure(self, j: int, hi: int, mods: list) -> int:
        """End of the words after a noun that may refine it: up to the next figure and the
        words that belong to it ("killed 21 soldiers and wounded 40": not "wounded")."""
        t, words = self.t, self.r.number_word_values
        k = next(
            (
                x
                for x in range(j, hi)
                if t[x].kind == "num" or (t[x].low in words and t[x].low not in ("a", "an"))
            ),
            hi,
        )
        if k == hi:
            return hi
        while k > j and (t[k - 1].low,) in self.r.hedges_before:
            k -= 1
        if k > j and t[k - 1].low in {cue[0] for cue, _dst, pos in mods if pos == "before"}:
            k -= 1  # "... and wounded 40": the verb of the next figure
        return k

    def _rate_next(self, j: int) -> bool:
        """'a day', 'per day' right after token j."""
        t, v = self.t, self.v
        return (j + 1 < self.n and t[j].low in v.rate_first and t[j + 1].low in v.rate_units) or (
            j < self.n and t[j].low in v.rate_adverbs
        )

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
                hit = match_at(t, k, table)
                if hit is not None and hit[0] != "-" and k + hit[1] <= colon:
                    return hit[0]
        return None

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
            if t[k].kind == "num" and self._calibre_at(k):
                k += (
                    1 if _CALIBRE.fullmatch(t[k].low) else 2
                )  # "60 percent of the 122 mm and 152 mm ammunition"
                continue
            if t[k].kind != "word" or (
                t[k].low not in self.v.share_determiners
                and t[k].low not in ("and", "or")
                and not t[k].text[0].isupper()
                and not t[k].low.endswith(("'s", "’s"))
                and r.window_roles.get(t[k].low) != "skip"
            ):
                return None
            k += 1
        return None
