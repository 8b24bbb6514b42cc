"""Entity mentions and alias resolution."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from transforms.entities import extract_entity_mentions, resolve_entity, resolve_names
from transforms.rules import load_rules, normalise_key

RULES = load_rules(Path(__file__).resolve().parents[2] / "reference")


@pytest.mark.parametrize("name", ["Rajin", "Najin", "Rason", "RAJIN", "rason"])
def test_port_aliases(name: str) -> None:
    out = resolve_entity(pl.DataFrame({"port": [name]}), "port", "port", RULES)
    assert out.row(0, named=True) == {
        "port": name,
        "port_entity_id": "port:rajin",
        "port_canonical": "Rajin",
    }


@pytest.mark.parametrize("name", ["Maia-1", "Maya-1", "Maya 1", "MAIA1", "maia 1"])
def test_vessel_aliases_ignore_punctuation(name: str) -> None:
    out = resolve_entity(pl.DataFrame({"vessel": [name]}), "vessel", "vessel", RULES)
    assert out["vessel_canonical"][0] == "Maia-1"


def test_unresolved_and_null_stay_null_and_rows_keep_order() -> None:
    frame = pl.DataFrame({"vessel": ["Unknown Star", None, "Angara"]})
    out = resolve_entity(frame, "vessel", "vessel", RULES)
    assert out["vessel_canonical"].to_list() == [None, None, "Angara"]
    assert out["vessel"].to_list() == frame["vessel"].to_list()


def test_type_filter() -> None:
    out = resolve_entity(pl.DataFrame({"x": ["Rajin"]}), "x", "vessel", RULES)
    assert out["x_entity_id"][0] is None


def test_resolve_names_series() -> None:
    got = resolve_names(pl.Series("port", ["Dunay", "Vostochny Port", "nowhere"]), "port", RULES)
    assert got.to_list() == ["Dunai", "Vostochny", None]


def test_normalise_key() -> None:
    assert normalise_key("Maia-1") == normalise_key("maya 1".replace("y", "i")) == "maia1"


def test_mentions_offsets_and_case_guards() -> None:
    text = "Let us see: the U.S. and the Pentagon said DPRK ships left Najin; times change."
    out = extract_entity_mentions(pl.DataFrame({"doc_id": ["a"], "text": [text]}), RULES)
    for row in out.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["surface"]
    assert out["entity_id"].to_list() == ["country:US", "org:pentagon", "country:KP", "port:rajin"]


def test_longest_alias_wins() -> None:
    text = "The Washington Post and South Korea's National Intelligence Service agreed."
    out = extract_entity_mentions(pl.DataFrame({"doc_id": ["a"], "text": [text]}), RULES)
    assert out["canonical_name"].to_list() == ["Washington Post", "NIS"]


def test_people_spellings() -> None:
    text = "Zelenskiy met Zelensky fans; Shin Won Sik and Shin Won-sik; Budanov spoke."
    out = extract_entity_mentions(pl.DataFrame({"doc_id": ["a"], "text": [text]}), RULES)
    assert out["canonical_name"].to_list() == [
        "Volodymyr Zelensky",
        "Volodymyr Zelensky",
        "Shin Won-sik",
        "Shin Won-sik",
        "Kyrylo Budanov",
    ]
