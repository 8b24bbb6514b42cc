"""The fast extractor paths give exactly what the reference Python paths give.

Entity mentions are found with one Polars (Rust regex) pass over a batch and placed back
into each text in Python; ``find_mentions`` (Python ``re``) is the reference. The tokenizer
places ``findall`` tokens with ``str.find``; ``finditer`` spans are the reference.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from transforms import entities
from transforms.claims.tokens import _TOKEN, tokenize
from transforms.entities import (
    _RUST_UNSAFE,
    extract_entity_mentions,
    find_mentions,
    mentions_by_doc,
)
from transforms.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "reference")

BASE = [
    "North Korea has sent about 11,000 troops to Russia, the National Intelligence Service"
    " in Seoul stated on Tuesday, according to Yonhap.",
    "The Washington Post and the US State Department cited Kim Jong Un and Shin Won-sik.",
    "Ukraine's military intelligence (HUR) said the DPRK shipped KN-23 missiles via Rajin.",
]
VARIANTS = [
    lambda t: t,
    str.upper,
    str.lower,
    lambda t: "Ünïcødé 😀 — 한국어 “quoted” café. " + t,  # multi-byte text before the names
    lambda t: re.sub(r"\b([A-Z][a-z]+)\b", r"_\1_", t),  # Markdown emphasis with underscores
    lambda t: t.replace(" ", "\n"),  # hard wraps inside multi-word aliases
    lambda t: t.replace(" ", "  ").replace("-", " - "),  # separator runs
    lambda t: t.replace(" ", "\u00a0"),  # no-break spaces
    lambda t: t.replace("a ", "é ").replace("s ", "s😀 "),  # non-ASCII letters next to names
    lambda t: "x" + t.replace(" ", "") + "x",  # glued words: no boundaries
]
EXOTIC = [  # letters Python matches ignoring case but Rust does not, Python-only spaces
    "İran, Ruſsia and North \u212aorea.",
    "North\x1cKorea and Russia.",
]


def _texts() -> list[str]:
    out = [v(t) for t in BASE for v in VARIANTS] + EXOTIC
    heldout = sorted((ROOT / "tests/data/heldout").glob("*.md"))
    out += [p.read_text(encoding="utf-8") for p in heldout]
    return out


def test_batch_mentions_equal_python_re() -> None:
    texts = _texts()
    entities._LAST.clear()
    docs = pl.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts})
    got = mentions_by_doc(docs, RULES)
    assert got == [find_mentions(t, RULES) for t in texts]


def test_rust_path_places_every_match_without_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [t for t in _texts() if not re.search(_RUST_UNSAFE, t)]
    expected = [find_mentions(t, RULES) for t in texts]

    def no_fallback(text: str, rules: object) -> list:
        raise AssertionError(f"fell back to Python for {text[:60]!r}")

    monkeypatch.setattr(entities, "find_mentions", no_fallback)
    assert entities._compute_mentions(pl.Series(texts), RULES) == expected


def test_unsafe_characters_take_the_python_path() -> None:
    for text in EXOTIC:
        assert re.search(_RUST_UNSAFE, text)
    assert find_mentions(EXOTIC[0], RULES)  # Python matches "İran" ignoring case


def test_shared_pass_is_not_reused_for_other_texts() -> None:
    entities._LAST.clear()
    a = pl.DataFrame({"doc_id": ["a"], "text": ["Russia and North Korea."]})
    b = pl.DataFrame({"doc_id": ["a"], "text": ["Ukraine."]})
    first = mentions_by_doc(a, RULES)
    assert first == [find_mentions("Russia and North Korea.", RULES)]
    names = extract_entity_mentions(b, RULES)["canonical_name"].to_list()
    assert names == [m.canonical for m in find_mentions("Ukraine.", RULES)] == ["Ukraine"]
    assert mentions_by_doc(a, RULES) == first


def test_null_and_empty_texts() -> None:
    docs = pl.DataFrame({"doc_id": ["a", "b", "c"], "text": [None, "", "Russia"]})
    out = extract_entity_mentions(docs, RULES)
    assert out["doc_id"].to_list() == ["c"]


@pytest.mark.parametrize(
    "text", [*_texts()[:40], "  lead  and trail  ", "", "a\u2009b\u00a0c 1 000 $5bn 10-12,000"]
)
def test_tokenize_matches_finditer(text: str) -> None:
    expected = [(m.group(), m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    assert [(t.text, t.start, t.end, t.low) for t in tokenize(text)] == expected
