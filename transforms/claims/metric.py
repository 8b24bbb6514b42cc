"""Stage 3c: which metric each number phrase of a sentence counts (or none)."""

from __future__ import annotations

import re

from transforms.claims.lexicon import has_phrase, match_at, vocab
from transforms.claims.model import LOSS_METRICS, TROOP_METRICS, Draft, SentenceContext
from transforms.claims.money import MoneyAndShares
from transforms.claims.nouns import NounWindow, is_measure_next
from transforms.claims.numerals import NumberPhrase
from transforms.claims.tokens import CLAUSE_BREAK, Token, clause_bounds
from transforms.rules import ExtractionRules

_SMALL = re.compile(r"\d{1,3}")

# Metrics that count carriers (boxes, voyages, wagons): they need a military cargo.
_CARGO_METRICS = frozenset({"containers", "shipments", "rail_cars"})

# Metrics that count per unit of time: a bare figure with a rate phrase continues them when
# the unit of time is theirs; over another span it counts the things themselves.
_RATE_METRICS = {"artillery_rounds_per_day": ("artillery_shells", frozenset({"day", "daily"}))}


class SentenceMetrics(NounWindow, MoneyAndShares):
    """Metric, money and share decisions for the number phrases of one sentence."""

    def __init__(
        self, sentence: str, tokens: list[Token], rules: ExtractionRules,
        prev_troops: bool = False, context: SentenceContext | None = None,
    ) -> None:
        self.s = sentence
        self.t = tokens
        self.r = rules
        self.v = vocab(rules)
        self.n = len(tokens)
        self.prev_troops = prev_troops  # the previous sentence of the paragraph was about soldiers
        self.ctx = context or SentenceContext()
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
            if ph.start_tok in self._skip or ph.core_tok in self._skip or self._negated(ph.start_tok):
                continue
            nxt = phrases[idx + 1] if idx + 1 < len(phrases) else None
            each = self.distributed(ph)
            if each:
                start, stop = self._span(ph.start_tok, ph.end_tok)
                drafts.extend(Draft(m, ph.low, ph.high, self.r.metric_units[m], ph.qualifier, start, stop,
                                    self.t[ph.core_tok].start) for m in each)
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
            return self._share(ph)
        if ph.currency:
            return self._money(ph)
        metric, noun_end, bare, inline = self._forward(ph.end_tok)
        if metric == "-":
            return None
        if self._ratio(noun_end or ph.end_tok):
            return None  # "one container in ten" is a proportion, not a count
        if metric == "explosives_tonnes" and not self._munition_weight(noun_end):
            return None
        if ph.year_like and (metric is None or noun_end != ph.end_tok + 1):
            return None
        if metric is None:
            metric = self._bare_metric(ph, previous, change_to, bare)
        if metric is None or (metric == "money" and not ph.currency):
            return None  # a sum needs its currency
        if metric in LOSS_METRICS and not self._loss_context(strict=noun_end is not None):
            return None  # "14 killed" in a strike on a city counts civilians, not soldiers
        end = max(noun_end or ph.end_tok, ph.end_tok)
        if metric in _CARGO_METRICS and self._civilian_cargo(ph.start_tok, end):
            return None  # "tonnes of banknotes ... in 34 consignments", "40 wagons of grain"
        if (metric == "person" or r.metric_units.get(metric) == "persons") and self._speakers(end):
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
        return Draft(metric, ph.low, ph.high, r.metric_units.get(metric, ""), ph.qualifier,
                     start, stop, t[ph.core_tok].start)

    def _civilian_cargo(self, i: int, end: int) -> bool:
        """The cargo is civilian: named before the count in the sentence ("moved grain in
        40 shipments") or right after it ("40 wagons of grain"), and no munitions named."""
        t, cues = self.t, self.r.cue_sets.get("civilian_cargo", set())
        if not cues or has_phrase(t, 0, self.n, self.v.munition_nouns):
            return False
        k = i
        while k > 0 and t[k - 1].text != ";":
            k -= 1
        after = end + 1 if end < self.n and t[end].low == "of" else end
        return has_phrase(t, k, i, cues) or has_phrase(t, after, min(self.n, after + 2), cues)

    def _speakers(self, end: int) -> bool:
        """The counted people are the subject of a speech verb ("three soldiers who spoke
        to ...", "five engineers said"), not said to be somewhere ("said to be")."""
        k = end + 1 if end < self.n and self.t[end].low in ("who", "that") else end
        if not (k + 1 < self.n and self.t[k].low in self.v.speaker_verbs):
            return False
        return not (self.t[k + 1].low == "to" and k + 2 < self.n and self.t[k + 2].low in ("be", "have", "number"))

    def _sent_in_clause(self, ph: NumberPhrase) -> bool:
        """A supply verb in the figure's clause ("deployed to Russia, where Russia trained them")."""
        lo, hi = clause_bounds(self.t, ph.start_tok, ph.end_tok)
        if any(self.r.flows.get(x.low) == "give" for x in self.t[max(0, lo - 8) : hi + 8]):
            return True
        return self._abroad(ph.start_tok)

    def _abroad(self, i: int) -> bool:
        """Trained in a country other than the subject's ("North Korea was training 12,000
        troops in Russia's Far East"): soldiers already sent there."""
        home = next((c for c in (self._country_at(k) for k in range(i)) if c is not None), None)
        t = self.t
        for k in range(i, self.n):
            if t[k].text == ";":
                break
            if t[k].low == "in" and k + 1 < self.n:
                there = self._country_at(k + 2 if t[k + 1].low == "the" else k + 1)
                if there is not None:
                    return home is not None and there != home
        return False

    def _country_at(self, k: int) -> str | None:
        """ISO code of a country named at token k (one or two words)."""
        for length in (2, 1):
            words = self.t[k : k + length]
            if len(words) < length or not words[0].text[:1].isupper():
                continue
            hit = self.r.lookup_alias(" ".join(w.text for w in words).removesuffix("'s").removesuffix("’s"))
            if hit is not None and hit[1] == "country":
                return hit[3]
        return None

    def _bare_metric(
        self, ph: NumberPhrase, previous: list[Draft], change_to: NumberPhrase | None, bare: bool
    ) -> str | None:
        """The metric of a figure with no counted noun after it, from its context."""
        t = self.t
        metric = None
        if change_to is not None and ph.end_tok < self.n and t[ph.end_tok].low == "to" and (
            change_to.start_tok == ph.end_tok + 1
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
        if metric is None and (bare or self._label is not None):
            metric = self._topic(ph, bare)
        if metric is None and bare and self._rate_next(ph.end_tok):
            # "often fewer than 2,000 a day" right after a daily rate: the same rate.
            recent = self.ctx.recent_metric
            if recent is not None and recent in _RATE_METRICS:
                total, units = _RATE_METRICS[recent]
                span = {x.low for x in self.t[ph.end_tok : ph.end_tok + 2]}
                # "about 3 million a year" after "10,000 shells a day": shells, not a daily rate
                metric = recent if span & units else total
        return metric

    def _whole_of_part(self, ph: NumberPhrase) -> bool:
        """The figure is the whole a subset was taken from ("4,000 of the roughly 11,000")."""
        t = self.t
        k = ph.start_tok - 1
        while k >= 0 and (t[k].low,) in self.r.hedges_before:
            k -= 1
        return k >= 2 and t[k].low == "the" and t[k - 1].low == "of" and any(
            x.kind == "num" or x.low in self.r.number_word_values for x in t[max(0, k - 4) : k - 1]
        )

    def distributed(self, ph: NumberPhrase) -> list[str]:
        """"120 of each system", "50 each": one figure for each kind of thing listed before
        it in the sentence (or in the previous sentence)."""
        t, j = self.t, ph.end_tok
        if not ((j + 1 < self.n and t[j].low == "of" and t[j + 1].low == "each") or (j < self.n and t[j].low == "each")):
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

    def _changed_to(self, ph: NumberPhrase) -> bool:
        """"fell to 20,000", "brought that down to around 23,000": a new value of the figure
        named just before."""
        t = self.t
        k = ph.start_tok - 1
        if k < 1 or t[k].low != "to":
            return False
        lo, _ = clause_bounds(t, k, k)
        change = self.r.cue_sets.get("change_verb", set())
        return any((x.low,) in change or x.low in ("down", "up") for x in t[lo:k])

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
        if d >= 0 and d < i and t[d].low in ("the", "those", "these") and (bare or self._new_subject(j)):
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
        return nxt.low in self.v.auxiliaries or nxt.low in self.v.verb_adverbs or nxt.low.endswith("ed")

    def _antecedent(self, ph: NumberPhrase) -> str | None:
        """The noun an elided figure counts: the last counted noun earlier in the sentence,
        else the last figure of the previous sentences, else the last counted noun of the
        previous sentence."""
        found = self._last_noun(self.t[: ph.start_tok])
        if found is None:
            found = self.ctx.recent_metric
        if found is None and self.ctx.prev_tokens:
            found = self._last_noun(self.ctx.prev_tokens())
        return found

    def _last_noun(self, tokens: list[Token]) -> str | None:
        found = None
        for k in range(len(tokens)):
            for table in (self.r.forward_keywords, self.r.backward_keywords):
                hit = match_at(tokens, k, table)
                if hit is not None and hit[0] != "-":
                    found = hit[0]
                    break
        return found

    def _clause_metric(self, ph: NumberPhrase, previous: list[Draft]) -> str | None:
        """A noun earlier in the clause, or the figure before it in the sentence."""
        metric = self._backward(ph.start_tok)
        if metric is not None and previous and previous[-1].metric in _RATE_METRICS and previous[-1].metric in {
            dst for _cue, dst, _pos in self.r.modifiers.get(metric, ())
        }:
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
        return not civilian and (not strict or self.prev_troops or self.ctx.prev_troops or self.ctx.troops_nearby)

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
        if any(x.low == "not" and k + 1 < len(self.t) and self.t[k + 1].low in not_only
               for k, x in enumerate(self.t[lo:i], lo)):
            return False  # "not only a million shells but also ..."
        return has_phrase(self.t, lo, i, neg)

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
                return True  # "1.5 rounds for every shell": a ratio
            k = j + n
            if k >= self.n or is_measure_next(self.t, k + 1, self.r):
                continue
            tok = self.t[k]
            small = tok.kind == "num" and _SMALL.fullmatch(tok.text) is not None
            word = self.r.number_word_values.get(tok.low, (0.0, ""))[1] in ("unit", "tens", "hundred")
            if small or word:
                self._skip.add(k)
                return True
        return False

    def _topic(self, ph: NumberPhrase, bare: bool = True) -> str | None:
        """A bare figure whose noun was named before: a fact-box label, the question being
        answered, or 'the figure' / 'the number' standing for the last counted noun."""
        t = self.t
        if self._label is not None and t[0].start <= t[ph.start_tok].start:
            colon = next((k for k, x in enumerate(t[:8]) if x.text == ":"), 0)
            if ph.start_tok > colon and not any(x.kind == "num" for x in t[colon + 1 : ph.core_tok]):
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
