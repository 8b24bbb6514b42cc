"""Stage 3d: figures whose counted noun is left out ("the 148 it had supplied", "74 of
them", "fell to 23,000", "the figure", "another 631,000 should follow")."""

from __future__ import annotations

from collections.abc import Callable

from transforms.claims.lexicon import Vocab, has_phrase, match_at
from transforms.claims.model import SentenceContext
from transforms.claims.nouns import is_measure_next
from transforms.claims.numerals import NumberPhrase
from transforms.claims.tokens import Token, clause_bounds
from transforms.rules import ExtractionRules

# Metrics that count per unit of time: a bare figure with a rate phrase continues them when
# the unit of time is theirs; over another span it counts the things themselves.
RATE_METRICS = {"artillery_rounds_per_day": ("artillery_shells", frozenset({"day", "daily"}))}


def last_counted(tokens: list[Token], rules: ExtractionRules, people: bool = False) -> str | None:
    """Metric of the last counted noun in ``tokens``; with ``people``, plain people
    ("13,221 North Koreans entered ..., and 7,887 of them") count as "person"."""
    found = None
    tables = (rules.forward_keywords, rules.backward_keywords) + (
        (rules.person_keywords,) if people else ()
    )
    for k in range(len(tokens)):
        for table in tables:
            hit = match_at(tokens, k, table)
            if hit is not None and hit[0] != "-":
                found = "person" if table is rules.person_keywords else hit[0]
                break
    return found


