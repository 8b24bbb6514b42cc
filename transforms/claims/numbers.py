"""Stage 2: number mentions of every sentence, as one frame.

Where a number may start is found for all sentences at once with Polars expressions on the
Rust regex engine: digit runs, number words, and "a"/"an" before a scale word ("a dozen",
"a few hundred"). The pattern finds a superset of the tokens where the phrase grammar
(:class:`~transforms.claims.scanner.PhraseScanner`, the serial reference) can start, so the
grammar then reads each phrase (hedges, currency, percent, range) only at those tokens and
gives exactly what it gives when it tries every token.
"""

from __future__ import annotations

import bisect
import re

import polars as pl

from transforms.claims.numerals import NumberPhrase
from transforms.claims.offsets import matches
from transforms.claims.scanner import PhraseScanner
from transforms.claims.sentences import TokenStore
from transforms.claims.tokens import Token, tokenize
from transforms.rules import ExtractionRules

MENTION_SCHEMA = {
    "row": pl.UInt32,  # row of the sentence frame
    "start_tok": pl.Int32,
    "core_tok": pl.Int32,
    "end_tok": pl.Int32,
    "low": pl.Float64,
    "high": pl.Float64,
    "qualifier": pl.String,
    "value": pl.Float64,
    "currency": pl.String,
    "percent": pl.Boolean,
    "year_like": pl.Boolean,
    "hedged": pl.Boolean,
    "char_start": pl.Int64,  # offsets in the sentence
    "char_end": pl.Int64,
}
_PHRASE_FIELDS = (
    "start_tok",
    "core_tok",
    "end_tok",
    "low",
    "high",
    "qualifier",
    "value",
    "currency",
    "percent",
    "year_like",
    "hedged",
)
# Whitespace as Python's str.split sees it (Rust's \s lacks the \x1c-\x1f separators).
_SPACE = r"[\s\x1c-\x1f]"


def start_patterns(rules: ExtractionRules) -> tuple[str, str]:
    """Rust regex bodies (case-insensitive) for where a number phrase may start:
    (numerals and number words, "a"/"an" before a scale word).

    A word token starts after a character that is not an ASCII letter or digit, so a leading
    ``(?-u:\\b)`` finds every number word that starts a token once "_" is masked (the
    tokenizer splits at "_", the ASCII boundary does not). A number word glued to digits
    ("two2") ends without a boundary: the match then takes the digit along, and the digit's
    own offset is recovered from it. Suffix words ("bn"), articles and "point" alone never
    start a phrase ("point five million" does, so "point" is kept)."""
    table = rules.number_word_values
    words = sorted(
        (w for w, (_v, k) in table.items() if k not in ("suffix", "article") and "-" not in w),
        key=len,
        reverse=True,
    )
    scales = sorted(
        (w for w, (_v, k) in table.items() if k in ("vague_prefix", "hundred", "dozen", "scale")),
        key=len,
        reverse=True,
    )
    alternation = "|".join(re.escape(w) for w in words)
    numerals = r"\d+|\p{No}|(?-u:\b)(?:" + alternation + r")(?:(?-u:\b)|\d)"
    articles = r"(?-u:\b)an?" + _SPACE + "+(?:" + "|".join(re.escape(w) for w in scales) + ")"
    return numerals, articles


def phrase_starts(sentences: pl.Series, rules: ExtractionRules) -> pl.Series:
    """Per sentence, the sorted character offsets where a number phrase may start."""
    numerals, articles = start_patterns(rules)
    masked = pl.col("s").str.replace_all("_", "#", literal=True)
    found_a, ends_a = matches(masked, numerals)
    found_b, ends_b = matches(masked, articles)
    frame = pl.DataFrame({"s": sentences}).with_row_index("row")
    length = pl.col("found").str.len_chars()
    long = [
        frame.select("row", found_a.alias("found"), ends_a.alias("end")).explode("found", "end"),
        frame.select("row", found_b.alias("found"), ends_b.alias("end")).explode("found", "end"),
    ]
    starts = pl.concat(
        [x.select("row", (pl.col("end") - length).alias("start")) for x in long]
        # "two2": the digit glued to a number word starts a token of its own
        + [
            long[0]
            .filter(pl.col("found").str.contains(r"^[A-Za-z].*\d$"))
            .select("row", (pl.col("end") - 1).alias("start"))
        ]
    ).drop_nulls()
    per_row = starts.unique().sort("row", "start").group_by("row", maintain_order=True).agg("start")
    return (
        frame.select("row")
        .join(per_row, on="row", how="left", maintain_order="left")
        .get_column("start")
        .fill_null([])
    )


