"""Stage 3c: which metric each number phrase of a sentence counts (or none)."""

from __future__ import annotations

import re

from transforms.claims.elision import RATE_METRICS, Elision
from transforms.claims.exclusions import NotSupply
from transforms.claims.lexicon import has_phrase, match_at, vocab
from transforms.claims.model import LOSS_METRICS, TROOP_METRICS, Draft, SentenceContext
from transforms.claims.money import MoneyAndShares
from transforms.claims.nouns import NounWindow, is_measure_next
from transforms.claims.numerals import NumberPhrase
from transforms.claims.tokens import CLAUSE_BREAK, Token
from transforms.rules import ExtractionRules

_SMALL = re.compile(r"\d{1,3}")

# Metrics that count carriers (boxes, voyages, wagons): they need a military cargo.
_CARGO_METRICS = frozenset({"containers", "shipments", "rail_cars"})


class SentenceMetrics(NounWindow, MoneyAndShares, Elision, NotSupply):
    """Metric, money and share decisions for the number phrases of one sentence."""

    def __init__(
        self,
        sentence: str,
        tokens: list[Token],
        rules: ExtractionRules,
        prev_troops: bool = False,
        context: SentenceContext | None = None,
    ) -> None:
        self.s = sentence
        self.t = tokens
        self.r = rules
        self.v = vocab(rules)
        self.n = len(tokens)
        self.prev_troops = prev_troops  # the previous sentence of the paragraph was about soldiers
        self.ctx = context or SentenceContext()
        self.capacities: set[int] = set()  # figures that say what containers could hold
        self._skip: set[int] = set()  # phrase starts consumed by a ratio ("one in ten")
        self._troops: bool | None = None
        self._label = self._label_metric()

    def run(self, phrases: list[NumberPhrase], change: bool) -> list[Draft]:
        """Drafts for the sentence's number phrases (read with or without change verbs)."""
        if has_phrase(self.t, 0, self.n, self.r.cue_sets.get("suppress", set())):
            return []
        drafts: list[Draft] = []
        covered: set[int] = set()
        for idx, ph in enumerate(phrases):
            covered.update(range(ph.start_tok, ph.end_tok))
            if (
                ph.start_tok in self._skip
                or ph.core_tok in self._skip
                or self._negated(ph.start_tok)
            ):
                continue
            nxt = phrases[idx + 1] if idx + 1 < len(phrases) else None
            each = self.distributed(ph)
            if each:
                start, stop = self._span(ph.start_tok, ph.end_tok)
                drafts.extend(
                    Draft(
                        m,
                        ph.low,
                        ph.high,
                        self.r.metric_units[m],
                        ph.qualifier,
                        start,
                        stop,
                        self.t[ph.core_tok].start,
                    )
                    for m in each
                )
                continue
            draft = self._claim(ph, drafts, nxt if change else None)
            if draft is not None:
                drafts.append(draft)
        drafts.extend(self._fractions(covered))
        drafts.sort(key=lambda d: d.start)
        return drafts

    def _claim(
        self, ph: NumberPhrase, previous: list[Draft], change_to: NumberPhrase | None = None
    ) -> Draft | None:
        r, t = self.r, self.t
        if is_measure_next(t, ph.end_tok, r) and not ph.currency and not ph.percent:
            return None
        if ph.percent:
            return self._share(ph, previous)
        if ph.currency:
            return self._money(ph)
        metric, noun_end, bare, inline = self._forward(ph.end_tok)
        if metric == "-":
            return None
        if self._ratio(noun_end or ph.end_tok):
            return None  # "one container in ten" is a proportion, not a count
        if metric == "explosives_tonnes" and not self._munition_weight(noun_end):
            return None
        if ph.year_like and (
            metric is None or noun_end != ph.end_tok + 1 or 1990 <= ph.value <= 2035
        ):
            return None  # "2025 deliveries": a year before its noun
        if metric is None:
            metric = self._bare_metric(ph, previous, change_to, bare)
            if metric == "artillery_rounds_per_day" and self._restated_as_rate(ph.end_tok):
                metric = "artillery_shells"  # "Ukraine's 131,460, or 14,600 a day": the total
        if metric is None or (metric == "money" and not ph.currency):
            return None  # a sum needs its currency
        if metric in LOSS_METRICS and not self._loss_context(strict=noun_end is not None):
            return None  # "14 killed" in a strike on a city counts civilians, not soldiers
        end = max(noun_end or ph.end_tok, ph.end_tok)
        if metric == "artillery_shells" and self._small_arms(ph.end_tok, end):
            return None  # "a million rounds of rifle and machine-gun ammunition"
        if metric in _CARGO_METRICS and self._civilian_cargo(ph.start_tok, end):
            return None  # "tonnes of banknotes ... in 34 consignments", "40 wagons of grain"
        if (
            metric in TROOP_METRICS
            and metric not in LOSS_METRICS
            and self._unit_strength(ph.start_tok, ph.end_tok)
        ):
            return None  # the size of a force or army
        if (metric == "person" or r.metric_units.get(metric) == "persons") and (
            self._speakers(end) or (metric not in LOSS_METRICS and self._gathering(end))
        ):
            return None  # "two engineers told the paper": the people who spoke, not a deployment
        if metric == "person":  # "13,221 North Koreans entered": people, not yet a claim
            metric = self._modify("troops_deployed", ph.start_tok, noun_end or ph.end_tok, inline)
            if metric not in LOSS_METRICS and metric != "troop_reinforcements":
                return None
        if not self._whole_of_part(ph):  # "4,000 of the 11,000 soldiers have become casualties"
            metric = self._modify(metric, ph.start_tok, noun_end or ph.end_tok, inline)
        if metric == "-" and not self._sent_in_clause(ph):
            return None  # "21,000 soldiers trained": not a deployment
        metric = "troops_deployed" if metric == "-" else metric
        start, stop = self._span(ph.start_tok, end)
        return Draft(
            metric,
            ph.low,
            ph.high,
            r.metric_units.get(metric, ""),
            ph.qualifier,
            start,
            stop,
            t[ph.core_tok].start,
        )

    def _bare_metric(
        self, ph: NumberPhrase, previous: list[Draft], change_to: NumberPhrase | None, bare: bool
    ) -> str | None:
        """The metric of a figure with no counted noun after it, from its context."""
        t = self.t
        metric = None
        if (
            change_to is not None
            and ph.end_tok < self.n
            and t[ph.end_tok].low == "to"
            and (change_to.start_tok == ph.end_tok + 1)
        ):
            # "rose from 15,000 to 30,000 troops": the first figure counts the same noun.
            metric = self._forward(change_to.end_tok)[0]
            metric = None if metric == "-" else metric
        if ph.year_like:
            return metric
        if metric is None:
            metric = self._loss_predicate(ph.end_tok)
        if metric is None and self._elided(ph, bare):
            metric = self._antecedent(ph)
        if metric is None and bare and self._changed_to(ph):
            metric = self.ctx.recent_metric  # "brought that down to around 23,000"
        if metric is None:
            metric = self._loss_verb_before(ph.start_tok)  # "... and wounded 40 near X"
        if metric is None and bare:
            metric = self._clause_metric(ph, previous)
            if metric == "shipments" and ph.value >= 1000:
                metric = (
                    None  # "deliveries ran at 80,000 a month": the things delivered, not voyages
                )
        if metric is None and (bare or self._label is not None):
            metric = self._topic(ph, bare)
        if metric is None and bare and self._rate_next(ph.end_tok):
            # "often fewer than 2,000 a day" right after a daily rate: the same rate.
            recent = self.ctx.recent_metric
            if recent is not None and recent in RATE_METRICS:
                total, units = RATE_METRICS[recent]
                span = {x.low for x in self.t[ph.end_tok : ph.end_tok + 2]}
                # "about 3 million a year" after "10,000 shells a day": shells, not a daily rate
                metric = recent if span & units else total
        if metric is None:
            metric = self._capacity(ph)
        if metric is None and (bare or self._verb_next(ph.end_tok)):
            metric = self._running(ph)
        return metric

    def _whole_of_part(self, ph: NumberPhrase) -> bool:
        """The figure is the whole a subset was taken from ("4,000 of the roughly 11,000")."""
        t = self.t
        k = ph.start_tok - 1
        while k >= 0 and (t[k].low,) in self.r.hedges_before:
            k -= 1
        return (
            k >= 2
            and t[k].low == "the"
            and t[k - 1].low == "of"
            and any(
                x.kind == "num" or x.low in self.r.number_word_values
                for x in t[max(0, k - 4) : k - 1]
            )
        )

    def distributed(self, ph: NumberPhrase) -> list[str]:
        """ "120 of each system", "50 each": one figure for each kind of thing listed before
        it in the sentence (or in the previous sentence)."""
        t, j = self.t, ph.end_tok
        if not (
            (j + 1 < self.n and t[j].low == "of" and t[j + 1].low == "each")
            or (j < self.n and t[j].low == "each")
        ):
            return []
        prev = self.ctx.prev_tokens() if self.ctx.prev_tokens else []
        found = self._nouns(self.t[: ph.start_tok]) or self._nouns(prev)
        return found if len(found) > 1 else []

    def _nouns(self, tokens: list[Token]) -> list[str]:
        """Distinct metrics of the counted nouns in some tokens, in order."""
        out: list[str] = []
        k = 0
        while k < len(tokens):
            hit = match_at(tokens, k, self.r.forward_keywords)
            if hit is not None and hit[0] not in ("-", *out) and hit[0] in self.r.metric_units:
                out.append(hit[0])
            k += hit[1] if hit is not None else 1
        return out

    def _clause_metric(self, ph: NumberPhrase, previous: list[Draft]) -> str | None:
        """A noun earlier in the clause, or the figure before it in the sentence."""
        metric = self._backward(ph.start_tok)
        if (
            metric is not None
            and previous
            and previous[-1].metric in RATE_METRICS
            and previous[-1].metric in {dst for _cue, dst, _pos in self.r.modifiers.get(metric, ())}
        ):
            # "10,000 shells a day while Ukraine fired between 2,000 and 3,000": the
            # bare figure compares with the refined figure before it (a rate).
            metric = previous[-1].metric
        if metric is None and previous:
            prior = previous[-1].metric
            if prior in TROOP_METRICS or prior in self.r.metric_units and prior != "money":
                # A bare follow-on number ("lifting the total to 10,000") restates the
                # running total, so reinforcements roll up into the deployed force.
                metric = "troops_deployed" if prior == "troop_reinforcements" else prior
        return metric

    def _loss_predicate(self, j: int) -> str | None:
        """The predicate of a bare number names what it counts: '300 have died', '2,700 were
        wounded', 'around 1,000 are believed to have died', '4,000 of them were killed or
        wounded', 'some 3,000 or more were added', '800 followed as reinforcements'."""
        if not (self._troop_context() or self.prev_troops):
            return None
        t, r = self.t, self.r
        for k in range(j, min(j + 7, self.n)):
            hit = match_at(t, k, r.forward_keywords)
            if hit is not None and hit[0] in LOSS_METRICS:
                refined = self._modify("troops_deployed", j, k, set())  # "killed or wounded"
                return refined if refined in LOSS_METRICS else hit[0]
            hit = match_at(t, k, r.predicate_keywords)
            if hit is not None:
                return hit[0]
            if t[k].low not in self.v.predicate_fillers:
                return None
        return None

    def _loss_verb_before(self, i: int) -> str | None:
        """'killed 21 soldiers and wounded 40': a loss verb right before a bare number (not in
        a sentence about a strike on a city: 'killed 12 people and wounded about 90')."""
        if i == 0 or not (self._troop_context() or self.prev_troops):
            return None
        hit = self.r.forward_keywords.get((self.t[i - 1].low,))
        return hit if hit in LOSS_METRICS else None

    def _loss_context(self, strict: bool = True) -> bool:
        """Losses are soldiers' when the sentence names soldiers, or when nothing here points
        at civilians and (``strict``: for a loss noun right after the figure) the previous
        sentence named soldiers."""
        if self._troop_context():
            return True
        civilian = has_phrase(self.t, 0, self.n, self.r.cue_sets.get("civilian", set()))
        return not civilian and (
            not strict or self.prev_troops or self.ctx.prev_troops or self.ctx.troops_nearby
        )

    def _troop_context(self) -> bool:
        """The sentence talks about soldiers (a troop noun, not just a loss verb)."""
        if self._troops is None:
            self._troops = has_phrase(self.t, 0, self.n, self.r.troop_nouns)
        return self._troops

    def _negated(self, i: int) -> bool:
        """'has not sent 100,000 troops': a negator in the three words before the figure."""
        neg = self.r.cue_sets.get("negation", set())
        lo = i
        for k in range(i - 1, max(-1, i - 4), -1):
            if self.t[k].text in CLAUSE_BREAK or self.t[k].text == ".":
                break
            lo = k
        if lo == i:
            return False
        not_only = self.v.not_only
        words = [x for x in self.t[lo:i] if x.low not in not_only]
        if any(x.low.endswith(("n't", "n’t")) for x in words):
            return True
        if any(
            x.low == "not" and k + 1 < len(self.t) and self.t[k + 1].low in not_only
            for k, x in enumerate(self.t[lo:i], lo)
        ):
            return False  # "not only a million shells but also ..."
        return has_phrase(self.t, lo, i, neg)

    def _restated_as_rate(self, j: int) -> bool:
        """ ", or 14,600 a day" right after token j: the figure before is a period's total."""
        t = self.t
        if not (j + 2 < self.n and t[j].text == "," and t[j + 1].low == "or"):
            return False
        k = j + 2
        while k < self.n and k - j < 5 and t[k].kind != "num":
            k += 1  # ", or about 14,600 a day"
        return k < self.n and t[k].kind == "num" and self._rate_next(k + 1)

    def _ratio(self, j: int) -> bool:
        """'one container in ten', 'three out of four': the second number is a denominator."""
        t = self.t
        if (
            j + 1 < self.n
            and t[j].low in ("per", "each")
            and t[j + 1].kind == "word"
            and t[j + 1].low.rstrip("s") not in self.v.rate_units | {"a", "an"}
        ):
            return True  # "15 rounds per gun": a ratio to another count
        for cue in self.r.cue_sets.get("ratio", set()):
            n = len(cue)
            if tuple(x.low for x in self.t[j : j + n]) != cue:
                continue
            if cue[0] == "for":
                for k in range(j + n, min(self.n, j + n + 3)):
                    if self.t[k].kind == "num" or self.t[k].low in self.r.number_word_values:
                        self._skip.add(k)  # "for every Ukrainian one": the denominator
                        break
                return True  # "1.5 rounds for every shell": a ratio
            k = j + n
            if k >= self.n or is_measure_next(self.t, k + 1, self.r):
                continue
            tok = self.t[k]
            small = tok.kind == "num" and _SMALL.fullmatch(tok.text) is not None
            word = self.r.number_word_values.get(tok.low, (0.0, ""))[1] in (
                "unit",
                "tens",
                "hundred",
            )
            if small or word:
                self._skip.add(k)
                # "15,000 troops in two waves": a count of occasions, not a denominator
                return not (k + 1 < self.n and self.t[k + 1].low in self.v.occasion_nouns)
        return False
