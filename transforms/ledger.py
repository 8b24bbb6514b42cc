"""Decide what to do with each file found in the inbox, given the ledger of files seen before."""

from __future__ import annotations

import polars as pl

SCANNED_SCHEMA = {
    "path": pl.String, "sha256": pl.String, "size_bytes": pl.Int64, "format": pl.String,
    "kind": pl.String, "skip_reason": pl.String,
}
LEDGER_SCHEMA = {"path": pl.String, "sha256": pl.String, "format": pl.String, "version": pl.Int32,
                 "status": pl.String, "first_seen": pl.Datetime("us")}


def plan_ingest(scanned: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """Add ``action`` (unchanged | skipped | duplicate | new), ``version`` and ``duplicate_of``.

    A (path, content) pair seen before is unchanged; content of the same format already loaded
    under another path (earlier in the ledger or earlier in this batch) is a duplicate; a known
    path with new content is the next version of that path. Content that failed before is parsed
    again under a new name, so the new name gets its own error.
    """
    seen_pairs = ledger.select("path", "sha256", seen=pl.lit(True))
    first_holder = (
        pl.concat([
            ledger.filter(pl.col("status") == "loaded").sort("first_seen", "path")
            .select("sha256", "format", "path"),
            scanned.filter(pl.col("skip_reason").is_null()).select("sha256", "format", "path"),
        ])
        .unique(["sha256", "format"], keep="first", maintain_order=True)
        .select("sha256", "format", holder="path")
    )
    versions = ledger.group_by("path").agg(pl.col("version").max().alias("prior_version"))
    return (
        scanned.join(seen_pairs, on=["path", "sha256"], how="left")
        .join(first_holder, on=["sha256", "format"], how="left", nulls_equal=True)
        .join(versions, on="path", how="left")
        .with_columns(
            action=pl.when(pl.col("seen")).then(pl.lit("unchanged"))
            .when(pl.col("skip_reason").is_not_null()).then(pl.lit("skipped"))
            .when(pl.col("holder") != pl.col("path")).then(pl.lit("duplicate"))
            .otherwise(pl.lit("new")),
            version=(pl.col("prior_version").fill_null(0) + 1).cast(pl.Int32),
        )
        .with_columns(
            duplicate_of=pl.when(pl.col("action") == "duplicate").then(pl.col("holder")),
        )
        .drop("seen", "holder", "prior_version")
    )
