"""Pandera models and the quarantine gate: good rows pass, each kind of bad row is caught."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from schemas.gate import validate_rows
from schemas.raw import RawDocument
from schemas.staging import StgClaim, StgEntityMention, StgFigure, StgShipment


def claim(**overrides) -> dict:
    row = {
        "doc_id": "a" * 16,
        "claim_seq": 0,
        "metric": "containers",
        "value_low": 100.0,
        "value_high": 100.0,
        "unit": "containers",
        "qualifier": "exact",
        "attributed_to": "NIS",
        "reported_by": None,
        "supplier": "KP",
        "recipient": "RU",
        "period_start": None,
        "period_end": dt.date(2024, 1, 31),
        "quote": "100 containers",
        "char_start": 10,
        "char_end": 24,
    }
    return row | overrides


CLAIM_SCHEMA = {
    "claim_seq": pl.Int32,
    "reported_by": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value_low": pl.Float64,
    "value_high": pl.Float64,
}


@pytest.mark.parametrize(
    ("bad", "check"),
    [
        ({"value_low": 200.0}, "low_not_above_high"),
        ({"value_low": None, "value_high": None}, "has_a_bound"),
        ({"unit": "percent", "value_low": 120.0, "value_high": 120.0}, "percent within 0-100"),
        ({"qualifier": "maybe"}, "qualifier"),
        ({"supplier": "North Korea"}, "supplier"),
        ({"char_end": 10}, "char_start < char_end"),
        ({"value_low": -5.0}, "value_low"),
    ],
)
def test_claim_gate_quarantines_each_bad_row_and_keeps_the_rest(bad, check):
    frame = pl.DataFrame(
        [claim(), claim(claim_seq=1, **bad), claim(claim_seq=2)], schema_overrides=CLAIM_SCHEMA
    )
    gate = validate_rows(frame, StgClaim)
    assert gate.valid["claim_seq"].to_list() == [0, 2]
    assert gate.rejected["_row"].to_list() == [1]
    assert check in gate.rejected["reason"][0]
    assert sum(c.failing_count for c in gate.checks) >= 1
    assert all(
        c.tool == "pandera" and c.table == "staging.stg_reports__claims" for c in gate.checks
    )
    assert any(c.status == "warn" for c in gate.checks)  # rows are quarantined, the rest load


def test_claim_gate_rejects_duplicate_keys():
    frame = pl.DataFrame([claim(), claim()], schema_overrides=CLAIM_SCHEMA)
    gate = validate_rows(frame, StgClaim)
    assert gate.valid.is_empty() and gate.rejected.height == 2


def test_missing_column_rejects_every_row_with_the_reason():
    frame = pl.DataFrame([claim(), claim(claim_seq=1)], schema_overrides=CLAIM_SCHEMA).drop("quote")
    gate = validate_rows(frame, StgClaim)
    assert gate.valid.is_empty()
    assert set(gate.rejected["check_name"]) == {"schema"}
    assert "quote" in gate.rejected["reason"][0]


def test_shipment_and_figure_rows():
    ship = pl.DataFrame(
        {
            "row_number": [1, 2, 3],
            "unparsed_cells": ["", "containers", ""],
            "vessel": ["Angara", "Maria", "Lady R"],
            "vessel_id": ["vessel:angara", None, None],
            "departure_port": ["Rajin"] * 3,
            "departure_port_id": [None] * 3,
            "departure_date": [dt.date(2024, 1, 2), dt.date(2024, 1, 5), dt.date(2024, 1, 9)],
            "arrival_port": [None] * 3,
            "arrival_port_id": [None] * 3,
            "arrival_date": [dt.date(2024, 1, 4), None, dt.date(2024, 1, 1)],
            "containers": [120, None, 80],
            "evidence": [None] * 3,
            "source": [None] * 3,
        },
        schema_overrides={
            c: pl.String
            for c in ("departure_port_id", "arrival_port", "arrival_port_id", "evidence", "source")
        },
    )
    gate = validate_rows(ship, StgShipment)
    assert gate.valid["row_number"].to_list() == [1]
    reasons = dict(zip(gate.rejected["_row"], gate.rejected["reason"], strict=True))
    assert "every_cell_parses [containers]" in reasons[1]
    assert "arrival_date >= departure_date" in reasons[2]
    figure = pl.DataFrame(
        {
            "row_number": [1, 2],
            "unparsed_cells": ["", ""],
            "metric": ["troops_deployed"] * 2,
            "value_low": [11000.0, 5.0],
            "value_high": [12000.0, 1.0],
            "unit": ["persons"] * 2,
            "qualifier": ["range", "range"],
            "period_start": [None, None],
            "period_end": [dt.date(2024, 12, 1)] * 2,
            "source": ["NIS", "NIS"],
            "note": [None, None],
        },
        schema_overrides={"period_start": pl.Date, "note": pl.String},
    )
    gate = validate_rows(figure, StgFigure)
    assert gate.valid["row_number"].to_list() == [1]
    assert "low_not_above_high" in gate.rejected["reason"][0]


def test_raw_document_and_mention_models():
    docs = pl.DataFrame(
        {
            "doc_id": ["0123456789abcdef", "xyz"],
            "sha256": ["0" * 64, "1" * 64],
            "file_name": ["a.md", "b.md"],
            "format": ["md", "md"],
            "title": [None, None],
            "url": [None, None],
            "outlet": [None, None],
            "published": [dt.date(2024, 5, 1), dt.date(1850, 1, 1)],
            "text": ["Body.", "Body."],
            "published_source": ["front_matter", "meta"],
            "outlet_source": ["none", "file_name"],
        },
        schema_overrides={"title": pl.String, "url": pl.String, "outlet": pl.String},
    )
    gate = validate_rows(docs, RawDocument)
    assert gate.valid["file_name"].to_list() == ["a.md"]
    assert "doc_id" in gate.rejected["reason"][0] and "published" in gate.rejected["reason"][0]
    mentions = pl.DataFrame(
        {
            "doc_id": ["d", "d"],
            "entity_id": ["port:rajin", "x"],
            "entity_type": ["port", "planet"],
            "canonical_name": ["Rajin", "X"],
            "surface": ["Najin", "X"],
            "char_start": [0, 5],
            "char_end": [5, 6],
        }
    )
    assert validate_rows(mentions, StgEntityMention).rejected["_row"].to_list() == [1]
