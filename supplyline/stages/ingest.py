"""Ingest: parse one group of new inbox files and admit what they hold to the raw layer.

Documents take the outlet their page names when their header names none, and must pass the
raw layer's Pandera model (``RawDocument``) before they are kept; table cells are kept exactly
as received. A table row with too few or too many cells is quarantined here with its own cells
(check ``row_shape``). Every file gets its ops.files row; a file that cannot be read fails with
the reason, and so does a copy of it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from schemas.checks import CheckResult
from schemas.gate import validate_rows
from schemas.quarantine import QUARANTINE_SCHEMA, quarantine_frame
from schemas.raw import RawDocument
from supplyline.inbox import ParsedFile, parse_file
from supplyline.parsers import ParsedTable
from supplyline.stages.plan import InboxGroup
from transforms.claims.outlet import with_page_outlets
from transforms.ledger import FILES_SCHEMA, ledger_entries
from transforms.received import Findings, RawRows, TableInput, raw_rows, table_input

MISFIT_CHECK = "row_shape"  # a row with too few or too many cells for its header

DOCUMENT_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,
        "sha256": pl.String,
        "file_name": pl.String,
        "format": pl.String,
        "title": pl.String,
        "url": pl.String,
        "outlet": pl.String,
        "published": pl.Date,
        "text": pl.String,
        "meta": pl.String,
        "published_source": pl.String,
        "outlet_source": pl.String,
    }
)


@dataclass(frozen=True)
class Ingested:
    """A group's inputs: ledger rows, documents to extract, tables to normalise, and what to
    add to the raw layer (nothing when they were read from it)."""

    ledger: pl.DataFrame  # ops.files rows of the group's files
    documents: pl.DataFrame  # DOCUMENT_SCHEMA, admitted to the raw layer
    tables: tuple[TableInput, ...]
    raw_documents: pl.DataFrame  # rows to add to raw.documents
    raw_rows: tuple[RawRows, ...]  # sheets to add to raw.tables and raw.table_rows
    quarantine: pl.DataFrame
    checks: tuple[CheckResult, ...]
    reset: tuple[str, ...] = ()  # derived tables to empty before this group is written


def ingest(group: InboxGroup, run_id: str, started: dt.datetime) -> Ingested:
    """Parse the group's new files (IO: reads the inbox) and account for every file."""
    parsed = {
        p: parse_file(group.files[p]) for p in group.rows.filter(pl.col("action") == "new")["path"]
    }
    entries = ledger_entries(group.rows, run_id, started).to_dicts()
    docs: list[dict[str, Any]] = []
    tables: list[TableInput] = []
    rejected: list[dict[str, Any]] = []
    for entry in entries:
        result = parsed.get(entry["path"])
        if result is not None:
            _take(entry, result, docs, tables, rejected)
    _fail_copies_of_failures(entries, rejected)
    documents = with_page_outlets(pl.DataFrame(docs, schema=DOCUMENT_SCHEMA))
    gate = validate_rows(documents, RawDocument)
    admitted = gate.valid
    bad = gate.rejected.join(
        documents.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64)), on="_row"
    )
    by_file = {(e["path"], e["sha256"]): e for e in entries}
    for row in bad.iter_rows(named=True):
        rejected.append(
            _rejection(
                row["file_name"],
                row["sha256"],
                row["check_name"],
                row["reason"],
                table="raw.documents",
                offending=row["offending_values"],
            )
        )
        by_file[(row["file_name"], row["sha256"])].update(
            status="failed", error=f"rejected: {row['reason']}", rows_quarantined=1
        )
    for path, sha in admitted.select("file_name", "sha256").iter_rows():
        by_file[(path, sha)].update(rows_loaded=1, rows_quarantined=0, rows_skipped=0)
    raw_documents = admitted.with_columns(run_id=pl.lit(run_id), ingested_at=pl.lit(started))
    return Ingested(
        ledger=pl.DataFrame(entries, schema=FILES_SCHEMA),
        documents=admitted,
        tables=tuple(tables),
        raw_documents=raw_documents,
        raw_rows=tuple(raw_rows(t, run_id) for t in tables),
        quarantine=quarantine_frame(rejected, run_id, started)
        if rejected
        else pl.DataFrame(schema=QUARANTINE_SCHEMA),
        checks=gate.checks,
    )


def _take(
    entry: dict[str, Any], result: ParsedFile, docs: list, tables: list, rejected: list
) -> None:
    """Record what one parsed file holds (a document, tables, or the reason it failed)."""
    if result.error:
        entry.update(status="failed", error=result.error)
        rejected.append(_rejection(entry["path"], entry["sha256"], "parse", result.error))
    elif result.document is not None:
        doc = result.document
        docs.append(
            {
                "doc_id": entry["sha256"][:16],
                "sha256": entry["sha256"],
                "file_name": entry["path"],
                "format": entry["format"],
                "title": doc.title,
                "url": doc.url,
                "outlet": doc.outlet,
                "published": doc.published,
                "text": doc.text,
                "meta": json.dumps(doc.meta, ensure_ascii=False) if doc.meta else None,
                "published_source": doc.published_source,
                "outlet_source": doc.outlet_source,
            }
        )
        entry.update(status="loaded", rows_in=1)
    else:
        entry.update(status="loaded", rows_in=sum(t.rows_in for t in result.tables))
        for t in result.tables:
            found = Findings(t.row_numbers, len(t.row_problems), t.warning)
            tables.append(table_input(entry["path"], entry["sha256"], t.sheet, t.frame, found))
            rejected += _misfits(entry["path"], entry["sha256"], t)


def _misfits(path: str, sha256: str, table: ParsedTable) -> list[dict[str, Any]]:
    """Rows with too few or too many cells: quarantined with the reason and their own cells."""
    prefix = f"{table.sheet}:" if table.sheet else ""
    return [
        {
            **_rejection(path, sha256, MISFIT_CHECK, reason, table="raw.table_rows"),
            "locator": f"{prefix}row {number}",
            "original_row": json.dumps(cells, ensure_ascii=False),
        }
        for number, reason, cells in table.row_problems
    ]


def _fail_copies_of_failures(entries: list[dict[str, Any]], rejected: list) -> None:
    """A copy of a file that failed in this group fails with it, naming the original (the plan
    puts a copy in its original's group)."""
    failed = {e["path"]: e["error"] for e in entries if e["status"] == "failed"}
    for entry in entries:
        if entry["status"] == "duplicate" and entry["duplicate_of"] in failed:
            reason = f"same content as {entry['duplicate_of']}, which failed: {failed[entry['duplicate_of']]}"
            entry.update(status="failed", error=reason)
            rejected.append(_rejection(entry["path"], entry["sha256"], "parse", reason))


def _rejection(
    path: str,
    sha256: str | None,
    check: str,
    reason: str,
    table: str | None = None,
    offending: str | None = None,
) -> dict[str, Any]:
    return {
        "source_file": path,
        "sha256": sha256,
        "stage": "ingest",
        "target_table": table,
        "check_name": check,
        "reason": reason,
        "offending_values": offending,
    }
