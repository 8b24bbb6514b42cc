"""Plan a rebuild: the raw layer in groups (documents by doc_id range, tables a file at a
time), so a rebuild holds one group in memory like a night does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from supplyline.stages.plan import Plan, read_published
from warehouse.upgrade import holds_json_rows

# Everything a rebuild re-derives; emptied in the same transaction as its first group's rows.
DERIVED = (
    "staging.stg_reports__claims",
    "staging.stg_reports__entity_mentions",
    "staging.stg_ledgers__shipments_rows",
    "staging.stg_tables__figures_rows",
    "staging.stg_tables__deliveries_rows",
    "staging.stg_tables__strikes_rows",
    "staging.stg_tables__series_rows",
    "dq.quarantine where stage in ('extract', 'normalise')",
)


@dataclass(frozen=True)
class RawGroup:
    """One group of the raw layer: documents with doc_id in [lo, hi], or one table file."""

    kind: str  # documents | table
    key: tuple[str, ...]  # (lo, hi) or (sha256, path)
    reset: tuple[str, ...] = ()


def plan_raw(target: Any, reference_dir: Path, group_bytes: int) -> Plan:
    """The published raw layer in groups of about ``group_bytes`` of document text, then one
    group per table file."""
    published = read_published(target, reference_dir, ledger=False)
    con = target.peek()
    groups: list[RawGroup] = []
    if con is not None:
        try:
            groups = _document_groups(con, group_bytes) + [
                RawGroup("table", (sha, path))
                for sha, path in con.execute(
                    f"select sha256, min(file_name) from {_sheets(con)} group by sha256 order by 1"
                ).fetchall()
            ]
        finally:
            con.close()
    first = groups[0] if groups else RawGroup("documents", ("", ""))
    groups[:1] = [RawGroup(first.kind, first.key, DERIVED)]
    return Plan(tuple(groups), False, 0, published.project_changed, published.manifest)


def _document_groups(con: Any, group_bytes: int) -> list[RawGroup]:
    sizes = con.execute("select doc_id, strlen(text) as n from raw.documents order by doc_id").pl()
    if not sizes.height:
        return []
    starts = sizes.get_column("n").cum_sum() - sizes.get_column("n")
    ranges = (
        sizes.with_columns((starts // max(group_bytes, 1)).alias("g"))
        .group_by("g", maintain_order=True)
        .agg(pl.col("doc_id").first().alias("lo"), pl.col("doc_id").last().alias("hi"))
    )
    return [RawGroup("documents", (lo, hi)) for lo, hi in ranges.select("lo", "hi").iter_rows()]


def _sheets(con: Any) -> str:
    """Where the published warehouse lists its received sheets: raw.tables, or on a warehouse
    an earlier version wrote, raw.table_rows (the run converts it when it opens it)."""
    return "raw.table_rows" if holds_json_rows(con) else "raw.tables"
