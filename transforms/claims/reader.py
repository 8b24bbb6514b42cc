"""Stage 2a: read the numeral at one token (digits, number words, scales, vague magnitudes)."""

from __future__ import annotations

import re

from transforms.claims.lexicon import lows_of, vocab
from transforms.claims.numerals import (
    DIGITS,
    is_plain_int,
    parse_digits,
    thousands_multiplier,
    word_kind,
    words_to_number,
)
from transforms.claims.tokens import Token, glued
from transforms.rules import ExtractionRules

_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")
_THREE = re.compile(r"\d{3}")
_HYPHEN = re.compile(r"[-‐]")

# (value, next token, implied scale, plain integer, low end of a glued range)
Core = tuple[float, int, float, bool, float | None]
_NOT_IN_WORD_NUMBER = ("vague", "vague_prefix", "fraction", "suffix")


class NumeralReader:
    """Reads numerals in one tokenised sentence; the phrase grammar builds on it."""

    def __init__(self, sentence: str, tokens: list[Token], rules: ExtractionRules) -> None:
        self.s = sentence
        self.t = tokens
        self.r = rules
        self.n = len(tokens)
        self.v = vocab(rules)
        self.lows = lows_of(tokens)[1]  # lower-case words, for phrase lookups by slice

    def core(self, i: int, currency: str | None) -> Core | None:
        """Parse a numeral at token i -> (value, next index, implied scale, plain, range low).

        ``plain`` is True for a bare integer without separators or scale (candidate year).
        """
        tok = self.t[i]
        if tok.kind == "num":
            return None if self._designation(i) else self._digits_core(i, currency)
        if tok.kind != "word":
            return None
        return self._word_core(i)

    def _digits_core(self, i: int, currency: str | None) -> Core | None:
        t, r = self.t, self.r
        m = DIGITS.fullmatch(t[i].text)
        if m is None:
            return None
        digits, rest = m.group(1), m.group(2).lower()
        value = self._grouped_value(i, digits, rest, currency)
        if value is None:
            return None
        range_low: float | None = None
        scale = 1.0
        if rest:
            glued_suffix = self._glued_suffix(i, rest, value, currency)
            if glued_suffix is None:
                return None
            scale, range_low, value = glued_suffix
        j, value, implied = self._spaced_thousands(
            i, rest, scale, value, thousands_multiplier(digits)
        )
        plain = is_plain_int(t[i].text) and j == i + 1
        if j < self.n and self._scale_word(t[j].low):
            scale *= r.number_word_values[t[j].low][0]
            j += 1
            plain = False
        if scale != 1.0:
            implied = scale
            plain = False
        if range_low is not None:
            range_low *= scale
        return value * scale, j, implied, plain, range_low

    def _scale_word(self, low: str) -> bool:
        """A scale word after the digits ("million"), or a spaced abbreviation of two letters
        or more ("150 mln", "28 bln", "$5 bn"; "300 m" is a distance, not millions)."""
        kind = word_kind(self.r, low)
        return kind == "scale" or (kind == "suffix" and len(low) > 1)

    def _grouped_value(self, i: int, digits: str, rest: str, currency: str | None) -> float | None:
        """Value of the digits; "2.500 containers" groups thousands with a dot (continental
        style) while "2.5 million" and "4.500 %" stay decimals."""
        t, r = self.t, self.r
        value = parse_digits(digits)
        if (
            value is not None
            and not rest
            and _DOT_THOUSANDS.fullmatch(digits)
            and not currency
            and not (i + 1 < self.n and word_kind(r, t[i + 1].low) == "scale")
            and not (i + 1 < self.n and t[i + 1].low in self.v.percent_first)
        ):
            value = float(digits.replace(".", ""))
        return value

    def _glued_suffix(
        self, i: int, rest: str, value: float, currency: str | None
    ) -> tuple[float, float | None, float] | None:
        """What is glued after the digits: a scale ("20bn"), a range ("5-6", "10-12,000"),
        "-strong"; None for measures, calibres, designations and ordinals."""
        r = self.r
        if word_kind(r, rest) == "suffix" and (
            rest != "m" or currency or not self._metre_context(i)
        ):
            return r.number_word_values[rest][0], None, value
        if not rest.startswith(("-", "‐", "–")):
            return None  # "170mm", "9K720", "5th": calibre, designation or ordinal
        other = rest[1:]
        if _NUMERAL.fullmatch(other):
            range_low, high = value, parse_digits(other) or value
            mult = thousands_multiplier(other)
            if mult > 1 and range_low * mult <= high:
                range_low *= mult  # "10-12,000" shares the thousands
            return None if range_low >= high else (1.0, range_low, high)
        if word_kind(r, other) == "scale":
            return r.number_word_values[other][0], None, value  # "11-thousand", "25-million"
        if other != "strong":
            return None  # "20-foot", "6-inch", "25-year-old": a measure, not a count
        return 1.0, None, value

    def _spaced_thousands(
        self, i: int, rest: str, scale: float, value: float, implied: float
    ) -> tuple[int, float, float]:
        """ "7 000": thousands separated by a single space -> (next index, value, implied)."""
        t = self.t
        j = i + 1
        while (
            not rest
            and scale == 1.0
            and j < self.n
            and t[j].kind == "num"
            and _THREE.fullmatch(t[j].text)
            and self.s[t[j - 1].end : t[j].start] == " "
            and len(t[i].text.replace(",", "")) <= 3
            and not (j + 1 < self.n and t[j + 1].low in self.r.measures)  # "some 50 170 mm guns"
        ):
            value = value * 1000 + float(t[j].text)
            implied *= 1000
            j += 1
        return j, value, implied

    def _word_core(self, i: int) -> Core | None:
        """Spelled-out numbers: hyphen parts are collected while they are number words."""
        t, r = self.t, self.r
        words, j = self._number_words(i)
        if not words:
            return self._fraction_of_scale(i)
        if words[0] in ("a", "an") and (
            len(words) == 1 or word_kind(r, words[1]) not in ("hundred", "dozen", "scale")
        ):
            return None
        if words == ["one"] and j < self.n and t[j].low == "of":
            return None  # "one of the soldiers" picks an individual, it does not count
        value = words_to_number(words, r)
        if value is None:
            return None
        last_kind = word_kind(r, words[-1])
        implied = r.number_word_values[words[-1]][0] if last_kind in ("scale", "hundred") else 1.0
        return value, j, implied, False, None

    def _number_words(self, i: int) -> tuple[list[str], int]:
        t, r = self.t, self.r
        words: list[str] = []
        j = i
        while j < self.n and t[j].kind == "word":
            parts = _HYPHEN.split(t[j].low)
            kinds = [word_kind(r, p) for p in parts]
            if (
                parts == ["and"]
                and words
                and j + 1 < self.n
                and word_kind(r, t[j + 1].low) in ("unit", "tens")
            ):
                words.append("and")
                j += 1
                continue
            if len(parts) > 1 and parts[-1].isdigit() and kinds[-2] in ("scale", "hundred"):
                kinds[-1] = "digits"  # "four-thousand-100": digits after a scale word
            if any(k is None or k in _NOT_IN_WORD_NUMBER for k in kinds):
                break
            if kinds[0] == "article" and (words or len(parts) > 1):
                break
            words.extend(parts)
            j += 1
        return words, j

    def _fraction_of_scale(self, i: int) -> Core | None:
        """'half a million', 'a quarter of a million', 'half a dozen' -> fraction x scale."""
        t, r = self.t, self.r
        if word_kind(r, t[i].low) != "fraction" or "-" in t[i].low:
            return None
        j = i + 1
        if j < self.n and t[j].low == "of":
            j += 1
        if not (j + 1 < self.n and t[j].low in ("a", "an")):
            return None
        kind = word_kind(r, t[j + 1].low)
        if kind not in ("scale", "dozen", "hundred"):
            return None
        scale = r.number_word_values[t[j + 1].low][0]
        share = r.number_word_values[t[i].low][0] / 100.0
        return round(share * scale, 6), j + 2, scale, False, None

    def _metre_context(self, i: int) -> bool:
        """'300m away' is a distance; '3m shells' is three million."""
        nxt = self.t[i + 1].low if i + 1 < self.n else ""
        return nxt in self.v.distance_after

    def _designation(self, i: int) -> bool:
        """Numbers glued to letters or preceded by a designator word are names, not counts."""
        t = self.t
        if (
            i + 2 < self.n
            and t[i + 1].text in ":/"
            and glued(t[i], t[i + 1])
            and glued(t[i + 1], t[i + 2])
            and t[i + 2].kind == "num"
        ):
            return True  # clock times and fractions: "14:32", "24/7"
        if i > 0:
            prev = t[i - 1]
            if glued(prev, t[i]) and (prev.kind in ("num", "word") or prev.text in "/-–.#:"):
                return True
            k = i - 1
            while k >= 0 and t[k].kind == "punct" and t[k].text in ":#.":
                k -= 1
            if k >= 0 and t[k].low in self.r.designators:
                return True
        return False

    def vague(self, i: int) -> tuple[float, int] | None:
        """'hundreds of thousands', 'several hundred', 'dozens' -> (unit value, next index)."""
        t, r = self.t, self.r
        j = i
        if (
            t[j].low in ("a", "an")
            and j + 1 < self.n
            and word_kind(r, t[j + 1].low) == "vague_prefix"
        ):
            j += 1
        kind = word_kind(r, t[j].low)
        if kind == "vague_prefix":
            if j + 1 >= self.n:
                return None
            nxt = t[j + 1].low
            if word_kind(r, nxt) not in ("hundred", "dozen", "scale", "vague") or nxt == "tens":
                return None
            value = r.number_word_values[nxt][0]
            j += 2
        elif kind == "vague":
            if t[j].low == "tens" and not (
                j + 2 < self.n and t[j + 1].low == "of" and word_kind(r, t[j + 2].low) == "vague"
            ):
                return None
            value = r.number_word_values[t[j].low][0]
            j += 1
        else:
            return None
        while (
            j + 1 < self.n
            and t[j].low == "of"
            and word_kind(r, t[j + 1].low) == "vague"
            and r.number_word_values[t[j + 1].low][0] >= 1000
        ):
            value *= r.number_word_values[t[j + 1].low][0]
            j += 2
        return value, j
