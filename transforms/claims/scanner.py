"""Stage 2b: number phrases of a sentence: hedges, currencies, percentages, ranges, dates."""

from __future__ import annotations

import re
from collections.abc import Iterable

from transforms.claims.numerals import NumberPhrase, bounds_for, word_kind
from transforms.claims.reader import NumeralReader
from transforms.claims.tokens import Token, glued
from transforms.rules import ExtractionRules

_SUFFIXES: dict[int, tuple[ExtractionRules, list, frozenset[str] | None]] = {}


def _suffixes(rules: ExtractionRules) -> tuple[list, frozenset[str] | None]:
    """Currency suffixes longest first, and their first words (None if one is empty)."""
    cached = _SUFFIXES.get(id(rules))
    if cached is None or cached[0] is not rules:
        ordered = sorted(rules.currency_suffix.items(), key=lambda kv: -len(kv[0]))
        firsts = None if any(not w for w, _ in ordered) else frozenset(w[0] for w, _ in ordered)
        cached = (rules, ordered, firsts)
        _SUFFIXES[id(rules)] = cached
    return cached[1], cached[2]


def is_gate(token: Token, rules: ExtractionRules) -> bool:
    """Only numerals and (hyphen compounds starting with) number words can start a phrase."""
    return token.kind == "num" or (
        token.kind == "word" and token.low.split("-", 1)[0] in rules.number_word_values
    )


