"""Load: write one group to the run's warehouse in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from schemas.checks import CheckResult, merge
from schemas.quarantine import QUARANTINE_SCHEMA
from transforms.ledger import FILES_SCHEMA
from transforms.shape_spec import TARGETS
from warehouse import load as writes

if TYPE_CHECKING:  # Pandera comes with it: not needed by a night that loads nothing
    from supplyline.stages.validate import Validated

CLAIMS, MENTIONS = "staging.stg_reports__claims", "staging.stg_reports__entity_mentions"
# rows key -> the relation it counts (claims, mentions, and each table target's staging table)
TABLES = {
    "claims": CLAIMS,
    "entity_mentions": MENTIONS,
    **{name: target.table for name, target in TARGETS.items()},
}
# The quarantined rows a run keeps in memory for its alert (dq.quarantine has them all).
HELD_COLUMNS = ("source_file", "locator", "check_name", "reason", "offending_values")
HELD_ROWS = 5000


_HELD_SCHEMA = pl.Schema({c: QUARANTINE_SCHEMA[c] for c in HELD_COLUMNS})


@dataclass(frozen=True)
class Loaded:
    """What the groups written so far changed: rows per table, ledger rows, gate results, how
    many documents were extracted, and the first quarantined rows (``held``, for the alert)."""

    rows: Mapping[str, int] = field(default_factory=dict)
    changed: frozenset[str] = frozenset()  # relations written, for choosing the models to build
    files: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FILES_SCHEMA))
    quarantined: int = 0
    checks: tuple[CheckResult, ...] = ()
    documents: int = 0
    held: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_HELD_SCHEMA))

    def __add__(self, other: Loaded) -> Loaded:
        rows = {k: self.rows.get(k, 0) + other.rows.get(k, 0) for k in {*self.rows, *other.rows}}
        return Loaded(
            rows,
            self.changed | other.changed,
            pl.concat([self.files, other.files]),
            self.quarantined + other.quarantined,
            merge([*self.checks, *other.checks]),
            self.documents + other.documents,
            pl.concat([self.held, other.held]).head(HELD_ROWS),
        )


def load(con: duckdb.DuckDBPyConnection, batch: Validated) -> Loaded:
    """Write the group: reset what a rebuild re-derives, the ledger rows, new raw rows, staged
    frames (a document's claims and mentions replace its earlier ones) and quarantined rows."""
    rows: dict[str, int] = {}
    changed: set[str] = set()
    con.execute("begin transaction")
    try:
        for table in batch.reset:
            con.execute(f"delete from {table}")  # names from plan_raw.DERIVED, never from input
            changed.add(table.split()[0].removesuffix("_rows"))  # a staged table's view
        rows["ops.files"] = writes.replace_rows(con, "ops.files", batch.ledger, ["path", "sha256"])
        rows["raw.documents"] = writes.replace_rows(
            con, "raw.documents", batch.raw_documents, ["doc_id"]
        )
        # Table rows belong to content never seen before, so they are appended; replace-by-key
        # would scan millions of rows for nothing.
        rows["raw.table_rows"] = writes.append_raw_rows(con, batch.raw_rows)
        if batch.doc_ids:
            writes.delete_for_docs(con, CLAIMS, list(batch.doc_ids))
            writes.delete_for_docs(con, MENTIONS, list(batch.doc_ids))
            changed |= {CLAIMS, MENTIONS}
        rows["claims"] = writes.append_rows(con, CLAIMS, batch.claims)
        rows["entity_mentions"] = writes.append_rows(con, MENTIONS, batch.mentions)
        for name, frames in batch.staged.items():  # one insert per sheet
            rows[name] = sum(writes.append_staged(con, TABLES[name], f) for f in frames)
        writes.append_rows(con, "dq.quarantine", batch.quarantine)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    changed |= {TABLES.get(k, k) for k, n in rows.items() if n}
    return Loaded(
        rows,
        frozenset(changed),
        batch.ledger,
        batch.quarantine.height,
        merge(batch.checks),
        len(batch.doc_ids),
        batch.quarantine.select(HELD_COLUMNS).head(HELD_ROWS),
    )
