"""Decide what to do with each file found in the inbox, given the ledger of files seen before."""

from __future__ import annotations

import polars as pl

SCANNED_SCHEMA = pl.Schema(
    {
        "path": pl.String,
        "sha256": pl.String,
        "size_bytes": pl.Int64,
        "format": pl.String,
        "kind": pl.String,
        "skip_reason": pl.String,
    }
)
LEDGER_SCHEMA = pl.Schema(
    {
        "path": pl.String(),
        "sha256": pl.String(),
        "format": pl.String(),
        "version": pl.Int32(),
        "status": pl.String(),
        "first_seen": pl.Datetime("us"),
    }
)


def plan_ingest(scanned: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """Add ``action`` (unchanged | skipped | duplicate | new), ``version`` and ``duplicate_of``.

    A (path, content) pair seen before is unchanged; content of the same format already loaded
    under another path (earlier in the ledger or earlier in this batch) is a duplicate; a known
    path with new content is the next version of that path. Content that failed before is parsed
    again under a new name, so the new name gets its own error.
    """
    seen_pairs = ledger.select("path", "sha256", seen=pl.lit(True))
    first_holder = (
        pl.concat(
            [
                ledger.filter(pl.col("status") == "loaded")
                .sort("first_seen", "path")
                .select("sha256", "format", "path"),
                scanned.filter(pl.col("skip_reason").is_null()).select("sha256", "format", "path"),
            ]
        )
        .unique(["sha256", "format"], keep="first", maintain_order=True)
        .select("sha256", "format", holder="path")
    )
    versions = ledger.group_by("path").agg(pl.col("version").max().alias("prior_version"))
    return (
        scanned.join(seen_pairs, on=["path", "sha256"], how="left")
        .join(first_holder, on=["sha256", "format"], how="left", nulls_equal=True)
        .join(versions, on="path", how="left")
        .with_columns(
            action=pl.when(pl.col("seen"))
            .then(pl.lit("unchanged"))
            .when(pl.col("skip_reason").is_not_null())
            .then(pl.lit("skipped"))
            .when(pl.col("holder") != pl.col("path"))
            .then(pl.lit("duplicate"))
            .otherwise(pl.lit("new")),
            version=(pl.col("prior_version").fill_null(0) + 1).cast(pl.Int32),
        )
        .with_columns(
            duplicate_of=pl.when(pl.col("action") == "duplicate").then(pl.col("holder")),
        )
        .drop("seen", "holder", "prior_version")
    )


# ops.files: one row per (path, content) the inbox ever held, and what became of it.
FILES_SCHEMA = pl.Schema(
    {
        "path": pl.String(),
        "sha256": pl.String(),
        "size_bytes": pl.Int64(),
        "format": pl.String(),
        "kind": pl.String(),
        "version": pl.Int32(),
        "status": pl.String(),
        "duplicate_of": pl.String(),
        "error": pl.String(),
        "rows_in": pl.Int64(),
        "rows_loaded": pl.Int64(),
        "rows_quarantined": pl.Int64(),
        "rows_skipped": pl.Int64(),
        "note": pl.String(),
        "first_seen": pl.Datetime("us"),
        "run_id": pl.String(),
    }
)
COUNTS_SCHEMA = pl.Schema(
    {
        "path": pl.String,
        "sha256": pl.String,
        "rows_loaded": pl.Int64,
        "rows_quarantined": pl.Int64,
        "rows_skipped": pl.Int64,
        "note": pl.String,
    }
)


def group_plan(plan: pl.DataFrame, max_bytes: int) -> list[pl.DataFrame]:
    """The plan's work in groups of new files of about ``max_bytes`` each, in plan order, so a
    night holds one group in memory, not the whole inbox. A duplicate goes with the file it
    copies when that file is new tonight (a copy of a file that fails must fail with it); the
    other duplicates and the skipped files go with the last group. No work, no group.
    """
    todo = plan.filter(pl.col("action") != "unchanged")
    new = todo.filter(pl.col("action") == "new")
    if new.is_empty():
        return [todo] if todo.height else []
    sizes = new.get_column("size_bytes").fill_null(0)
    numbered = new.with_columns(((sizes.cum_sum() - sizes) // max(max_bytes, 1)).alias("_group"))
    last = numbered.get_column("_group").max()
    rest = (
        todo.filter(pl.col("action") != "new")
        .join(numbered.select(duplicate_of="path", _group="_group"), on="duplicate_of", how="left")
        .with_columns(pl.col("_group").fill_null(last))
    )
    everything = pl.concat([numbered, rest], how="diagonal_relaxed")
    return [g.drop("_group") for _, g in everything.group_by("_group", maintain_order=True)]


def ledger_entries(plan: pl.DataFrame, run_id: str, first_seen) -> pl.DataFrame:
    """ops.files rows for a group's files, before parsing: new files are "new" until ingest
    says loaded or failed; duplicates name their original; skipped files say why."""
    todo = plan.filter(pl.col("action") != "unchanged")
    return todo.select(
        "path",
        "sha256",
        "size_bytes",
        "format",
        "kind",
        "version",
        status=pl.col("action"),
        duplicate_of="duplicate_of",
        error="skip_reason",
        rows_in=pl.lit(None, pl.Int64),
        rows_loaded=pl.lit(None, pl.Int64),
        rows_quarantined=pl.lit(None, pl.Int64),
        rows_skipped=pl.lit(None, pl.Int64),
        note=pl.when(pl.col("action") == "duplicate").then(
            pl.format("same content as {}", "duplicate_of")
        ),
        first_seen=pl.lit(first_seen, pl.Datetime("us")),
        run_id=pl.lit(run_id),
    ).cast(FILES_SCHEMA)


def with_counts(ledger: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """Ledger rows with the row counts (and note) of ``counts`` where it has them."""
    if counts.is_empty():
        return ledger
    return ledger.update(counts.cast(COUNTS_SCHEMA), on=["path", "sha256"], include_nulls=False)