class PhraseScanner(NumeralReader):
    """Finds number phrases in one tokenised sentence."""

    # -- context -----------------------------------------------------------------------
    def currency_before(self, i: int) -> tuple[str | None, int]:
        """Currency written before token i ("$", "US$", "USD ") -> (ISO code, start index)."""
        t, pre = self.t, self.r.currency_prefix
        if i >= 2 and glued(t[i - 2], t[i - 1]) and (t[i - 2].low + t[i - 1].low) in pre:
            return pre[t[i - 2].low + t[i - 1].low], i - 2
        if i >= 1 and t[i - 1].low in pre:
            if t[i - 1].kind == "word" and t[i - 1].text != t[i - 1].text.upper():
                return None, i  # only upper-case ISO codes work as prefixes ("USD 5m")
            return pre[t[i - 1].low], i - 1
        return None, i

    def currency_after(self, j: int, vague: bool) -> tuple[str | None, int]:
        """Currency word after the numeral ("8 trillion won", "millions of dollars")."""
        t, lows = self.t, self.lows
        k = j + 1 if vague and j < self.n and t[j].low == "of" else j
        ordered, firsts = _suffixes(self.r)
        if firsts is not None and (k >= self.n or t[k].low not in firsts):
            return None, j  # no currency word starts here
        for words, iso in ordered:
            if tuple(lows[k : k + len(words)]) == words:
                if words == (iso.lower(),) and not t[k].text.isupper():
                    continue  # ISO codes only count in capitals ("rub" is a word)
                return iso, k + len(words)
        return None, j

    def percent_after(self, j: int) -> int | None:
        """End of "percent", "per cent", "%" right at token j."""
        lows = self.lows
        for words in self.v.percent:
            if tuple(lows[j : j + len(words)]) == words:
                return j + len(words)
        return None

    def hedge_before(self, i: int) -> tuple[str | None, int, int, bool]:
        """Hedges directly before token i -> (qualifier, priority, first index, saw 'between')."""
        lows = self.lows
        best: tuple[str | None, int] = (None, -1)
        start = i
        between = False
        for _ in range(3):  # "up to approximately", "an estimated ... as much as"
            matched = False
            for length in (3, 2, 1):
                k = start - length
                if k < 0:
                    continue
                words = tuple(lows[k:start])
                if words == ("between",) or words == ("from",):
                    between = between or words == ("between",)
                    start = k
                    matched = True
                    break
                hit = self.r.hedges_before.get(words)
                if hit is not None:
                    if hit[1] > best[1]:
                        best = hit
                    start = k
                    matched = True
                    break
            if not matched:
                break
        qual = None if best[0] == "none" else best[0]
        return qual, best[1], start, between

    def hedge_after(self, j: int) -> tuple[str | None, int, int]:
        """A hedge after the number ("or more", "+") -> (qualifier, priority, end)."""
        lows = self.lows
        for length in (2, 1):
            words = tuple(lows[j : j + length])
            hit = self.r.hedges_after.get(words)
            if hit is not None and len(words) == length:
                return hit[0], hit[1], j + length
        return None, -1, j

    def is_date(self, i: int, j: int) -> bool:
        """A day or year next to a month name ("March 12", "17 February", "Dec. 30")."""
        t, months = self.t, self.r.month_numbers
        k = i - 1
        if k >= 0 and t[k].text == ".":
            k -= 1
        if k >= 0 and t[k].low in months and (t[k].text[0].isupper() or t[k].low != "may"):
            return True
        return bool(j < self.n and t[j].low in months and t[j].text[0].isupper())

    def may_start(self, k: int) -> bool:
        """Whether a phrase can start at token k: a gate, and "a"/"an" only before a scale
        or vague-prefix word (otherwise the grammar rejects it and moves on)."""
        t = self.t
        if not is_gate(t[k], self.r):
            return False
        if t[k].low not in ("a", "an"):
            return True
        return k + 1 < self.n and word_kind(
            self.r, re.split("[-‐]", t[k + 1].low, maxsplit=1)[0]
        ) in ("vague_prefix", "hundred", "dozen", "scale")

    # -- main loop -----------------------------------------------------------------------
    def phrases(self, change: bool, gates: Iterable[int] | None = None) -> list[NumberPhrase]:
        """Number phrases, left to right. ``gates`` lists the token indices where a phrase
        may start (the vectorised finder's); without it every token is tried."""
        out: list[NumberPhrase] = []
        i = 0
        t, r = self.t, self.r
        for g in range(self.n) if gates is None else gates:
            if g < i or not is_gate(t[g], r):
                continue
            i = g
            ph = self._phrase_at(i, change)
            if ph is not None:
                out.append(ph)
                i = ph.end_tok
            elif (
                t[i].kind == "num"
                and i + 2 < self.n
                and t[i + 1].low in self.v.range_or_and
                and t[i + 2].kind == "num"
            ):
                i += 3  # a rejected numeral ("aged 18 to 25", "March 3-5") takes its partner along
            else:
                i += 1
        return out

    def _phrase_at(self, i: int, change: bool) -> NumberPhrase | None:
        vague = self.vague(i) if self.t[i].kind == "word" else None
        if vague is not None:
            value, j = vague
            currency, j2 = self.currency_after(j, vague=True)
            _qual, _prio, start, _ = self.hedge_before(i)
            return NumberPhrase(start, i, j2, value, None, "vague", value, currency=currency)
        currency, cur_start = self.currency_before(i)
        parsed = self.core(i, currency)
        if parsed is None:
            return None
        value, j, _implied, plain, range_low = parsed
        if self.is_date(i, j):
            return None
        if currency is None:
            currency, j = self.currency_after(j, vague=False)
        pct_end = self.percent_after(j)
        percent = pct_end is not None
        if pct_end is not None:
            j = pct_end
        qual, prio, start, between = self.hedge_before(cur_start)
        if range_low is not None:
            return NumberPhrase(start, i, j, range_low, value, "range", value, currency, percent)
        # Ranges: "between A and B", "A to B", "A-B" with a shared scale ("11 to 12,000").
        rng = self._range(j, value, plain, between, change, currency)
        if rng is not None:
            high, low_scaled, j_end, currency2 = rng
            percent = percent or any(x.text == "%" or x.low == "percent" for x in self.t[j:j_end])
            return NumberPhrase(
                start, i, j_end, low_scaled, high, "range", high, currency or currency2, percent
            )
        return self._single(i, j, start, value, (qual, prio), plain, currency, percent)

    def _single(
        self,
        i: int,
        j: int,
        start: int,
        value: float,
        hedge: tuple[str | None, int],
        plain: bool,
        currency: str | None,
        percent: bool,
    ) -> NumberPhrase:
        """One stated value with its hedge, before or after it ("or more"); a bound beats an
        approximator ("some 3,000 or more" is at least 3,000)."""
        qual, prio = hedge
        hedged = qual is not None
        post, post_prio, j_post = self.hedge_after(j)
        if post is not None and (qual is None or post_prio > prio):
            qual, j = post, j_post
        low, high = bounds_for(value, qual)
        year_like = (
            plain and 1900 <= value <= 2100 and not hedged and currency is None and not percent
        )
        return NumberPhrase(
            start, i, j, low, high, qual or "exact", value, currency, percent, year_like, hedged
        )

    def _range(
        self, j: int, low: float, low_plain: bool, between: bool, change: bool, currency: str | None
    ) -> tuple[float, float, int, str | None] | None:
        t = self.t
        if j >= self.n:
            return None
        conn = t[j].low
        if not (conn in self.v.range_words or (conn == "and" and between)):
            return None
        if conn == "to" and change:
            return None  # "doubled from 15,000 to 30,000" is a change, not a range
        k = j + 1
        if k >= self.n:
            return None
        cur2, k2 = self.currency_before(k + 1) if k + 1 < self.n else (None, k)
        if cur2 is not None and k2 == k:
            k += 1
        parsed = self.core(k, currency or cur2)
        if parsed is None:
            return None
        high, end, implied, high_plain, _ = parsed
        if self.is_date(k, end):
            return None
        if low_plain and high_plain and 1900 <= low <= 2100 and 1900 <= high <= 2100:
            return None  # "between 2017 and 2023" is a period
        if implied > 1 and low * implied <= high and low < high / implied * 10:
            low *= implied  # shared scale: "11 to 12,000", "1.5 to 2 million"
        if low >= high:
            return None
        cur3 = None
        if currency is None and cur2 is None:
            cur3, end = self.currency_after(end, vague=False)
        pct_end = self.percent_after(end)
        if pct_end is not None:
            end = pct_end  # "between 60% and 70%": the sign after the upper bound is ours
        return high, low, end, cur2 or cur3
