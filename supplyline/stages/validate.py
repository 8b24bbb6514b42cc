"""Validate: every staged frame against its Pandera model; failing rows go to quarantine with
the check, the offending values and the original row, the rest load. Every table row is
accounted for in its file's ledger row (rows_in = loaded + quarantined + skipped)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
import polars.selectors as cs

from schemas.checks import CheckResult
from schemas.gate import GateResult, validate_rows
from schemas.quarantine import quarantine_frame
from schemas.staging import STAGED_TABLES, StgClaim, StgEntityMention
from supplyline.stages.extract import Extracted
from supplyline.stages.ingest import Ingested
from supplyline.stages.normalise import Normalised
from transforms.ledger import COUNTS_SCHEMA, with_counts
from transforms.received import RawRows, row_json_text
from transforms.shape_spec import TARGETS


@dataclass(frozen=True)
class Validated:
    """What one group writes: ledger rows with their counts, raw rows, the staged frames that
    passed, quarantined rows and the gates' results."""

    ledger: pl.DataFrame
    raw_documents: pl.DataFrame
    raw_rows: tuple[RawRows, ...]
    doc_ids: tuple[str, ...]  # documents whose staged claims and mentions these replace
    claims: pl.DataFrame
    mentions: pl.DataFrame
    staged: Mapping[str, tuple[pl.DataFrame, ...]]  # target (shipments, figures...) -> sheets
    quarantine: pl.DataFrame
    checks: tuple[CheckResult, ...]
    reset: tuple[str, ...]


@dataclass(frozen=True)
class _Sheet:
    """One table's gated rows and its tally."""

    target: str | None
    valid: pl.DataFrame | None
    quarantine: list[dict[str, Any]]
    checks: tuple[CheckResult, ...]
    counts: dict[str, Any]


def validate(
    ingested: Ingested,
    extracted: Extracted,
    normalised: tuple[Normalised, ...],
    run_id: str,
    started: dt.datetime,
) -> Validated:
    """Gate the group's claims, mentions and typed table rows."""
    doc_files = dict(
        zip(ingested.documents["doc_id"], ingested.documents["file_name"], strict=True)
    )
    claims, claim_rejects, claim_checks = _claims(extracted.claims, doc_files)
    mention_gate = validate_rows(extracted.mentions, StgEntityMention)
    sheets = [_sheet(n) for n in normalised]
    rejects = quarantine_frame(
        claim_rejects + [q for s in sheets for q in s.quarantine], run_id, started
    )
    counts = pl.DataFrame(_per_file(sheets), schema=COUNTS_SCHEMA)
    return Validated(
        ledger=with_counts(ingested.ledger, counts),
        raw_documents=ingested.raw_documents,
        raw_rows=ingested.raw_rows,
        doc_ids=tuple(ingested.documents["doc_id"]),
        claims=claims,
        mentions=mention_gate.valid.unique(["doc_id", "char_start", "entity_id"], keep="first"),
        staged={
            name: tuple(s.valid for s in sheets if s.target == name and s.valid is not None)
            for name in TARGETS
        },
        quarantine=pl.concat([ingested.quarantine, rejects]),
        checks=(
            *ingested.checks,
            *claim_checks,
            *mention_gate.checks,
            *(c for s in sheets for c in s.checks),
        ),
        reset=ingested.reset,
    )


def _claims(
    claims: pl.DataFrame, doc_files: dict[str, str]
) -> tuple[pl.DataFrame, list[dict], tuple[CheckResult, ...]]:
    """Claims that pass StgClaim; the others as quarantine rows located by character span."""
    gate = validate_rows(claims, StgClaim)
    indexed = claims.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    rejects = []
    for bad in gate.rejected.join(indexed, on="_row").iter_rows(named=True):
        original = {k: bad[k] for k in claims.columns}
        rejects.append(
            {
                "source_file": doc_files.get(bad["doc_id"]),
                "stage": "extract",
                "target_table": "staging.stg_reports__claims",
                "locator": f"chars {bad['char_start']}-{bad['char_end']}",
                "check_name": bad["check_name"],
                "reason": bad["reason"],
                "offending_values": bad["offending_values"],
                "original_row": json.dumps(original, default=str, ensure_ascii=False),
            }
        )
    return gate.valid, rejects, gate.checks