def gate_tokens(tokens: list[Token], starts: list[int], scanner: PhraseScanner) -> list[int]:
    """Token indices that start at one of ``starts`` (sorted) and may start a phrase."""
    out = []
    n = len(tokens)
    for offset in starts:
        k = bisect.bisect_left(tokens, offset, key=_start)
        if k < n and tokens[k].start == offset and scanner.may_start(k):
            out.append(k)
    return out


def _start(token: Token) -> int:
    return token.start


def sentence_phrases(
    sentence: str,
    tokens: list[Token],
    rules: ExtractionRules,
    change: bool,
    starts: list[int] | None = None,
) -> list[NumberPhrase]:
    """Number phrases of one sentence (at the given start offsets, or trying every token)."""
    scanner = PhraseScanner(sentence, tokens, rules)
    gates = None if starts is None else gate_tokens(tokens, starts, scanner)
    return scanner.phrases(change, gates)


def phrase_rows(row: int, tokens: list[Token], phrases: list[NumberPhrase], out: dict) -> None:
    """Append the phrases of sentence ``row`` to the column lists of a mention frame."""
    for ph in phrases:
        out["row"].append(row)
        for name in _PHRASE_FIELDS:
            out[name].append(getattr(ph, name))
        out["char_start"].append(tokens[ph.start_tok].start)
        out["char_end"].append(tokens[ph.end_tok - 1].end)


def phrase_of(row: dict) -> NumberPhrase:
    """A mention frame row back as the phrase object the later stages read."""
    return NumberPhrase(*(row[name] for name in _PHRASE_FIELDS))


def find_number_phrases(
    sentence: str, rules: ExtractionRules, tokens: list[Token] | None = None, change: bool = False
) -> list[NumberPhrase]:
    """All number phrases of a sentence; ``change`` disables 'A to B' ranges (change verbs)."""
    toks = tokens if tokens is not None else tokenize(sentence)
    return sentence_phrases(sentence, toks, rules, change)


def parse_number(text: str, rules: ExtractionRules) -> float | None:
    """Value of the first number phrase in ``text`` (upper bound for ranges), or None."""
    phrases = find_number_phrases(text, rules)
    if not phrases:
        return None
    ph = phrases[0]
    return ph.high if ph.high is not None else ph.low


def number_mentions(
    sents: pl.DataFrame,
    tokens: TokenStore,
    changes: dict[int, bool],
    rules: ExtractionRules,
    every_token: bool = False,
) -> pl.DataFrame:
    """Number mentions of every candidate sentence (MENTION_SCHEMA); ``every_token`` tries
    each token instead of the vectorised starts (the serial reference)."""
    out: dict[str, list] = {k: [] for k in MENTION_SCHEMA}
    rows = sents.with_row_index("row").filter("candidate")
    starts: list = (
        [None] * rows.height
        if every_token
        else phrase_starts(rows.get_column("sentence"), rules).to_list()
    )
    seen: dict[tuple[str, bool], list[NumberPhrase]] = {}  # a sentence repeated word for word
    for row, sentence, found in zip(
        rows["row"].to_list(), rows["sentence"].to_list(), starts, strict=True
    ):
        toks = tokens[row]
        key = (sentence, changes.get(row, False))
        phrases = seen.get(key)
        if phrases is None:
            phrases = seen[key] = sentence_phrases(sentence, toks, rules, key[1], found)
        phrase_rows(row, toks, phrases, out)
    return pl.DataFrame(out, schema=MENTION_SCHEMA)
