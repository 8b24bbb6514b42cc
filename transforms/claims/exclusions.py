"""Stage 3e: counts that are not supply: civilian cargo, people who speak, soldiers trained
at home."""

from __future__ import annotations

from transforms.claims.lexicon import Vocab, has_phrase
from transforms.claims.model import SentenceContext
from transforms.claims.numerals import NumberPhrase
from transforms.claims.tokens import Token, clause_bounds
from transforms.rules import ExtractionRules


class NotSupply:
    """Checks that drop a counted figure which is not part of a supply relationship."""

    t: list[Token]
    r: ExtractionRules
    v: Vocab
    n: int
    ctx: SentenceContext

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
        return not (
            self.t[k + 1].low == "to"
            and k + 2 < self.n
            and self.t[k + 2].low in ("be", "have", "number")
        )

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
            hit = self.r.lookup_alias(
                " ".join(w.text for w in words).removesuffix("'s").removesuffix("’s")
            )
            if hit is not None and hit[1] == "country":
                return hit[3]
        return None

    def _gathering(self, end: int) -> bool:
        """Soldiers at a parade, a drill or a ceremony named before them or in their words,
        with nothing sent in the sentence ("a ceremony ..., with some 10,000 troops filling
        the square", "drills ..., with about 18,000 troops taking part")."""
        cues = self.r.cue_sets.get("gathering", set())
        return has_phrase(self.t, 0, min(self.n, end + 3), cues) and not any(
            self.r.flows.get(x.low) == "give" for x in self.t
        )

    def _small_arms(self, j: int, end: int) -> bool:
        """Rounds for rifles and machine guns, not artillery ("a million rounds of rifle and
        machine-gun ammunition", "500,000 small-arms rounds")."""
        cues = self.r.cue_sets.get("small_arms", set())
        if not cues:
            return False
        if has_phrase(self.t, j, end, cues):
            return True
        return (
            end < self.n
            and self.t[end].low == "of"
            and has_phrase(self.t, end, min(self.n, end + 5), cues)
        )

    def _unit_strength(self, i: int, j: int) -> bool:
        """ "the roughly 190,000-strong force that runs ...": the size of a force, not soldiers
        sent, unless the sentence sends it ("a 6,000-strong contingent was sent") or the text
        around it is about soldiers sent ("the 11,000-strong force" after the deployment)."""
        strong = any(t.low.endswith("-strong") or t.low == "strong" for t in self.t[i : j + 1])
        sent = any(self.r.flows.get(x.low) == "give" for x in self.t)
        return strong and not sent and not self.ctx.troops_nearby