def _sheet(n: Normalised) -> _Sheet:
    """Gate one typed table with its target's Pandera model; rejected rows keep their original
    cells as JSON. A received row that became several (list items, melted columns) is
    quarantined whole when any of them fails, so it is never half loaded. Rows quarantined at
    ingest for their shape count as quarantined here."""
    table = n.table
    counts = {
        "path": table.path,
        "sha256": table.sha256,
        "loaded": 0,
        "quarantined": table.misfits,
        "skipped": n.skipped,
        "notes": n.notes,
    }
    if n.target is None or n.typed is None:
        return _Sheet(None, None, [], (), counts)
    target = TARGETS[n.target]
    gate, valid = _gate(n.typed, STAGED_TABLES[target.table])
    rejected = gate.rejected.with_columns(
        row_number=n.typed.get_column("row_number").gather(gate.rejected["_row"])
    )
    if target.items and rejected.height:
        rejected = _whole_rows(rejected, n.typed)
        valid = n.typed.filter(~pl.col("row_number").is_in(rejected["row_number"].implode()))
    if rejected.height:  # the original row of each rejected one, as JSON: built for those rows only
        bad_rows = table.rows.filter(pl.col("row_number").is_in(rejected["row_number"].implode()))
        rejected = rejected.join(
            bad_rows.select("row_number").with_columns(row_json_text(bad_rows, table.columns)),
            on="row_number",
            how="left",
            maintain_order="left",
        )
    quarantine = [
        {
            "source_file": table.path,
            "sha256": table.sha256,
            "stage": "normalise",
            "target_table": target.table,
            "locator": table.locator(bad["row_number"]),
            "check_name": bad["check_name"],
            "reason": bad["reason"],
            "offending_values": bad["offending_values"],
            "original_row": bad["_row_json"],
        }
        for bad in rejected.iter_rows(named=True)
    ]
    staged = valid.drop("unparsed_cells").with_columns(
        sha256=pl.lit(table.sha256), sheet=pl.lit(table.sheet), source_file=pl.lit(table.path)
    )
    received = valid.get_column("row_number").n_unique() if target.items else valid.height
    return _Sheet(
        n.target,
        staged,
        quarantine,
        gate.checks,
        {**counts, "loaded": received, "quarantined": table.misfits + rejected.height},
    )


def _whole_rows(rejected: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    """Rejections per received row: the reasons of its failing items, each named by item."""
    items = typed.get_column("item").gather(rejected["_row"])
    item_reason = pl.concat_str(
        [pl.lit("item "), pl.col("item").cast(pl.String), pl.lit(": "), pl.col("reason")]
    )
    return (
        rejected.with_columns(item=items)
        .group_by("row_number", maintain_order=True)
        .agg(
            pl.col("check_name").first(),
            item_reason.str.join("; ").alias("reason"),
            pl.col("offending_values").drop_nulls().str.join("; "),
        )
        .with_columns(pl.col("offending_values").replace("", None))
    )


def _gate(typed: pl.DataFrame, model: Any) -> tuple[GateResult, pl.DataFrame]:
    """The gate reads text as String; a tall table's repeated text is held as Enum (same
    values), so it checks a String copy and the rows that pass stay compact."""
    if not typed.select(cs.enum()).columns:
        gate = validate_rows(typed, model)
        return gate, gate.valid
    gate = validate_rows(typed.with_columns(cs.enum().cast(pl.String)), model)
    if not gate.rejected.height:
        return gate, typed
    passed = ~pl.int_range(pl.len(), dtype=pl.Int64).is_in(
        gate.rejected.get_column("_row").implode()
    )
    return gate, typed.filter(passed)


def _per_file(sheets: Iterable[_Sheet]) -> list[dict[str, Any]]:
    """Row counts and notes summed over each file's sheets."""
    files: dict[tuple[str, str], dict[str, Any]] = {}
    for s in sheets:
        c = s.counts
        total = files.setdefault(
            (c["path"], c["sha256"]),
            {
                "path": c["path"],
                "sha256": c["sha256"],
                "rows_loaded": 0,
                "rows_quarantined": 0,
                "rows_skipped": 0,
                "notes": [],
            },
        )
        total["rows_loaded"] += c["loaded"]
        total["rows_quarantined"] += c["quarantined"]
        total["rows_skipped"] += c["skipped"]
        total["notes"] += c["notes"]
    return [
        {**{k: v for k, v in f.items() if k != "notes"}, "note": "; ".join(f["notes"]) or None}
        for f in files.values()
    ]