class Elision:
    """The noun of a bare figure, from the sentence and the sentences before it."""

    t: list[Token]
    r: ExtractionRules
    v: Vocab
    n: int
    ctx: SentenceContext
    _label: str | None
    capacities: set[int]
    _rate_next: Callable[[int], bool]  # from NounWindow

    def _running(self, ph: NumberPhrase) -> str | None:
        """A bare figure that moves or follows something ("handed over 524,000", "Another
        631,000 should follow", "a first batch of 50,000 arrived", "about 40,000 a day"):
        the thing last counted in the sentence or the few sentences before it."""
        t = self.t
        if ph.value < 10 or not (self._rate_next(ph.end_tok) or self._moves(ph)):
            return None
        # "deliveries ran at 80,000 a month": thousands of voyages are the things delivered
        metric = self._last_noun(t[: ph.start_tok])
        if metric is None or (metric == "shipments" and ph.value >= 1000):
            metric = self._running_metric()
        if metric is None or metric in ("money", "person"):
            return None
        daily = {x.low for x in t[ph.end_tok : ph.end_tok + 2]} & RATE_METRICS[
            "artillery_rounds_per_day"
        ][1]
        if metric == "artillery_shells" and daily and self._rate_next(ph.end_tok):
            return "artillery_rounds_per_day"  # "got through about 40,000 a day"
        if metric in RATE_METRICS and not daily:
            return RATE_METRICS[metric][0]
        return metric

    def _running_metric(self) -> str | None:
        return self.ctx.running() if self.ctx.running is not None else None

    def _verb_next(self, j: int) -> bool:
        """A verb right after the figure ("50,000 arrived", "631,000 should follow")."""
        if j >= self.n:
            return False
        low = self.t[j].low
        return (
            low in self.v.auxiliaries
            or low in self.v.running_cues
            or self.r.flows.get(low) is not None
        )

    def _capacity(self, ph: NumberPhrase) -> str | None:
        """ "the boxes could have held more than 6 million", "enough for some 3 million":
        what containers could hold counts shells when the text is about munitions."""
        t, k = self.t, ph.start_tok
        if not any(
            tuple(x.low for x in t[k - len(cue) : k]) == cue for cue in self.v.capacity_cues
        ):
            return None
        about = (
            has_phrase(t, 0, self.n, self.v.munition_nouns)
            or any(x.kind == "num" and is_measure_next(t, i + 1, self.r) for i, x in enumerate(t))
            or any(x.low in ("calibre", "caliber") for x in t)
        )
        if about or self._running_metric() in ("containers", "artillery_shells"):
            self.capacities.add(t[ph.core_tok].start)
            return "artillery_shells"
        return None

    def _moves(self, ph: NumberPhrase) -> bool:
        """A supply or arrival verb in the figure's clause, or a word of continuation right
        before it ("another", "a further", "a first batch of")."""
        t = self.t
        lo, hi = clause_bounds(t, ph.start_tok, ph.end_tok)
        movers = self.v.running_cues
        if any(x.low in movers for x in t[max(lo, ph.start_tok - 4) : ph.start_tok]):
            return True
        return any(self.r.flows.get(x.low) is not None or x.low in movers for x in t[lo:hi])

    def _changed_to(self, ph: NumberPhrase) -> bool:
        """ "fell to 20,000", "brought that down to around 23,000": a new value of the figure
        named just before."""
        t = self.t
        k = ph.start_tok - 1
        if k < 1 or t[k].low != "to":
            return False
        lo, _ = clause_bounds(t, k, k)
        change = self.r.cue_sets.get("change_verb", set())
        return any((x.low,) in change or x.low in ("down", "up", "back") for x in t[lo:k])

    def _elided(self, ph: NumberPhrase, bare: bool) -> bool:
        """The counted noun is left out: "74 of them", "of these, roughly 1,000", "the 148
        Pyongyang handed over" (a definite figure with no noun, or a new subject after it)."""
        t, v = self.t, self.v
        j, i = ph.end_tok, ph.start_tok
        if j + 1 < self.n and t[j].low == "of" and t[j + 1].low in v.partitives:
            return True
        d = i - 1
        while d > 0 and t[d].low in v.elided_modifiers:
            d -= 1  # "the first six", "the remaining 40"
        if (
            d >= 0
            and d < i
            and t[d].low in ("the", "those", "these")
            and (bare or self._new_subject(j))
        ):
            return True
        k = i - 1 if i > 0 and t[i - 1].text == "," else i
        return k >= 2 and t[k - 2].low == "of" and t[k - 1].low in v.partitives

    def _new_subject(self, j: int) -> bool:
        """Capitalised words or a pronoun, then a verb after the figure ("the 148 Pyongyang
        already handed over", "the 30 it sent"): a relative clause, so the figure's noun is elided."""
        t = self.t
        k = j
        if k < self.n and t[k].low in self.v.subject_pronouns:
            k += 1  # "the 148 it had supplied", "the 40 they sent"
        else:
            while k < self.n and t[k].kind == "word" and t[k].text[:1].isupper():
                k += 1
        if k == j or k >= self.n:
            return False
        nxt = t[k]
        return (
            nxt.low in self.v.auxiliaries
            or nxt.low in self.v.verb_adverbs
            or nxt.low.endswith("ed")
        )

    def _antecedent(self, ph: NumberPhrase) -> str | None:
        """The noun an elided figure counts: the last counted noun earlier in the sentence,
        else the last figure of the previous sentences, else the last counted noun of the
        previous sentence."""
        found = self._last_noun(self.t[: ph.start_tok], people=True)
        if found is None:
            found = self.ctx.recent_metric
        if found is None and self.ctx.prev_tokens:
            found = self._last_noun(self.ctx.prev_tokens())
        return found

    def _last_noun(self, tokens: list[Token], people: bool = False) -> str | None:
        return last_counted(tokens, self.r, people)

    def _topic(self, ph: NumberPhrase, bare: bool = True) -> str | None:
        """A bare figure whose noun was named before: a fact-box label, the question being
        answered, or 'the figure' / 'the number' standing for the last counted noun."""
        t = self.t
        if self._label is not None and t[0].start <= t[ph.start_tok].start:
            colon = next((k for k, x in enumerate(t[:8]) if x.text == ":"), 0)
            if ph.start_tok > colon and not any(
                x.kind == "num" for x in t[colon + 1 : ph.core_tok]
            ):
                return self._label  # the first figure after the label
        if not bare:
            return None
        if self.ctx.answer_topic is not None and (ph.qualifier != "exact" or self.n <= 8):
            return self.ctx.answer_topic
        if self.ctx.earlier_metric is not None:
            anaphors = self.r.cue_sets.get("anaphor", set())
            dets = self.v.determiners
            for k in range(ph.start_tok - 1, 0, -1):
                if (
                    (t[k].low,) in anaphors
                    and not (k + 1 < self.n and t[k + 1].low == "of")
                    and (t[k - 1].low in dets or (k > 1 and t[k - 2].low in dets))
                ):
                    return self.ctx.earlier_metric
        return None
