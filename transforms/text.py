"""Paragraph and sentence segmentation with exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

SENTENCE_SCHEMA = {
    "doc_id": pl.String,
    "para_idx": pl.Int32,
    "sent_idx": pl.Int32,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
    "sentence": pl.String,
}

# Lines that stand alone as a paragraph: headings, list items, quotes, table rows.
_BLOCK_LINE = re.compile(r"[ \t]*(?:#|[-*+] |\d+\. |>|\|)")

# Candidate sentence ends: terminal punctuation, optional closing quotes/brackets,
# then whitespace and something that can start a sentence.
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


def _is_abbreviation(text: str, dot_pos: int, abbreviations: frozenset[str]) -> bool:
    """True when the full stop at ``dot_pos`` closes an abbreviation (one of
    ``abbreviations``, lower case, inner dots kept: "u.s") or an initial."""
    start = dot_pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot_pos].lower()
    if not word:
        return False
    if word in abbreviations:
        return True
    # Single capital initials ("J. Byrne") and dotted acronyms ("U.S.").
    return (len(word) == 1 and text[start].isupper()) or bool(
        re.fullmatch(r"(?:[a-z]\.)+[a-z]", word)
    )


def iter_paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) offsets of paragraphs.

    Blank lines end a paragraph; Markdown block lines (heading, list item, quote, table
    row) are paragraphs of their own, so a heading never runs into the byline below it.
    Other single newlines are hard wraps inside a paragraph.
    """
    start: int | None = None
    end = 0
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        line = m.group().rstrip("\n")
        if m.start() == len(text) and not line:
            break
        if not line.strip():
            if start is not None:
                yield start, end
                start = None
            continue
        line_end = m.start() + len(line)
        if _BLOCK_LINE.match(line):
            if start is not None:
                yield start, end
            yield m.start(), line_end
            start = None
            continue
        if start is None:
            start = m.start()
        end = line_end
    if start is not None:
        yield start, end


def iter_sentences(
    text: str, start: int, end: int, abbreviations: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """Yield (start, end) offsets of sentences inside ``text[start:end]``, whitespace-trimmed."""
    seg_start = start
    for m in _SENT_END.finditer(text, start, end):
        first_dot = m.start()
        if (
            text[first_dot] == "."
            and m.end() - first_dot == 1
            and _is_abbreviation(text, first_dot, abbreviations)
        ):
            continue
        yield from _trimmed(text, seg_start, m.end())
        seg_start = m.end()
    yield from _trimmed(text, seg_start, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def split_text(text: str, abbreviations: frozenset[str]) -> list[tuple[int, int, int, int]]:
    """(para_idx, sent_idx, char_start, char_end) for every sentence of one document."""
    out: list[tuple[int, int, int, int]] = []
    para_idx = 0
    sent_idx = 0
    for p_start, p_end in iter_paragraphs(text):
        spans = list(iter_sentences(text, p_start, p_end, abbreviations))
        if not spans:
            continue
        for s_start, s_end in spans:
            out.append((para_idx, sent_idx, s_start, s_end))
            sent_idx += 1
        para_idx += 1
    return out


def split_sentences(docs: pl.DataFrame, abbreviations: frozenset[str]) -> pl.DataFrame:
    """One row per sentence: doc_id, para_idx, sent_idx, char_start, char_end, sentence.

    Offsets are Python string indices into ``text`` so that
    ``text[char_start:char_end] == sentence``; ``sent_idx`` counts within the document.
    """
    rows: dict[str, list] = {k: [] for k in SENTENCE_SCHEMA}
    for doc_id, text in docs.select("doc_id", "text").iter_rows():
        if not text:
            continue
        for para_idx, sent_idx, start, end in split_text(text, abbreviations):
            rows["doc_id"].append(doc_id)
            rows["para_idx"].append(para_idx)
            rows["sent_idx"].append(sent_idx)
            rows["char_start"].append(start)
            rows["char_end"].append(end)
            rows["sentence"].append(text[start:end])
    return pl.DataFrame(rows, schema=SENTENCE_SCHEMA)
