"""The sample inbox and the bad-input corpus: no claim from a vessel count, an army size or
page furniture, and claimants that are whole names (stage 3 and 4 on real files)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from supplyline.inbox import file_format
from supplyline.parsers import parse_document
from tests.bad_inputs import CASES
from transforms.claims import extract_claims
from transforms.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "reference")
# Counted nouns that are not supply, and labels of page furniture.
NOT_SUPPLY = re.compile(
    r"(?i)\b(?:ships?|vessels?|tankers?|army|armies|armed forces|strong|parades?|drills?)\b"
)
FURNITURE = re.compile(
    r"(?im)^\W*(?:related|read more|most read|see also|subscribe|advertisement)\b.*$"
)


def _claims(docs: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(
        docs,
        schema={
            "doc_id": pl.String,
            "text": pl.String,
            "published": pl.Date,
            "title": pl.String,
            "outlet": pl.String,
            "file_name": pl.String,
        },
    )
    return extract_claims(frame, RULES).join(frame.select("doc_id", "text"), on="doc_id")


@pytest.fixture(scope="module")
def inbox_claims() -> pl.DataFrame:
    docs = []
    for path in sorted((ROOT / "samples" / "inbox").iterdir()):
        fmt, kind = file_format(path.name)
        if kind != "text":
            continue
        d = parse_document(path.read_bytes(), fmt)
        docs.append(
            {
                "doc_id": path.name,
                "text": d.text,
                "published": d.published,
                "title": d.title,
                "outlet": d.outlet,
                "file_name": path.name,
            }
        )
    return _claims(docs)


@pytest.fixture(scope="module")
def corpus_claims(tmp_path_factory) -> pl.DataFrame:
    root = tmp_path_factory.mktemp("bad_text")
    outside = tmp_path_factory.mktemp("outside")
    docs = []
    for case in CASES:
        path = root / case.name
        if case.status != "loaded" or file_format(Path(case.name).name)[1] != "text":
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            case.build(path, outside)
            d = parse_document(path.read_bytes(), file_format(Path(case.name).name)[0])
        except Exception:  # noqa: BLE001 - unreadable inputs are the parsers' tests
            continue
        docs.append(
            {
                "doc_id": case.kind,
                "text": d.text,
                "published": d.published,
                "title": d.title,
                "outlet": d.outlet,
                "file_name": case.name,
            }
        )
    return _claims(docs)


@pytest.mark.parametrize("which", ["inbox_claims", "corpus_claims"])
def test_no_claim_from_vessels_armies_or_furniture(which: str, request) -> None:
    claims = request.getfixturevalue(which)
    for row in claims.iter_rows(named=True):
        assert not NOT_SUPPLY.search(row["quote"]), row["quote"]
        furniture = [m.span() for m in FURNITURE.finditer(row["text"])]
        assert not any(a <= row["char_start"] < b for a, b in furniture), row["quote"]


def test_inbox_claimants_are_whole_names(inbox_claims: pl.DataFrame) -> None:
    names = set(inbox_claims.get_column("attributed_to").drop_nulls()) | set(
        inbox_claims.get_column("claimant").drop_nulls()
    )
    assert not names & {"Seoul", "Western", "Satellite", "Buryatia"}, names
    assert not any(re.search(r"\.(?:md|txt|html|pdf)$", n) for n in names), names
    own = inbox_claims.filter(pl.col("attributed_to").is_null())
    assert own.height and own.get_column("claimant_kind").to_list() == ["outlet"] * own.height
    assert own.get_column("claimant").null_count() == 0
