"""Stage 3b: sums of money, shares of ammunition and weights of munitions."""

from __future__ import annotations

from collections.abc import Callable

from transforms.claims.lexicon import Vocab, has_phrase, lows_of
from transforms.claims.model import Draft, SentenceContext
from transforms.claims.numerals import NumberPhrase, bounds_for
from transforms.claims.tokens import Token, clause_bounds
from transforms.rules import ExtractionRules


class MoneyAndShares:
    """Money, share and weight decisions for the number phrases of one sentence."""

    t: list[Token]
    r: ExtractionRules
    v: Vocab
    n: int
    ctx: SentenceContext
    _share_noun: Callable[[int], int | None]  # from NounWindow

    def _span(self, a: int, b: int) -> tuple[int, int]:
        return self.t[a].start, self.t[b - 1].end

    def _share(self, ph: NumberPhrase, previous: list[Draft]) -> Draft | None:
        """ "40% of the shells" -> share of artillery ammunition; also a bare percentage that
        goes on about a share just given, and "the rounds accounted for 70% of ..."."""
        end = self._share_noun(ph.end_tok)
        if end is None and self._share_continues(ph, previous):
            end = ph.end_tok
        if end is None or ph.value > 100:
            return None
        start, stop = self._span(ph.start_tok, end)
        return Draft(
            "share_of_artillery_ammo",
            ph.low,
            ph.high,
            "percent",
            ph.qualifier,
            start,
            stop,
            self.t[ph.core_tok].start,
        )

    def _share_continues(self, ph: NumberPhrase, previous: list[Draft]) -> bool:
        """ "up from about 15% in the first quarter", "reaching 90% on parts of the front",
        "Under 20 percent." after a share, or a share predicate after munitions ("North
        Korean rounds accounted for nearly 70% of the fragments")."""
        t, share = self.t, "share_of_artillery_ammo"
        j = ph.end_tok
        if j < self.n and t[j].low == "of":
            said = any(_ends_with(t, ph.start_tok, p) for p in self.v.share_predicates)
            return said and has_phrase(t, 0, ph.start_tok, self.v.munition_nouns)
        if ph.start_tok > 0 and t[ph.start_tok - 1].low == "of":
            return False  # "a dud rate of 20 percent": another measure
        if previous and previous[-1].metric == share:
            return True
        if self.ctx.answer_topic == share:
            return True
        # the sentence before in the paragraph, or a short answer ("Under 20 percent.")
        return self.ctx.recent_metric == share and (self.ctx.prev_in_para or self.n <= 6)

    def _fractions(self, covered: set[int]) -> list[Draft]:
        """'half of all the shells Russia fires' -> share of artillery ammunition."""
        r, t = self.r, self.t
        out: list[Draft] = []
        if self.v.fraction_words.isdisjoint(lows_of(t)[2]):
            return out
        for k, tok in enumerate(t):
            entry = r.number_word_values.get(tok.low)
            if entry is None or entry[1] != "fraction" or k in covered:
                continue
            end = self._share_noun(k + 1)
            if end is None:
                continue
            first = k - 1 if k > 0 and t[k - 1].low in ("a", "one") else k
            qual, start = self._hedge_for(first)
            low, high = bounds_for(entry[0], qual)
            s, e = self._span(start, end)
            out.append(
                Draft(
                    "share_of_artillery_ammo",
                    low,
                    high,
                    "percent",
                    qual or "exact",
                    s,
                    e,
                    tok.start,
                )
            )
        return out

    def _hedge_for(self, i: int) -> tuple[str | None, int]:
        t = self.t
        for length in (3, 2, 1):
            k = i - length
            if k < 0:
                continue
            hit = self.r.hedges_before.get(tuple(x.low for x in t[k:i]))
            if hit is not None and hit[0] != "none":
                return hit[0], k
        return None, i

    def _money(self, ph: NumberPhrase) -> Draft | None:
        """A sum counts when its clause names supply or pay, or the sentence is about the
        war and no macro-economic word shares its clause."""
        r, t = self.r, self.t
        lo, hi = self._money_clause(ph.start_tok, ph.end_tok)
        pos = r.cue_sets.get("money_positive", set())
        weak = r.cue_sets.get("money_weak", set())
        neg = r.cue_sets.get("money_negative", set())
        if self._unit_price(ph, lo, hi):
            return None  # "about $3,000 apiece", "a shell could sell for $800": a price
        # Supply words in the clause keep the sum; macro words there drop it (even next to a
        # bare "war": "exports before the war"); otherwise the sentence as a whole must be
        # about the war or the supply relationship.
        context = has_phrase(t, 0, self.n, pos | weak) or (
            not has_phrase(t, 0, self.n, neg) and self._paragraph_about_money(pos | weak)
        )
        if not has_phrase(t, lo, hi, pos) and (has_phrase(t, lo, hi, neg) or not context):
            return None
        if lo > 0 and t[lo].low == "which" and has_phrase(t, max(0, lo - 5), lo, neg):
            return None  # "the annual output, which the bank estimates at $23.7bn": its size
        start, stop = self._span(ph.start_tok, ph.end_tok)
        return Draft(
            "money",
            ph.low,
            ph.high,
            ph.currency or "",
            ph.qualifier,
            start,
            stop,
            t[ph.core_tok].start,
        )

    def _unit_price(self, ph: NumberPhrase, lo: int, hi: int) -> bool:
        """A price word next to the sum, with no other figure between them (so "$8,000 per
        round under a $2 billion contract" keeps the contract)."""
        t, cues = self.t, self.r.cue_sets.get("unit_price", set())
        a = ph.start_tok
        while a > lo and ph.start_tok - a < 7 and t[a - 1].kind != "num":
            a -= 1
        if a > lo and t[a - 1].kind == "num":
            a = min(a + 2, ph.start_tok)  # "per round" right after another figure is its price
        b = ph.end_tok
        while b < hi and b - ph.end_tok < 3 and t[b].kind != "num":
            b += 1
        return has_phrase(t, a, b, cues)

    def _paragraph_about_money(self, cues: set) -> bool:
        """The sentence before, in the same paragraph, names the aid or the spending ("On the
        institute's numbers, donors allocated ... So far in 2025 the total is only ...")."""
        ctx = self.ctx
        if not ctx.prev_in_para or ctx.prev_tokens is None:
            return False
        prev = ctx.prev_tokens()
        return has_phrase(prev, 0, len(prev), cues)

    def _money_clause(self, i: int, j: int) -> tuple[int, int]:
        """Comma clause around a sum; a bracketed conversion belongs to the outer clause."""
        t = self.t
        if any(x.text == "(" for x in t[max(0, i - 3) : i]):
            k = i
            while k > 0 and t[k].text != "(":
                k -= 1
            return clause_bounds(t, k, k)
        return clause_bounds(t, i, j)

    def _munition_weight(self, noun_end: int | None) -> bool:
        """'260,000 metric tons' counts munitions only when the sentence is about munitions and
        the unit does not weigh something else ('tons of rice')."""
        t = self.t
        if noun_end is None:
            return True
        if any(x.low == "of" for x in t[max(0, noun_end - 3) : noun_end]):
            return True  # the keyword itself named the cargo ("tonnes of munitions")
        if noun_end < self.n and t[noun_end].low == "of":
            return False
        # the sentence names munitions, or the document already weighed them ("That works
        # out at 10,000 tons a month" after "130,000 tons of ammunition")
        return has_phrase(t, 0, self.n, self.v.munition_nouns) or self.ctx.munitions_weighed


def _ends_with(t: list[Token], k: int, phrase: tuple[str, ...]) -> bool:
    """The phrase ends right before token k, perhaps with a hedge between ("made up an
    estimated", "accounted for nearly")."""
    for gap in range(0, 3):
        a = k - gap - len(phrase)
        if a >= 0 and tuple(x.low for x in t[a : a + len(phrase)]) == phrase:
            return True
    return False
