"""Character offsets of regex matches for a whole column at once (Rust regex engine)."""

from __future__ import annotations

import polars as pl


def matches(text: pl.Expr, body: str, flags: str = "i") -> tuple[pl.Expr, pl.Expr]:
    """(matched texts, character offsets where each match ends), a list per row.

    Matches of ``.*?(?:P)`` tile the text from its start up to the last match of P (both
    searches are leftmost-first), so the running sum of their lengths is where each match
    of P ends.
    """
    tiles = text.str.extract_all(f"(?{flags}s).*?(?:" + body + ")")
    found = text.str.extract_all((f"(?{flags})" if flags else "") + body)
    return found, tiles.list.eval(pl.element().str.len_chars().cum_sum())


def match_starts(texts: pl.Series, body: str, flags: str = "") -> list[list[int]]:
    """Per text, the sorted character offsets where matches of ``body`` start."""
    found, ends = matches(pl.col("t"), body, flags)
    frame = (
        pl.DataFrame({"t": texts})
        .with_row_index("row")
        .select("row", found.alias("found"), ends.alias("end"))
        .explode("found", "end")
    )
    starts = frame.select(
        "row", (pl.col("end") - pl.col("found").str.len_chars()).alias("start")
    ).drop_nulls()
    per_row = starts.group_by("row", maintain_order=True).agg("start")
    rows = pl.DataFrame({"row": pl.arange(0, texts.len(), eager=True).cast(pl.UInt32)})
    return (
        rows.join(per_row, on="row", how="left", maintain_order="left")
        .get_column("start")
        .fill_null([])
        .to_list()
    )
