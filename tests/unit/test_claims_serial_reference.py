"""The batch extractor gives exactly what its serial reference gives.

``extract_claims`` reads a whole batch at once: Rust-regex passes over every sentence pick
where a number may start and which sentences may hold a reporting cue, soldiers, a period or
a change verb, and sentences repeated across documents share their tokens and number
phrases. ``extract_claims_serial`` reads one document at a time, tries every token and every
sentence, and shares nothing. Both run over every evaluation set in tests/data and the
sample inbox, alone and as one batch with every document twice (so the sharing is used).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scripts.eval_sets import parse_folder
from supplyline.inbox import file_format
from supplyline.parsers import parse_document
from transforms.claims import extract_claims, extract_claims_serial
from transforms.claims.sentences import phrase_hint
from transforms.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "reference")
DATA = ROOT / "tests" / "data"
SETS = sorted(p.name for p in DATA.iterdir() if p.is_dir() and (p / "gold.jsonl").exists())
SCHEMA = {"doc_id": pl.String, "text": pl.String, "published": pl.Date, "outlet": pl.String}


def _inbox_documents(inbox: Path) -> pl.DataFrame:
    rows = []
    for path in sorted(inbox.iterdir()):
        fmt, kind = file_format(path.name)
        if kind != "text":
            continue
        doc = parse_document(path.read_bytes(), fmt or "txt", path.name)
        rows.append(
            {
                "doc_id": path.name,
                "text": doc.text,
                "published": doc.published,
                "outlet": doc.outlet,
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)


def _twice(docs: pl.DataFrame) -> pl.DataFrame:
    """Every document again under another id, interleaved: repeated sentences in one batch."""
    copy = docs.with_columns(pl.col("doc_id") + "#copy")
    return pl.concat([docs, copy]).sort("doc_id")


def _same(docs: pl.DataFrame) -> pl.DataFrame:
    fast = extract_claims(docs, RULES)
    serial = extract_claims_serial(docs, RULES)
    assert fast.height > 0
    assert_frame_equal(fast, serial)
    return fast


def test_the_evaluation_sets_are_there() -> None:
    assert {"heldout", "heldout2", "blind-b1", "blind-b4"} <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_fast_path_equals_serial_reference_on_evaluation_set(name: str) -> None:
    docs = parse_folder(DATA / name)
    claims = _same(docs)
    assert set(claims["doc_id"]) <= set(docs["doc_id"])


def test_fast_path_equals_serial_reference_with_every_document_twice() -> None:
    docs = _twice(pl.concat([parse_folder(DATA / name) for name in SETS]))
    claims = _same(docs)
    per_copy = claims.group_by(pl.col("doc_id").str.ends_with("#copy")).len()
    assert per_copy["len"].n_unique() == 1  # a copy gives what its original gives


def test_fast_path_equals_serial_reference_on_sample_inbox() -> None:
    _same(_inbox_documents(ROOT / "samples" / "inbox"))


def test_phrase_hint_is_a_superset_of_the_token_match() -> None:
    hint = phrase_hint({("rose",), ("build-up", "of")})
    assert hint is not None
    frame = pl.DataFrame(
        {"sentence": ["It rose.", "a_rose", "ROSE", "prose", "a build-up of", "nothing"]}
    )
    got = frame.select(hint).to_series().to_list()
    assert got == [True, True, True, False, True, False]
    assert phrase_hint({("élan",)}) is None  # a non-ASCII first word: no prefilter


WRITTEN = [  # our own sentences: change verbs, emphasis, capitals, repeated sentences
    "Shell deliveries to the front doubled from 15,000 to 30,000 a month in 2024, the"
    " Harbour Study Group said.",
    "According to Ukraine's defence ministry, North Korean shipments _rose_ from 2,000 to"
    " 3,500 containers of ammunition.",
    "OFFICIALS SAID ARTILLERY SHELL OUTPUT CLIMBED FROM 1.2 MILLION TO 1.7 MILLION ROUNDS.",
    "Between 10,000 and 12,000 troops were deployed to Kursk, Seoul's spy agency said.",
]


def test_fast_path_equals_serial_reference_on_change_verbs() -> None:
    docs = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "text": [" ".join(WRITTEN), " ".join(reversed(WRITTEN)), WRITTEN[1]],
            "published": [None, None, None],
            "outlet": [None, None, None],
        },
        schema=SCHEMA,
    )
    claims = _same(docs)
    shipped = claims.filter(pl.col("doc_id") == "c")
    assert sorted(shipped["value_low"].to_list()) == [2000.0, 3500.0]  # a change: two figures
