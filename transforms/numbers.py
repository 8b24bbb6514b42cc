"""Number grammar: tokens, numerals, number words, scales, hedges and ranges.

Everything here is pure: it takes a sentence (or token list) plus the
:class:`~supplyline.rules.ExtractionRules` vocabulary and returns number phrases with
character offsets relative to the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supplyline.rules import ExtractionRules

# Numerals keep their separators and any glued suffix ("1,500", "20bn", "170mm", "6-inch",
# "5-6"); words keep hyphen/apostrophe compounds ("twenty-four", "self-propelled", "Shin's").
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*(?:[-‐–](?:\d+(?:[.,]\d+)+|[A-Za-z0-9]+))*[A-Za-z0-9]*"
    r"|[A-Za-z]+(?:[-‐'’][A-Za-z0-9]+)*"
    r"|[$€£₩₽¥₴%]"
    r"|\S"
)
_DIGITS = re.compile(r"(\d+(?:[.,]\d+)*)(.*)")
_PLAIN_INT = re.compile(r"\d+")

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
RANGE_WORDS = frozenset({"to", "-", "–", "—", "through"})
PERCENT_WORDS = (("percent",), ("per", "cent"), ("pc",), ("%",))
PERCENT_WORDS_FIRST = frozenset(w[0] for w in PERCENT_WORDS)


@dataclass(slots=True)
class Token:
    """One token of a sentence with offsets relative to the sentence."""

    text: str
    start: int
    end: int
    low: str
    kind: str  # "num", "word", "sym" (currency/percent) or "punct"


@dataclass(slots=True)
class NumberPhrase:
    """A number as written, with its bounds after hedges and ranges are applied."""

    start_tok: int  # first token (hedge, currency or numeral)
    core_tok: int  # first token of the numeral itself
    end_tok: int  # one past the last token (scale, currency word, percent sign, post-hedge)
    low: float | None
    high: float | None
    qualifier: str
    value: float  # the stated number (upper number of a range)
    currency: str | None = None
    percent: bool = False
    year_like: bool = False
    hedged: bool = False

    @property
    def is_vague(self) -> bool:
        """True for magnitude words such as 'hundreds of'."""
        return self.qualifier == "vague"


def _low_kind(text: str) -> tuple[str, str]:
    first = text[0]
    if first.isdigit():
        kind = "num"
    elif first.isalpha():
        kind = "word"
    elif first in "$€£₩₽¥₴%":
        kind = "sym"
    else:
        kind = "punct"
    return text.lower(), kind


_LOW_KIND: dict[str, tuple[str, str]] = {}


def tokenize(sentence: str) -> list[Token]:
    """Split a sentence into tokens with character offsets."""
    out = []
    append = out.append
    find = sentence.find
    memo = _LOW_KIND
    if len(memo) > 500_000:  # bound the memo on unusual corpora
        memo.clear()
    pos = 0
    # Every alternative of _TOKEN starts with and holds only non-space characters, and
    # together they cover every non-space character: the tokens partition the non-space
    # text, so each token starts at its first occurrence after the previous one.
    for text in _TOKEN.findall(sentence):
        low_kind = memo.get(text)
        if low_kind is None:
            low_kind = memo[text] = _low_kind(text)
        start = find(text, pos)
        pos = start + len(text)
        append(Token(text, start, pos, low_kind[0], low_kind[1]))
    return out


def parse_digits(digits: str) -> float | None:
    """Value of a numeral with separators; None when the grouping is malformed.

    "15,809" -> 15809, "1,6" -> 1.6 (decimal comma), "4.2" -> 4.2, "1.234.567" -> 1234567,
    "10,0000" -> None (a typo we refuse to guess).
    """
    if _PLAIN_INT.fullmatch(digits):
        return float(digits)
    if "," in digits and "." in digits:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", digits):
            return float(digits.replace(",", ""))
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", digits):
            return float(digits.replace(".", "").replace(",", "."))
        return None
    sep = "," if "," in digits else "."
    parts = digits.split(sep)
    grouped = len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])
    if sep == ",":
        if grouped:
            return float("".join(parts))
        if len(parts) == 2 and len(parts[1]) <= 2:
            return float(f"{parts[0]}.{parts[1]}")
        return None
    if len(parts) == 2:
        return float(digits)
    return float("".join(parts)) if grouped else None


def _thousands_multiplier(digits: str) -> float:
    """Scale implied by trailing zero groups: '12,000' -> 1000, '3,000,000' -> 1e6."""
    mult = 1.0
    parts = re.split(r"[ ,]", digits)
    for group in reversed(parts[1:]):
        if group != "000":
            break
        mult *= 1000
    return mult


def words_to_number(words: list[str], rules: ExtractionRules) -> float | None:
    """Value of a spelled-out number ("one-point-six million", "a dozen", "twenty four")."""
    table = rules.number_word_values
    total = 0.0
    current = 0.0
    decimals: str | None = None
    seen = False
    for word in words:
        if word == "and":
            continue
        entry = table.get(word)
        if entry is None:
            return None
        value, kind = entry
        if kind == "point":
            decimals = ""
            continue
        if decimals is not None and kind == "unit" and value < 10:
            decimals += str(int(value))
            continue
        if decimals:
            current += float("0." + decimals)
            decimals = None
        if kind in ("unit", "tens"):
            current += value
        elif kind == "article":
            current = current or 1.0
        elif kind in ("hundred", "dozen"):
            current = (current or 1.0) * value
        elif kind == "scale":
            total += (current or 1.0) * value
            current = 0.0
        else:
            return None
        seen = True
    if decimals:
        current += float("0." + decimals)
    return total + current if seen else None


def _word_kind(rules: ExtractionRules, low: str) -> str | None:
    entry = rules.number_word_values.get(low)
    return entry[1] if entry else None


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


def _glued(a: Token, b: Token) -> bool:
    return a.end == b.start


class _Scanner:
    """Finds number phrases in one tokenised sentence."""

    def __init__(self, sentence: str, tokens: list[Token], rules: ExtractionRules) -> None:
        self.s = sentence
        self.t = tokens
        self.r = rules
        self.n = len(tokens)

    # -- cores -------------------------------------------------------------------------
    def core(
        self, i: int, currency: str | None
    ) -> tuple[float, int, float, bool, float | None] | None:
        """Parse a numeral at token i.

        Returns (value, next_index, implied_scale, plain, range_low) or None. ``plain`` is
        True for a bare integer without separators or scale (candidate year).
        """
        t, r = self.t, self.r
        tok = t[i]
        if tok.kind == "num":
            if self._designation(i):
                return None
            m = _DIGITS.fullmatch(tok.text)
            if m is None:
                return None
            digits, rest = m.group(1), m.group(2).lower()
            value = parse_digits(digits)
            if (
                value is not None
                and not rest
                and re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", digits)
                and not currency
                and not (i + 1 < self.n and _word_kind(r, t[i + 1].low) == "scale")
                and not (i + 1 < self.n and t[i + 1].low in PERCENT_WORDS_FIRST)
            ):
                # "2.500 containers": a dot before exactly three digits groups thousands in
                # a count (continental style); "2.5 million" and "4.500 %" stay decimals.
                value = float(digits.replace(".", ""))
            if value is None:
                return None
            range_low: float | None = None
            scale = 1.0
            if rest:
                kind = _word_kind(r, rest)
                if kind == "suffix" and (rest != "m" or currency or not self._metre_context(i)):
                    scale = r.number_word_values[rest][0]
                elif rest.startswith(("-", "‐", "–")):
                    other = rest[1:]
                    if re.fullmatch(r"\d+(?:[.,]\d+)*", other):
                        range_low, value = value, parse_digits(other) or value
                        mult = _thousands_multiplier(other)
                        if mult > 1 and range_low * mult <= value:
                            range_low *= mult  # "10-12,000" shares the thousands
                        if range_low >= value:
                            return None
                    elif other != "strong":
                        return None  # "20-foot", "6-inch", "25-year-old": a measure, not a count
                else:
                    return None  # "170mm", "9K720", "5th": calibre, designation or ordinal
            j = i + 1
            implied = _thousands_multiplier(digits)
            # "7 000": thousands separated by a single space.
            while (
                not rest
                and scale == 1.0
                and j < self.n
                and t[j].kind == "num"
                and re.fullmatch(r"\d{3}", t[j].text)
                and self.s[t[j - 1].end : t[j].start] == " "
                and len(t[i].text.replace(",", "")) <= 3
            ):
                value = value * 1000 + float(t[j].text)
                implied *= 1000
                j += 1
            plain = bool(_PLAIN_INT.fullmatch(tok.text)) and j == i + 1
            if j < self.n and _word_kind(r, t[j].low) == "scale":
                scale *= r.number_word_values[t[j].low][0]
                j += 1
                plain = False
            if scale != 1.0:
                implied = scale
                plain = False
            if range_low is not None:
                range_low *= scale
            return value * scale, j, implied, plain, range_low
        if tok.kind != "word":
            return None
        # Spelled-out numbers: collect hyphen parts while they are number words.
        words: list[str] = []
        j = i
        while j < self.n and t[j].kind == "word":
            parts = re.split(r"[-‐]", t[j].low)
            kinds = [_word_kind(r, p) for p in parts]
            if (
                parts == ["and"]
                and words
                and j + 1 < self.n
                and _word_kind(r, t[j + 1].low)
                in (
                    "unit",
                    "tens",
                )
            ):
                words.append("and")
                j += 1
                continue
            if any(
                k is None or k in ("vague", "vague_prefix", "fraction", "suffix") for k in kinds
            ):
                break
            if kinds[0] == "article" and (words or len(parts) > 1):
                break
            words.extend(parts)
            j += 1
        if not words:
            frac = self._fraction_of_scale(i)
            return frac
        if words[0] in ("a", "an") and (
            len(words) == 1 or _word_kind(r, words[1]) not in ("hundred", "dozen", "scale")
        ):
            return None
        if words == ["one"] and j < self.n and t[j].low == "of":
            return None  # "one of the soldiers" picks an individual, it does not count
        value = words_to_number(words, r)
        if value is None:
            return None
        last_kind = _word_kind(r, words[-1])
        implied = r.number_word_values[words[-1]][0] if last_kind in ("scale", "hundred") else 1.0
        return value, j, implied, False, None

    def _fraction_of_scale(self, i: int) -> tuple[float, int, float, bool, None] | None:
        """'half a million', 'a quarter of a million', 'half a dozen' -> fraction x scale."""
        t, r = self.t, self.r
        if _word_kind(r, t[i].low) != "fraction" or "-" in t[i].low:
            return None
        j = i + 1
        if j < self.n and t[j].low == "of":
            j += 1
        if not (j + 1 < self.n and t[j].low in ("a", "an")):
            return None
        kind = _word_kind(r, t[j + 1].low)
        if kind not in ("scale", "dozen", "hundred"):
            return None
        scale = r.number_word_values[t[j + 1].low][0]
        share = r.number_word_values[t[i].low][0] / 100.0
        return round(share * scale, 6), j + 2, scale, False, None

    def _metre_context(self, i: int) -> bool:
        """'300m away' is a distance; '3m shells' is three million."""
        nxt = self.t[i + 1].low if i + 1 < self.n else ""
        return nxt in ("away", "long", "wide", "high", "deep", "tall", "from", "above", "below")

    def _designation(self, i: int) -> bool:
        """Numbers glued to letters or preceded by a designator word are names, not counts."""
        t = self.t
        if (
            i + 2 < self.n
            and t[i + 1].text in ":/"
            and _glued(t[i], t[i + 1])
            and _glued(t[i + 1], t[i + 2])
            and t[i + 2].kind == "num"
        ):
            return True  # clock times and fractions: "14:32", "24/7"
        if i > 0:
            prev = t[i - 1]
            if _glued(prev, t[i]) and (prev.kind in ("num", "word") or prev.text in "/-–.#:"):
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
            and _word_kind(r, t[j + 1].low) == "vague_prefix"
        ):
            j += 1
        kind = _word_kind(r, t[j].low)
        if kind == "vague_prefix":
            if j + 1 >= self.n:
                return None
            nxt = t[j + 1].low
            nk = _word_kind(r, nxt)
            if nk in ("hundred", "dozen", "scale", "vague") and nxt != "tens":
                value = r.number_word_values[nxt][0]
                j += 2
            else:
                return None
        elif kind == "vague":
            if t[j].low == "tens" and not (
                j + 2 < self.n and t[j + 1].low == "of" and _word_kind(r, t[j + 2].low) == "vague"
            ):
                return None
            value = r.number_word_values[t[j].low][0]
            j += 1
        else:
            return None
        while (
            j + 1 < self.n
            and t[j].low == "of"
            and _word_kind(r, t[j + 1].low) == "vague"
            and r.number_word_values[t[j + 1].low][0] >= 1000
        ):
            value *= r.number_word_values[t[j + 1].low][0]
            j += 2
        return value, j

    # -- context -----------------------------------------------------------------------
    def currency_before(self, i: int) -> tuple[str | None, int]:
        """Currency written before token i ("$", "US$", "USD ") -> (ISO code, start index)."""
        t, pre = self.t, self.r.currency_prefix
        if i >= 2 and _glued(t[i - 2], t[i - 1]) and (t[i - 2].low + t[i - 1].low) in pre:
            return pre[t[i - 2].low + t[i - 1].low], i - 2
        if i >= 1 and t[i - 1].low in pre:
            if t[i - 1].kind == "word" and t[i - 1].text != t[i - 1].text.upper():
                return None, i  # only upper-case ISO codes work as prefixes ("USD 5m")
            return pre[t[i - 1].low], i - 1
        return None, i

    def currency_after(self, j: int, vague: bool) -> tuple[str | None, int]:
        """Currency word after the numeral ("8 trillion won", "millions of dollars")."""
        t = self.t
        k = j + 1 if vague and j < self.n and t[j].low == "of" else j
        ordered, firsts = _suffixes(self.r)
        if firsts is not None and (k >= self.n or t[k].low not in firsts):
            return None, j  # no currency word starts here
        for words, iso in ordered:
            if tuple(x.low for x in t[k : k + len(words)]) == words:
                if words == (iso.lower(),) and not t[k].text.isupper():
                    continue  # ISO codes only count in capitals ("rub" is a word)
                return iso, k + len(words)
        return None, j

    def percent_after(self, j: int) -> int | None:
        t = self.t
        for words in PERCENT_WORDS:
            if tuple(x.low for x in t[j : j + len(words)]) == words:
                return j + len(words)
        return None

    def hedge_before(self, i: int) -> tuple[str | None, int, int, bool]:
        """Hedges directly before token i -> (qualifier, priority, first index, saw 'between')."""
        t = self.t
        best: tuple[str | None, int] = (None, -1)
        start = i
        between = False
        for _ in range(3):  # "up to approximately", "an estimated ... as much as"
            matched = False
            for length in (3, 2, 1):
                k = start - length
                if k < 0:
                    continue
                words = tuple(x.low for x in t[k:start])
                if words == ("between",) or words == ("from",):
                    between = between or words == ("between",)
                    start = k
                    matched = True
                    break
                hit = self.r.hedges_before.get(words)
                if hit is not None:
                    qual, prio = hit
                    if prio > best[1]:
                        best = (qual, prio)
                    start = k
                    matched = True
                    break
            if not matched:
                break
        qual = best[0]
        if qual == "none":
            qual = None
        return qual, best[1], start, between

    def hedge_after(self, j: int) -> tuple[str | None, int]:
        t = self.t
        for length in (2, 1):
            words = tuple(x.low for x in t[j : j + length])
            hit = self.r.hedges_after.get(words)
            if hit is not None and len(words) == length:
                return hit[0], j + length
        return None, j

    def is_date(self, i: int, j: int) -> bool:
        """A day or year next to a month name ("March 12", "17 February", "Dec. 30")."""
        t = self.t
        k = i - 1
        if k >= 0 and t[k].text == ".":
            k -= 1
        if k >= 0 and t[k].low in MONTHS and (t[k].text[0].isupper() or t[k].low != "may"):
            return True
        return bool(j < self.n and t[j].low in MONTHS and t[j].text[0].isupper())

    # -- main loop -----------------------------------------------------------------------
    def phrases(self, change_verbs_in_sentence: bool) -> list[NumberPhrase]:
        out: list[NumberPhrase] = []
        i = 0
        t, words = self.t, self.r.number_word_values
        while i < self.n:
            tok = t[i]
            if tok.kind != "num" and (tok.kind != "word" or tok.low.split("-", 1)[0] not in words):
                i += 1  # the gate of _phrase_at, inlined: no phrase starts here
                continue
            ph = self._phrase_at(i, change_verbs_in_sentence)
            if ph is None:
                # A rejected numeral ("aged 18 to 25", "March 3-5") takes its range partner along.
                if (
                    self.t[i].kind == "num"
                    and i + 2 < self.n
                    and self.t[i + 1].low in RANGE_WORDS | {"and"}
                    and self.t[i + 2].kind == "num"
                ):
                    i += 3
                else:
                    i += 1
                continue
            if isinstance(ph, list):
                out.extend(ph)
                i = ph[-1].end_tok
            else:
                out.append(ph)
                i = ph.end_tok
        return out

    def _phrase_at(self, i: int, change: bool) -> NumberPhrase | list[NumberPhrase] | None:
        t = self.t
        tok = t[i]
        if tok.kind != "num" and (
            tok.kind != "word" or tok.low.split("-", 1)[0] not in self.r.number_word_values
        ):
            return None  # cheap gate: only numerals and number words can start a phrase
        vague = self.vague(i) if t[i].kind == "word" else None
        if vague is not None:
            value, j = vague
            currency, j2 = self.currency_after(j, vague=True)
            qual, _prio, start, _ = self.hedge_before(i)
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
        if percent:
            j = pct_end
        qual, _prio, start, between = self.hedge_before(cur_start)
        hedged = qual is not None
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
        post, j_post = self.hedge_after(j)
        if post is not None and qual is None:
            qual, j = post, j_post
        low, high = bounds_for(value, qual)
        qualifier = qual or "exact"
        year_like = (
            plain and 1900 <= value <= 2100 and not hedged and currency is None and not percent
        )
        return NumberPhrase(
            start, i, j, low, high, qualifier, value, currency, percent, year_like, hedged
        )

    def _range(
        self, j: int, low: float, low_plain: bool, between: bool, change: bool, currency: str | None
    ) -> tuple[float, float, int, str | None] | None:
        t = self.t
        if j >= self.n:
            return None
        conn = t[j].low
        if not (conn in RANGE_WORDS or (conn == "and" and between)):
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
        if currency is None and cur2 is None:
            cur3, end = self.currency_after(end, vague=False)
        else:
            cur3 = None
        pct_end = self.percent_after(end)
        if pct_end is not None:
            end = pct_end  # "between 60% and 70%": the sign after the upper bound is ours
        return high, low, end, cur2 or cur3


def find_number_phrases(
    sentence: str, rules: ExtractionRules, tokens: list[Token] | None = None, change: bool = False
) -> list[NumberPhrase]:
    """All number phrases of a sentence; ``change`` disables 'A to B' ranges (change verbs)."""
    toks = tokens if tokens is not None else tokenize(sentence)
    return _Scanner(sentence, toks, rules).phrases(change)


def parse_number(text: str, rules: ExtractionRules) -> float | None:
    """Value of the first number phrase in ``text`` (upper bound for ranges), or None."""
    phrases = find_number_phrases(text, rules)
    if not phrases:
        return None
    ph = phrases[0]
    return ph.high if ph.high is not None else ph.low


def bounds_for(value: float, qualifier: str | None) -> tuple[float | None, float | None]:
    """(value_low, value_high) for one stated value: a lower or upper hedge opens the other side."""
    if qualifier == "at_least":
        return value, None
    if qualifier == "at_most":
        return None, value
    return value, value
