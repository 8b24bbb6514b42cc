"""Stage 1b: tokens of a sentence with character offsets relative to the sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters of Latin scripts for the name patterns (Python's re has no \p{Lu}): upper and lower
# case, ASCII and the Latin-1 and Latin Extended-A/B blocks ("Radosław", "Støre", "Babiš").
_LATIN = [chr(c) for c in range(0xC0, 0x250)]
UPPER = "A-Z" + "".join(c for c in _LATIN if c.isupper())
LOWER = "a-z" + "".join(c for c in _LATIN if c.islower())
# Numerals keep their separators and any glued suffix ("1,500", "20bn", "170mm", "6-inch",
# "5-6"); words (any letters) keep hyphen/apostrophe compounds ("twenty-four",
# "self-propelled", "Shin's", "Kosiniak-Kamysz").
TOKEN_PATTERN = (
    r"\d+(?:[.,]\d+)*(?:[-‐–](?:\d+(?:[.,]\d+)+|[A-Za-z0-9]+))*[A-Za-z0-9]*"
    r"|[^\W\d_]+(?:[-‐'’][^\W_]+)*"
    r"|[$€£₩₽¥₴%]"
    r"|\S"
)
_TOKEN = re.compile(TOKEN_PATTERN)
SYMBOLS = "$€£₩₽¥₴%"
# Punctuation that closes a comma clause.
CLAUSE_BREAK = frozenset({",", ";", ":", "(", ")", "—", "–"})
QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})


@dataclass(slots=True)
class Token:
    """One token of a sentence with offsets relative to the sentence."""

    text: str
    start: int
    end: int
    low: str
    kind: str  # "num", "word", "sym" (currency/percent) or "punct"


def _low_kind(text: str) -> tuple[str, str]:
    first = text[0]
    if first.isdigit():
        kind = "num"
    elif first.isalpha():
        kind = "word"
    elif first in SYMBOLS:
        kind = "sym"
    else:
        kind = "punct"
    return text.lower(), kind


_LOW_KIND: dict[str, tuple[str, str]] = {}


def tokenize(sentence: str) -> list[Token]:
    """Split a sentence into tokens with character offsets."""
    out: list[Token] = []
    append = out.append
    find = sentence.find
    memo = _LOW_KIND
    if len(memo) > 500_000:  # bound the memo on unusual corpora
        memo.clear()
    pos = 0
    # Every alternative of TOKEN_PATTERN starts with and holds only non-space characters, and
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


def clause_bounds(tokens: list[Token], i: int, j: int) -> tuple[int, int]:
    """Token range of the comma/semicolon clause around tokens [i, j)."""
    lo = i
    while lo > 0 and tokens[lo - 1].text not in CLAUSE_BREAK:
        lo -= 1
    hi = j
    while hi < len(tokens) and tokens[hi].text not in CLAUSE_BREAK and tokens[hi].text != ".":
        hi += 1
    return lo, hi


def glued(a: Token, b: Token) -> bool:
    """No space between two tokens."""
    return a.end == b.start


def merge_acronyms(tokens: list[Token]) -> list[Token]:
    """Dotted acronyms as one token ("U", ".", "S", "." -> "U.S.")."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        j = k
        while (
            j + 1 < len(tokens)
            and len(tokens[j].text) == 1
            and tokens[j].text.isupper()
            and tokens[j + 1].text == "."
            and tokens[j].end == tokens[j + 1].start
        ):
            j += 2
        if j - k >= 4:  # at least two letters with their dots
            text = "".join(t.text for t in tokens[k:j])
            out.append(Token(text, tokens[k].start, tokens[j - 1].end, text.lower(), "word"))
            k = j
        else:
            out.append(tokens[k])
            k += 1
    return out
