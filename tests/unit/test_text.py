"""Sentence splitting keeps exact offsets and respects abbreviations."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from transforms.rules import load_rules
from transforms.text import split_sentences

ABBREVIATIONS = load_rules(Path(__file__).resolve().parents[2] / "reference").role("abbreviation")


def split(text: str) -> pl.DataFrame:
    return split_sentences(pl.DataFrame({"doc_id": ["d"], "text": [text]}), ABBREVIATIONS)


def test_offsets_round_trip() -> None:
    text = "  First one here. Second one?\n\nThird para! Still third.\n# Heading\n- item one"
    out = split(text)
    for row in out.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["sentence"]
    assert out["sentence"].to_list() == [
        "First one here.",
        "Second one?",
        "Third para!",
        "Still third.",
        "# Heading",
        "- item one",
    ]
    assert out["para_idx"].to_list() == [0, 0, 1, 1, 2, 3]
    assert out["sent_idx"].to_list() == [0, 1, 2, 3, 4, 5]


def test_abbreviations_and_initials_do_not_split() -> None:
    text = "Maj. Gen. Lee met J. Smith on Oct. 4 in the U.S. capital. Then he left."
    assert split(text)["sentence"].to_list() == [
        "Maj. Gen. Lee met J. Smith on Oct. 4 in the U.S. capital.",
        "Then he left.",
    ]


def test_decimals_and_quotes() -> None:
    text = 'It cost $1.5 billion. "We saw 3.2 million," he said. Next.'
    assert split(text)["sentence"].to_list() == [
        "It cost $1.5 billion.",
        '"We saw 3.2 million," he said.',
        "Next.",
    ]


def test_unicode_offsets() -> None:
    text = "Der Preis — €5 Mio. — stieg. Ukraïna said “yes”. Done."
    out = split(text)
    for row in out.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["sentence"]


def test_empty_and_schema() -> None:
    out = split_sentences(pl.DataFrame({"doc_id": ["d"], "text": [""]}), ABBREVIATIONS)
    assert out.height == 0
    assert out.schema["char_start"] == pl.Int64
