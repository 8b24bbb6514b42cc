"""Ingest planning and table normalisation transforms, compared with golden frames."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from supplyline.settings import REPO_ROOT
from supplyline.shapes import load_shapes
from transforms.ledger import LEDGER_SCHEMA, SCANNED_SCHEMA, plan_ingest
from transforms.tables import interpret, match_shape

SHAPES = load_shapes(REPO_ROOT / "reference")
SPECS = {spec.shape: spec for spec in SHAPES}
ALIASES = pl.read_csv(REPO_ROOT / "reference" / "aliases.csv", infer_schema=False)


def test_plan_ingest_marks_unchanged_duplicate_versions_and_skips():
    scanned = pl.DataFrame(
        {
            "path": ["a.txt", "b.txt", "c.txt", "d.txt", "link.txt"],
            "sha256": ["h1", "h2", "h2", "h3", "hx"],
            "size_bytes": [1] * 5,
            "format": ["txt"] * 5,
            "kind": ["text"] * 4 + [None],
            "skip_reason": [None] * 4 + ["symbolic link"],
        },
        schema=SCANNED_SCHEMA,
    )
    ledger = pl.DataFrame(
        {
            "path": ["a.txt", "d.txt"],
            "sha256": ["h1", "h0"],
            "format": ["txt"] * 2,
            "version": [1, 1],
            "status": ["loaded"] * 2,
            "first_seen": [dt.datetime(2024, 1, 1)] * 2,
        },
        schema=LEDGER_SCHEMA,
    )
    plan = plan_ingest(scanned, ledger).select("path", "action", "version", "duplicate_of")
    expected = pl.DataFrame(
        {
            "path": ["a.txt", "b.txt", "c.txt", "d.txt", "link.txt"],
            "action": ["unchanged", "new", "duplicate", "new", "skipped"],
            "version": [2, 1, 1, 2, 1],
            "duplicate_of": [None, None, "b.txt", None, None],
        },
        schema_overrides={"version": pl.Int32},
    )
    assert_frame_equal(plan, expected)


def test_plan_ingest_duplicate_of_content_already_in_the_ledger():
    scanned = pl.DataFrame(
        {
            "path": ["copy.md"],
            "sha256": ["h1"],
            "size_bytes": [1],
            "format": ["md"],
            "kind": ["text"],
            "skip_reason": [None],
        },
        schema=SCANNED_SCHEMA,
    )
    ledger = pl.DataFrame(
        {
            "path": ["orig.md", "bad.md"],
            "sha256": ["h1", "h2"],
            "format": ["md", "md"],
            "version": [1, 1],
            "status": ["loaded", "failed"],
            "first_seen": [dt.datetime(2024, 1, 1)] * 2,
        },
        schema=LEDGER_SCHEMA,
    )
    plan = plan_ingest(scanned, ledger)
    assert plan.row(0, named=True)["action"] == "duplicate"
    assert plan.row(0, named=True)["duplicate_of"] == "orig.md"
    # Same bytes that failed before, or the same bytes read as another format, are parsed afresh.
    again = pl.DataFrame(
        {
            "path": ["bad copy.md", "orig.txt"],
            "sha256": ["h2", "h1"],
            "size_bytes": [1, 1],
            "format": ["md", "txt"],
            "kind": ["text"] * 2,
            "skip_reason": [None] * 2,
        },
        schema=SCANNED_SCHEMA,
    )
    assert plan_ingest(again, ledger)["action"].to_list() == ["new", "new"]


def test_match_shape_by_header_synonyms():
    found = match_shape(
        ["Ship", "From", "Sailed", "To", "Arrived", "TEU/containers", "Basis"], SHAPES
    )
    assert found.shape == "shipments"
    assert found.fields["vessel"] == "Ship" and found.fields["containers"] == "TEU/containers"
    assert match_shape(["foo", "bar"], SHAPES) is None
    assert match_shape(["date", "metric", "value_low", "source"], SHAPES).shape == "figures"


def test_normalise_shipments_parses_dates_counts_and_resolves_names():
    rows = pl.DataFrame(
        {
            "row_number": [1, 2],
            "Ship": ["Maya 1", "Unknown Star"],
            "From": ["Najin", "Rason"],
            "Sailed": ["45296", "12/01/2024"],
            "To": ["DUNAY", "Vostochny"],
            "Boxes": ["1,204", "n/a"],
        }
    )
    found = match_shape(rows.columns[1:], SHAPES)
    assert found.fields == {
        "vessel": "Ship",
        "departure_date": "Sailed",
        "departure_port": "From",
        "arrival_port": "To",
        "containers": "Boxes",
    }
    out = interpret(rows, SPECS["shipments"], found, ALIASES).rows
    assert out["departure_date"].to_list() == [dt.date(2024, 1, 5), dt.date(2024, 1, 12)]
    assert out["containers"].to_list() == [1204, None]
    assert out["unparsed_cells"].to_list() == ["", "containers"]
    assert out["vessel_id"].to_list() == ["vessel:maia-1", None]
    assert out["departure_port_id"].to_list() == ["port:rajin", "port:rajin"]
    assert out["arrival_port_id"].to_list() == ["port:dunai", "port:vostochny"]


def test_normalise_figures_point_values_and_open_bounds():
    rows = pl.DataFrame(
        {
            "row_number": [1, 2, 3],
            "date": ["2024-12-01", "2025-01-10", "2025-02-01"],
            "metric": ["Troops deployed", "troop_casualties", "x"],
            "value_low": ["11 000", "3000", "5"],
            "value_high": [None, None, None],
            "qualifier": ["approx", "at_least", ""],
        }
    )
    metrics = pl.DataFrame(
        {"metric": ["troops_deployed", "troop_casualties"], "unit": ["persons"] * 2}
    )
    found = match_shape(rows.columns[1:], SHAPES)
    assert found.shape == "figures" and found.fields["period_end"] == "date"
    out = interpret(rows, SPECS["figures"], found, metrics=metrics).rows
    assert out.select("metric", "value_low", "value_high", "qualifier", "unit").rows() == [
        ("troops_deployed", 11000.0, 11000.0, "approx", "persons"),
        ("troop_casualties", 3000.0, None, "at_least", "persons"),
        ("x", 5.0, 5.0, "exact", None),  # an empty qualifier is a plain figure; x has no unit
    ]
