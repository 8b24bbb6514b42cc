"""Values of numerals and spelled-out numbers, and bounds from a qualifier."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.rules import ExtractionRules

_GROUP_SEP = re.compile(r"[ ,]")

_PLAIN_INT = re.compile(r"\d+")
DIGITS = re.compile(r"(\d+(?:[.,]\d+)*)(.*)")


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


def is_plain_int(text: str) -> bool:
    """Digits only, no separators."""
    return _PLAIN_INT.fullmatch(text) is not None


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


def thousands_multiplier(digits: str) -> float:
    """Scale implied by trailing zero groups: '12,000' -> 1000, '3,000,000' -> 1e6."""
    mult = 1.0
    parts = _GROUP_SEP.split(digits)
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
        if word.isdigit():  # "four-thousand-100"
            current += float(word)
            seen = True
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


def word_kind(rules: ExtractionRules, low: str) -> str | None:
    """Kind of a number word (unit, tens, scale, vague, ...) or None."""
    entry = rules.number_word_values.get(low)
    return entry[1] if entry else None


def bounds_for(value: float, qualifier: str | None) -> tuple[float | None, float | None]:
    """(value_low, value_high) for one stated value: a lower or upper hedge opens the other side."""
    if qualifier == "at_least":
        return value, None
    if qualifier == "at_most":
        return None, value
    return value, value
