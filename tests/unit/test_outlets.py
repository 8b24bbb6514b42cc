"""Where a document's outlet comes from when its header names none."""

import polars as pl

from transforms.claims.outlet import outlet_frame, with_page_outlets


def _docs(**cols) -> pl.DataFrame:
    n = len(cols["text"])
    base = {"doc_id": [f"d{i}" for i in range(n)], "outlet": [None] * n, "file_name": ["x.txt"] * n}
    return pl.DataFrame({**base, **cols}, schema_overrides={"outlet": pl.String})


def test_page_beats_file_name_and_header_beats_both():
    docs = _docs(
        text=[
            "HARBIN, May 2 (Amur Daily Signal) - Two trains left the depot.",
            "Plain body text.",
            "Plain body text.",
            "Plain body text.",
        ],
        outlet=[None, None, "Quay Review", None],
        file_name=[
            "amur_signal_2025-05-02_trains.txt",
            "river_post_2025-05-02_barges.txt",
            "river_post_2025-05-02_barges.txt",
            "notes.txt",
        ],
    )
    found = outlet_frame(docs)
    assert found.rows() == [
        ("Amur Daily Signal", "page"),
        ("River Post", "file_name"),
        ("Quay Review", "given"),
        (None, "none"),
    ]


def test_ingest_keeps_the_parser_source_and_marks_page_and_file_name():
    docs = _docs(
        text=["Body.\n\n© 2025 Steppe Monitor", "Body.", "Body."],
        outlet=[None, None, "Quay Review"],
        file_name=["a.txt", "inland_wire_2024-11-02_x.txt", "b.md"],
    ).with_columns(outlet_source=pl.Series(["none", "none", "front_matter"]))
    out = with_page_outlets(docs)
    assert out.select("outlet", "outlet_source").rows() == [
        ("Steppe Monitor", "page"),
        ("Inland Wire", "file_name"),
        ("Quay Review", "front_matter"),
    ]
