"""Stage 1: sentences of every document (offsets kept) with vectorised flags, and tokens."""

from __future__ import annotations

import bisect
import re

import polars as pl

from transforms.claims.tokens import Token, tokenize
from transforms.entities import Mention
from transforms.expressions import has_number
from transforms.rules import ExtractionRules
from transforms.text import split_sentences

_CAPTION_RUST = r"(?s)^\s*[*_][^*_\s].*[*_][\s.]*$"


def furniture_pattern(rules: ExtractionRules) -> str:
    """Rust regex for a line that opens with a page-furniture label ("Read more:",
    "Related brief:", "[Photo caption]", "*Photo:"), from the ``furniture`` cues."""
    labels = sorted(rules.cue_sets.get("furniture", set()), key=len, reverse=True)
    words = "|".join(r"\s+".join(re.escape(w) for w in label) for label in labels)
    return r"(?i)^[\s*_>\[(]*(?:" + words + r")(?-u:\b)[^\n:\]]{0,40}(?::|\])"


def word_hint(words: set[str] | frozenset[str]) -> str:
    """Rust regex for text that may hold a token equal to one of ``words`` (lower case): a
    superset test, since a word token starts after a non-alphanumeric character (with "_"
    masked as "#" first)."""
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return r"(?i)(?-u:\b)(?:" + alternation + ")"


def phrase_hint(phrases) -> pl.Expr | None:
    """Whether a ``sentence`` may hold one of ``phrases`` (word tuples from reference/), as
    a Rust-regex test over the whole column: a superset of the token match, since the
    phrase's first word must then start a token. None when a first word does not open with
    an ASCII letter (the ASCII word boundary would not be a superset there)."""
    firsts = {p[0] for p in phrases if p}
    if not firsts or not all(w[:1].isascii() and w[:1].isalpha() for w in firsts):
        return None
    return (
        pl.col("sentence").str.replace_all("_", "#", literal=True).str.contains(word_hint(firsts))
    )


def _first_words(phrases) -> set[str]:
    return {p[0] for p in phrases if p and p[0][:1].isalpha()}


def sentence_frame(docs: pl.DataFrame, rules: ExtractionRules) -> pl.DataFrame:
    """One row per sentence: doc_id, para_idx, sent_idx, char_start, char_end, sentence, and
    flags found with one regex pass each over all sentences: ``candidate`` (holds a numeral
    or a number word), ``display`` (a heading or an italic caption) and ``furniture`` (in a
    paragraph that opens with a furniture label). Display and furniture text gives no claim:
    a headline figure is trusted only where the body states it."""
    sents = split_sentences(docs, rules.role("abbreviation"))
    text = pl.col("sentence")
    masked = text.str.replace_all("_", "#", literal=True)
    reporting = _first_words(
        c
        for c, kind in rules.attribution.items()
        if kind in ("before", "chain", "after", "after_weak", "backref")
    )
    return sents.with_columns(
        has_number("sentence", rules).alias("candidate"),
        # may hold a reporting cue ("said", "according to") or a source in brackets
        (masked.str.contains(word_hint(reporting)) | text.str.contains(r"\)[\s.;,*_]*$")).alias(
            "cue_hint"
        ),
        # may name soldiers
        masked.str.contains(word_hint(_first_words(rules.troop_nouns))).alias("troop_hint"),
        (
            text.str.starts_with("#")
            | text.str.strip_chars_start().str.starts_with("#")
            | text.str.contains(_CAPTION_RUST)
        ).alias("display"),
        text.str.contains(furniture_pattern(rules))
        .first()
        .over("doc_id", "para_idx")
        .alias("furniture"),
        # may name a reporting period: the period readers need a year, "year" or a month
        text.str.contains(_dated_pattern(rules)).alias("dated"),
    )


def _dated_pattern(rules: ExtractionRules) -> str:
    months = "|".join(
        re.escape(m.capitalize()) for m in sorted(rules.month_numbers, key=len, reverse=True)
    )
    return r"(?:19|20)\d\d|(?i:year)|(?:" + months + ")"


class TokenStore:
    """Tokens of the sentences, made on first use (most sentences never need them)."""

    def __init__(self, sents: pl.DataFrame) -> None:
        self.texts = sents.get_column("sentence").to_list()
        self.tokens: list[list[Token] | None] = [None] * len(self.texts)
        # Sentences repeated word for word (wire copy relayed by several outlets, boilerplate)
        # share one token list: tokens are never changed after they are made.
        self.by_text: dict[str, list[Token]] = {}

    def __getitem__(self, row: int) -> list[Token]:
        found = self.tokens[row]
        if found is None:
            text = self.texts[row]
            found = self.by_text.get(text)
            if found is None:
                found = self.by_text[text] = tokenize(text)
            self.tokens[row] = found
        return found


def sentence_tokens(sents: pl.DataFrame) -> TokenStore:
    """Tokens of every sentence, by row."""
    return TokenStore(sents)


def is_question(sentence: str) -> bool:
    """The sentence asks a question."""
    return sentence.rstrip(" *_\"'”’").endswith("?")


class SentenceMentions:
    """Alias mentions of one document, cut per sentence with sentence-relative offsets."""

    def __init__(self, doc_mentions: list[Mention]) -> None:
        self.mentions = doc_mentions
        self.ends = [m.end for m in doc_mentions]
        self.cut: dict[tuple[int, int], list[Mention]] = {}

    def within(self, s0: int, s1: int) -> list[Mention]:
        """Mentions wholly inside [s0, s1), shifted to the sentence."""
        found = self.cut.get((s0, s1))
        if found is None:
            found = self.cut[(s0, s1)] = self._within(s0, s1)
        return found

    def _within(self, s0: int, s1: int) -> list[Mention]:
        out = []
        mentions = self.mentions
        for k in range(bisect.bisect_right(self.ends, s0), len(mentions)):
            m = mentions[k]
            if m.start >= s1:
                break  # mentions are sorted and disjoint: none later ends inside the sentence
            if m.start >= s0 and m.end <= s1:
                out.append(
                    Mention(
                        m.start - s0,
                        m.end - s0,
                        m.entity_id,
                        m.entity_type,
                        m.canonical,
                        m.iso2,
                        m.surface,
                    )
                )
        return out
