"""The steps of a nightly run as plain functions; flows/ wraps them as Prefect tasks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs

from schemas.gate import validate_rows
from schemas.raw import RawDocument
from schemas.staging import STAGED_TABLES, StgClaim, StgEntityMention
from supplyline import extract_worker
from supplyline.inbox import InboxFile, ParsedFile, parse_file
from supplyline.shapes import load_shapes, unknown_table_note
from transforms.claims.outlet import outlet_frame
from transforms.expressions import repeats_as_enum
from transforms.ledger import SCANNED_SCHEMA, plan_ingest
from transforms.rules import ExtractionRules
from transforms.shape_spec import TARGETS, ShapeSpec
from transforms.tables import interpret, match_shape
from warehouse import db, load
from warehouse.db import AssertionResult

QUARANTINE_SCHEMA = {
    "run_id": pl.String, "source_file": pl.String, "sha256": pl.String, "stage": pl.String,
    "target_table": pl.String, "locator": pl.String, "check_name": pl.String, "reason": pl.String,
    "offending_values": pl.String, "original_row": pl.String, "quarantined_at": pl.Datetime("us"),
}
CHECK_SCHEMA = {
    "run_id": pl.String, "check_name": pl.String, "table_name": pl.String, "tool": pl.String,
    "severity": pl.String, "status": pl.String, "failing_count": pl.Int64, "sample": pl.String,
    "checked_at": pl.Datetime("us"),
}
STAGING_TABLES = [
    "staging.stg_reports__claims", "staging.stg_reports__entity_mentions",
    *(target.table for target in TARGETS.values()),
]
DOC_COLUMNS = ["doc_id", "sha256", "file_name", "format", "title", "url", "outlet", "published", "text",
               "published_source", "outlet_source"]


def utcnow_aware() -> dt.datetime:
    """Timezone-aware UTC now (for the Prefect API)."""
    return dt.datetime.now(dt.UTC)


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (DuckDB TIMESTAMP)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def scanned_frame(files: Iterable[InboxFile]) -> pl.DataFrame:
    """The scan as a frame for planning."""
    rows = [
        {"path": f.path, "sha256": f.sha256, "size_bytes": f.size_bytes, "format": f.format,
         "kind": f.kind, "skip_reason": f.skip_reason}
        for f in files
    ]
    return pl.DataFrame(rows, schema=SCANNED_SCHEMA)


@dataclass
class Batch:
    """Everything one run adds to the warehouse, before it is written."""

    run_id: str
    started: dt.datetime
    files: list[dict] = field(default_factory=list)  # ops.files rows
    documents: pl.DataFrame | None = None
    table_rows: list[pl.DataFrame] = field(default_factory=list)
    claims: pl.DataFrame | None = None
    mentions: pl.DataFrame | None = None
    staged: dict[str, list[pl.DataFrame]] = field(default_factory=dict)  # table rows by target
    quarantine: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    rebuild: bool = False  # re-derive staging from raw; raw and the ledger are not rewritten
    file_index: dict[tuple[str, str], dict] = field(default_factory=dict, repr=False)
    quarantine_written: int = 0  # rows of ``quarantine`` already in dq.quarantine
    staging_cleared: bool = False  # a rebuild empties staging once, before its first group
    reconciliations: list[dict] = field(default_factory=list)  # claims against tables, per check

    def release_frames(self) -> None:
        """Drop the row frames once written (millions of ledger rows need not outlive the load)."""
        self.table_rows, self.staged = [], {}
        self.claims = self.mentions = self.documents = None

    def quarantine_frame(self) -> pl.DataFrame:
        """Quarantined rows not written yet (a night is written group by group)."""
        return pl.DataFrame(self.quarantine[self.quarantine_written:], schema=QUARANTINE_SCHEMA)

    def check_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.checks, schema=CHECK_SCHEMA)

    def add_check(self, name: str, table: str, tool: str, severity: str, failing: int, sample: str | None) -> None:
        """Record a check; the same check on another group of the night adds to its count."""
        for c in self.checks:
            if (c["check_name"], c["table_name"], c["tool"]) == (name, table, tool) and c["severity"] == severity:
                c["failing_count"] += failing
                c["sample"] = c["sample"] or sample
                c["status"] = "pass" if c["failing_count"] == 0 else ("fail" if severity == "error" else "warn")
                return
        status = "pass" if failing == 0 else ("fail" if severity == "error" else "warn")
        self.checks.append({
            "run_id": self.run_id, "check_name": name, "table_name": table, "tool": tool,
            "severity": severity, "status": status, "failing_count": failing, "sample": sample,
            "checked_at": utcnow(),
        })

    def reject(self, source: str | None, sha: str | None, stage: str, table: str | None,
               locator: str | None, check: str, reason: str, offending: str | None = None,
               original: str | None = None) -> None:
        self.quarantine.append({
            "run_id": self.run_id, "source_file": source, "sha256": sha, "stage": stage,
            "target_table": table, "locator": locator, "check_name": check, "reason": reason,
            "offending_values": _as_json(offending), "original_row": original,
            "quarantined_at": utcnow(),
        })


def _as_json(value: str | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class TableInput:
    """One sheet to normalise: its rows (row_number, then the received columns) and origin."""

    path: str
    sha256: str
    sheet: str
    rows: pl.DataFrame
    columns: list[str]
    misfits: int = 0  # rows quarantined at ingest for too few or too many cells (not in ``rows``)
    warning: str | None = None  # about the table as a whole (no rows, no header)


def table_input(path: str, sha256: str, sheet: str, frame: pl.DataFrame, row_numbers: pl.Series | None = None,
                misfits: int = 0, warning: str | None = None) -> TableInput:
    """Number the rows (1-based, header excluded; ``row_numbers`` when rows were taken out).

    The cells keep their text; a tall table's columns that mostly repeat themselves are held
    as Enums of their distinct values, a tenth of the memory of ten million string cells.
    """
    columns = frame.columns
    rows = repeats_as_enum(frame)
    if row_numbers is None:
        rows = rows.with_row_index("row_number", offset=1).with_columns(pl.col("row_number").cast(pl.Int64))
    else:
        rows = rows.with_columns(row_numbers.cast(pl.Int64).alias("row_number")).select("row_number", *columns)
    return TableInput(path, sha256, sheet, rows, columns, misfits, warning)


def _cells(rows: pl.DataFrame, columns: list[str], name: str) -> pl.Series:
    """The received cells of ``rows`` as one struct column (fields in file order, by exact name)."""
    return pl.DataFrame([rows.get_column(c) for c in columns]).to_struct(name)


def row_json_text(rows: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Each row's JSON object of header -> cell text, as raw.table_rows holds it."""
    if not columns:
        return pl.Series("_row_json", ["{}"] * rows.height, dtype=pl.String)
    return _cells(rows, columns, "_row_json").struct.json_encode()


def raw_rows(batch: Batch, table: TableInput) -> pl.DataFrame:
    """raw.table_rows for one sheet, every cell as received.

    ``row_json`` is a struct of the cells (no copy of them); the load writes it as each row's
    JSON text (header -> cell text), building the text inside DuckDB as it inserts, so ten
    million rows never hold their JSON in memory at once.
    """
    frame = table.rows.select(
        sha256=pl.lit(table.sha256), file_name=pl.lit(table.path), sheet=pl.lit(table.sheet),
        row_number="row_number", run_id=pl.lit(batch.run_id),
    )
    cells = _cells(table.rows, table.columns, "row_json") if table.columns else pl.lit("{}").alias("row_json")
    return frame.with_columns(cells)


def parse_new_files(plan: pl.DataFrame, files: dict[str, InboxFile]) -> list[ParsedFile]:
    """Parse every file the plan marks new (IO: reads the inbox)."""
    return [parse_file(files[p]) for p in plan.filter(pl.col("action") == "new")["path"]]


def stage_ingest(batch: Batch, plan: pl.DataFrame, parsed: list[ParsedFile]) -> list[TableInput]:
    """Turn parsed files into raw rows and ledger entries; returns the tables to normalise."""
    outcome = {p.file.path: p for p in parsed}
    docs, tables = [], []
    for row in plan.filter(pl.col("action") != "unchanged").iter_rows(named=True):
        entry = {
            "path": row["path"], "sha256": row["sha256"], "size_bytes": row["size_bytes"],
            "format": row["format"], "kind": row["kind"], "version": row["version"],
            "status": row["action"], "duplicate_of": row["duplicate_of"], "error": row["skip_reason"],
            "rows_in": None, "rows_loaded": None, "rows_quarantined": None, "rows_skipped": None,
            "note": None, "first_seen": batch.started, "run_id": batch.run_id,
        }
        if row["action"] == "duplicate":
            entry["note"] = f"same content as {row['duplicate_of']}"
        if row["action"] == "new":
            result = outcome[row["path"]]
            if result.error:
                entry.update(status="failed", error=result.error)
                batch.failures.append((row["path"], result.error))
                batch.reject(row["path"], row["sha256"], "ingest", None, None, "parse", result.error)
            elif result.document is not None:
                doc = result.document
                docs.append({
                    "doc_id": row["sha256"][:16], "sha256": row["sha256"], "file_name": row["path"],
                    "format": row["format"], "title": doc.title, "url": doc.url, "outlet": doc.outlet,
                    "published": doc.published, "text": doc.text,
                    "meta": json.dumps(doc.meta, ensure_ascii=False) if doc.meta else None,
                    "published_source": doc.published_source, "outlet_source": doc.outlet_source,
                })
                entry.update(status="loaded", rows_in=1)
            else:
                entry.update(status="loaded", rows_in=sum(t.rows_in for t in result.tables))
                for t in result.tables:
                    tables.append(table_input(row["path"], row["sha256"], t.sheet, t.frame, t.row_numbers,
                                              len(t.row_problems), t.warning))
                    batch.table_rows.append(raw_rows(batch, tables[-1]))
                    _reject_misfits(batch, row["path"], row["sha256"], t)
        batch.files.append(entry)
    _fail_duplicates_of_failures(batch)
    batch.documents = _validated_documents(batch, docs)
    return tables


MISFIT_CHECK = "row_shape"


def _reject_misfits(batch: Batch, path: str, sha256: str, table) -> None:
    """Rows with too few or too many cells: quarantined with the reason and their own cells."""
    prefix = f"{table.sheet}:" if table.sheet else ""
    for number, reason, cells in table.row_problems:
        batch.reject(path, sha256, "ingest", "raw.table_rows", f"{prefix}row {number}", MISFIT_CHECK, reason,
                     None, json.dumps(cells, ensure_ascii=False))


def _fail_duplicates_of_failures(batch: Batch) -> None:
    """A copy of a file that failed in this run fails with it, naming the original."""
    failed = {e["path"]: e["error"] for e in batch.files if e["status"] == "failed"}
    for entry in batch.files:
        if entry["status"] == "duplicate" and entry["duplicate_of"] in failed:
            reason = f"same content as {entry['duplicate_of']}, which failed: {failed[entry['duplicate_of']]}"
            entry.update(status="failed", error=reason)
            batch.failures.append((entry["path"], reason))
            batch.reject(entry["path"], entry["sha256"], "ingest", None, None, "parse", reason)


def with_page_outlets(frame: pl.DataFrame) -> pl.DataFrame:
    """Documents whose header names no outlet take the one their page names (title, dateline,
    letterhead, copyright or credit line), or the one in their file name, with that source."""
    if frame.is_empty():
        return frame
    found = outlet_frame(frame)
    return frame.with_columns(
        outlet=found.get_column("outlet"),
        outlet_source=pl.when(found.get_column("outlet_source").is_in(["page", "file_name"]))
        .then(found.get_column("outlet_source")).otherwise(pl.col("outlet_source")),
    )


def _validated_documents(batch: Batch, docs: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(docs, schema={
        "doc_id": pl.String, "sha256": pl.String, "file_name": pl.String, "format": pl.String,
        "title": pl.String, "url": pl.String, "outlet": pl.String, "published": pl.Date,
        "text": pl.String, "meta": pl.String, "published_source": pl.String, "outlet_source": pl.String,
    })
    frame = with_page_outlets(frame)
    gate = validate_rows(frame, RawDocument)
    _record_gate(batch, gate, "raw.documents", frame)
    for bad in gate.rejected.join(frame.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64)), on="_row").iter_rows(named=True):
        batch.reject(bad["file_name"], bad["sha256"], "ingest", "raw.documents", None,
                     bad["check_name"], bad["reason"], bad["offending_values"])
        _mark_file(batch, bad["file_name"], bad["sha256"], status="failed", error=f"rejected: {bad['reason']}",
                   rows_quarantined=1)
    for path, sha in gate.valid.select("file_name", "sha256").iter_rows():
        _mark_file(batch, path, sha, rows_loaded=1, rows_quarantined=0, rows_skipped=0)
    return gate.valid.with_columns(run_id=pl.lit(batch.run_id), ingested_at=pl.lit(batch.started))


def _mark_file(batch: Batch, path: str, sha256: str, **values: object) -> None:
    """Update the ledger entry of one (path, content): an index, since a night may hold 100k files."""
    if len(batch.file_index) != len(batch.files):
        batch.file_index = {(e["path"], e["sha256"]): e for e in batch.files}
    entry = batch.file_index.get((path, sha256))
    if entry is not None and entry["status"] in ("loaded", "failed"):
        entry.update(values)


def _record_gate(batch: Batch, gate, table: str, frame: pl.DataFrame) -> None:
    if gate.checks.is_empty():
        batch.add_check(f"pandera: {table}", table, "pandera", "warn", 0, None)
    for check in gate.checks.iter_rows(named=True):
        sample = [{"value": v} for v in check["sample"] or []]
        batch.add_check(f"pandera: {check['check_name']}", table, "pandera", "warn",
                        check["failing_count"], json.dumps(sample, ensure_ascii=False))


def extract_reports(documents: pl.DataFrame, rules: ExtractionRules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claims and entity mentions of a batch of documents (pure compute)."""
    return extract_worker.extract_reports(documents, rules)


def stage_extractions(batch: Batch, claims: pl.DataFrame, mentions: pl.DataFrame) -> None:
    """Validate extracted claims and mentions; rejected ones go to quarantine with the reason."""
    doc_files = dict(zip(batch.documents["doc_id"], batch.documents["file_name"], strict=True))
    gate = validate_rows(claims, StgClaim)
    _record_gate(batch, gate, "staging.stg_reports__claims", claims)
    indexed = claims.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    for bad in gate.rejected.join(indexed, on="_row").iter_rows(named=True):
        original = {k: bad[k] for k in claims.columns}
        batch.reject(doc_files.get(bad["doc_id"]), None, "extract", "staging.stg_reports__claims",
                     f"chars {bad['char_start']}-{bad['char_end']}", bad["check_name"], bad["reason"],
                     bad["offending_values"], json.dumps(original, default=str, ensure_ascii=False))
    batch.claims = gate.valid
    mention_gate = validate_rows(mentions, StgEntityMention)
    _record_gate(batch, mention_gate, "staging.stg_reports__entity_mentions", mentions)
    batch.mentions = mention_gate.valid.unique(["doc_id", "char_start", "entity_id"], keep="first")


def stage_tables(batch: Batch, tables: list[TableInput], rules: ExtractionRules, shapes: list[ShapeSpec]) -> None:
    """Read each received table as the shape it fits (reference/shapes); account for every row:
    loaded, quarantined with the reason, or skipped with the reason in ``ops.files.note``."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    notes: dict[tuple[str, str], list[str]] = {}
    by_name = {spec.shape: spec for spec in shapes}
    for table in tables:
        key = (table.path, table.sha256)
        tally = counts.setdefault(key, {"loaded": 0, "quarantined": 0, "skipped": 0})
        where = f"sheet {table.sheet!r}" if table.sheet else "table"
        tally["quarantined"] += table.misfits
        if table.warning:
            notes.setdefault(key, []).append(f"{where}: warning: {table.warning}")
        found = match_shape(table.columns, shapes)
        if found is None:
            tally["skipped"] += table.rows.height
            notes.setdefault(key, []).append(f"{where}: {unknown_table_note(table.columns, shapes)}")
            continue
        spec = by_name[found.shape]
        read = interpret(table.rows, spec, found, rules.aliases, rules.metrics)
        loaded, quarantined = _gate_table(batch, table, spec.target, read.rows)
        tally["loaded"] += loaded
        tally["quarantined"] += quarantined
        tally["skipped"] += read.skipped.height
        notes.setdefault(key, []).append(f"{where}: read as {spec.shape}{_skip_note(read.skipped)}")
    for (path, sha), tally in counts.items():
        _mark_file(batch, path, sha, rows_loaded=tally["loaded"], rows_quarantined=tally["quarantined"],
                   rows_skipped=tally["skipped"], note="; ".join(notes.get((path, sha), [])) or None)


def _gate_table(batch: Batch, table: TableInput, target_name: str, typed: pl.DataFrame) -> tuple[int, int]:
    """Gate one sheet's canonical rows with its target's Pandera model; returns the received
    rows loaded and quarantined. A received row that became several (list items, melted
    columns) is quarantined whole when any of them fails, so it is never half loaded."""
    target = TARGETS[target_name]
    model = STAGED_TABLES[target.table]
    # The gate reads text as String; a tall table's repeated text is held as Enum (same
    # values), so it checks a String copy and the rows that pass stay compact.
    enums = typed.select(cs.enum()).columns
    gate = validate_rows(typed.with_columns(cs.enum().cast(pl.String)) if enums else typed, model)
    _record_gate(batch, gate, target.table, typed)
    rejected = gate.rejected.with_columns(row_number=typed.get_column("row_number").gather(gate.rejected["_row"]))
    if target.items and rejected.height:
        rejected = _whole_rows(rejected, typed)
    if not rejected.height:
        valid = typed
    elif enums or target.items:
        valid = typed.filter(~pl.col("row_number").is_in(rejected.get_column("row_number").implode()))
    else:
        valid = gate.valid
    if rejected.height:
        # The original row of each rejected one, as JSON: built for those rows only.
        bad_rows = table.rows.filter(pl.col("row_number").is_in(rejected["row_number"].implode()))
        rejected = rejected.join(
            bad_rows.select("row_number").with_columns(row_json_text(bad_rows, table.columns)),
            on="row_number", how="left", maintain_order="left",
        )
    sheet_prefix = f"{table.sheet}:" if table.sheet else ""
    for bad in rejected.iter_rows(named=True):
        batch.reject(table.path, table.sha256, "normalise", target.table, f"{sheet_prefix}row {bad['row_number']}",
                     bad["check_name"], bad["reason"], bad["offending_values"], bad["_row_json"])
    batch.staged.setdefault(target_name, []).append(valid.drop("unparsed_cells").with_columns(
        sha256=pl.lit(table.sha256), sheet=pl.lit(table.sheet), source_file=pl.lit(table.path),
    ))
    received = valid.get_column("row_number").n_unique() if target.items else valid.height
    return received, rejected.height


def _whole_rows(rejected: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    """Rejections per received row: the reasons of its failing items, each named by item."""
    items = typed.get_column("item").gather(rejected["_row"])
    return (
        rejected.with_columns(item=items)
        .group_by("row_number", maintain_order=True)
        .agg(
            pl.col("check_name").first(),
            pl.concat_str([pl.lit("item "), pl.col("item").cast(pl.String), pl.lit(": "), pl.col("reason")])
            .str.join("; ").alias("reason"),
            pl.col("offending_values").drop_nulls().str.join("; "),
        )
        .with_columns(pl.col("offending_values").replace("", None))
    )


def _skip_note(skipped: pl.DataFrame) -> str:
    """Why received rows gave no canonical row, with their numbers (the first twenty)."""
    if skipped.is_empty():
        return ""
    parts = []
    for (reason,), rows in skipped.group_by("reason", maintain_order=True):
        numbers = rows.get_column("row_number").sort().to_list()
        shown = ", ".join(map(str, numbers[:20])) + (" ..." if len(numbers) > 20 else "")
        parts.append(f"{len(numbers)} rows skipped: {reason} (rows {shown})")
    return "; " + "; ".join(parts)


def ingest_groups(plan: pl.DataFrame, max_bytes: int) -> list[pl.DataFrame]:
    """The plan's work in groups of new files of about ``max_bytes`` each, in plan order, so a
    night holds one group in memory, not the whole inbox. Duplicates and skipped files go with
    the last group: a copy of a file that fails must see that failure. No work, no group.
    """
    todo = plan.filter(pl.col("action") != "unchanged")
    new = todo.filter(pl.col("action") == "new")
    rest = todo.filter(pl.col("action") != "new")
    if new.is_empty():
        return [rest] if rest.height else []
    starts = new.get_column("size_bytes").fill_null(0).cum_sum() - new.get_column("size_bytes").fill_null(0)
    numbered = new.with_columns((starts // max(max_bytes, 1)).alias("_group"))
    groups = [g.drop("_group") for _, g in numbered.group_by("_group", maintain_order=True)]
    groups[-1] = pl.concat([groups[-1], rest])
    return groups


def nothing_new(batch: Batch) -> bool:
    """A nightly run that found no file it has not seen before."""
    return not batch.files and not batch.rebuild


def plan_files(con: duckdb.DuckDBPyConnection, files: list[InboxFile]) -> pl.DataFrame:
    """What each inbox file is (new, unchanged, duplicate, skipped) against the ledger in ``con``."""
    return plan_ingest(scanned_frame(files), load.read_ledger(con))


@dataclass
class Night:
    """What a night holds before it opens the warehouse for writing."""

    plan: pl.DataFrame | None  # None: plan against the run's own connection (no published file to read)
    quiet: bool  # nothing new, marts built from the current SQL and reference data


def plan_night(target, files: list[InboxFile], reference_dir: Path) -> Night:
    """Plan the inbox against the published ledger, read-only.

    A quiet night need only record itself and re-run the date-dependent checks, so it can be
    written in place instead of through a copy of the whole warehouse.
    """
    con = target.peek()
    if con is None:
        return Night(None, False)
    try:
        plan = plan_files(con, files)
        built = db.read_state(con, "marts_built_from") == db.build_fingerprint(reference_dir)
    except duckdb.Error:  # a warehouse from an older schema: take the full path, which migrates it
        return Night(None, False)
    finally:
        con.close()
    return Night(plan, built and bool(plan["action"].eq("unchanged").all()))


def written_relations(loaded: dict[str, int]) -> set[str]:
    """The raw, staging and ops tables a night's writes changed (``write_batch``'s counts)."""
    changed = set()
    if loaded.get("ops.files"):
        changed.add("ops.files")
    if loaded.get("raw.documents"):
        changed |= {"raw.documents", "staging.stg_reports__claims", "staging.stg_reports__entity_mentions"}
    if loaded.get("claims") or loaded.get("entity_mentions"):
        changed |= {"staging.stg_reports__claims", "staging.stg_reports__entity_mentions"}
    changed |= {target.table for name, target in TARGETS.items() if loaded.get(name)}
    return changed


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch, own_transaction: bool = True) -> dict[str, int]:
    """Write the whole batch in one transaction (the caller's, when it already holds one)."""
    loaded: dict[str, int] = {}
    if own_transaction:
        con.execute("begin transaction")
    try:
        files = pl.DataFrame(batch.files, infer_schema_length=None) if batch.files else pl.DataFrame()
        loaded["ops.files"] = load.replace_rows(con, "ops.files", files, ["path", "sha256"])
        docs = batch.documents
        if batch.rebuild and not batch.staging_cleared:
            for table in STAGING_TABLES:
                con.execute(f"delete from {table}")
            con.execute("delete from dq.quarantine where stage in ('extract', 'normalise')")
            batch.staging_cleared = True
        elif not batch.rebuild and docs is not None and docs.height:
            loaded["raw.documents"] = load.replace_rows(con, "raw.documents", docs, ["doc_id"])
        # Table rows belong to content never seen before (or to tables a rebuild just emptied),
        # so they are appended; replace-by-key would scan millions of rows for nothing.
        for frame in batch.table_rows:
            load.append_rows(con, "raw.table_rows", frame, json_columns=("row_json",),
                             constant_columns=("sha256", "file_name", "sheet", "run_id"), any_order=True)
        if batch.claims is not None and docs is not None:
            doc_ids = docs["doc_id"].to_list()
            load.delete_for_docs(con, "staging.stg_reports__claims", doc_ids)
            load.delete_for_docs(con, "staging.stg_reports__entity_mentions", doc_ids)
            loaded["claims"] = load.append_rows(con, "staging.stg_reports__claims", batch.claims)
            loaded["entity_mentions"] = load.append_rows(con, "staging.stg_reports__entity_mentions", batch.mentions)
        # One insert per sheet; its origin columns are one value each, not a column to scan.
        origin = ("sha256", "sheet", "source_file")
        for name, frames in batch.staged.items():
            loaded[name] = loaded.get(name, 0) + sum(
                load.append_rows(con, TARGETS[name].table, f, constant_columns=origin, any_order=True)
                for f in frames)
        load.append_rows(con, "dq.quarantine", batch.quarantine_frame())
        if own_transaction:
            con.execute("commit")
        batch.quarantine_written = len(batch.quarantine)
    except Exception:
        if own_transaction:
            con.execute("rollback")
        raise
    return loaded


def failed_tables(batch: Batch) -> list[str]:
    """Tables with an error-severity check that failed this run."""
    return sorted({c["table_name"] for c in batch.checks if c["status"] == "fail"})


def blocked_marts(batch: Batch) -> list[str]:
    """Marts an error check blocks: their last published version is kept."""
    return [t for t in failed_tables(batch) if t.startswith("marts.")]


def publishable(batch: Batch, can_restore: bool = True) -> bool:
    """Whether the run may be published: nothing failed, or only marts that can be restored."""
    failed = failed_tables(batch)
    return not failed or (can_restore and all(t.startswith("marts.") for t in failed))


def record_assertions(batch: Batch, results: list[AssertionResult]) -> None:
    """Zero-row SQL assertions as check results."""
    for res in results:
        sample = json.dumps(res.sample, default=str, ensure_ascii=False) if res.failing_count else None
        batch.add_check(f"sql: {res.name}", res.table, "sql", res.severity, res.failing_count, sample)


def read_shapes(reference_dir: Path) -> list[ShapeSpec]:
    """Table shape declarations (reference/shapes/*.yaml), validated."""
    return load_shapes(reference_dir)


def alert_report(summary, batch: Batch, loaded: dict[str, int], flow_name: str, data_docs: Path | None = None):
    """The alert email's content for one run."""
    from supplyline.alerts import AlertReport, CheckOutcome, FileFailure, ReconciliationOutcome

    checks = [
        CheckOutcome(
            check=c["check_name"], table=c["table_name"], severity=c["severity"], status=c["status"],
            failing_count=c["failing_count"], sample=_sample_rows(c["sample"]),
        )
        for c in batch.checks
    ]
    not_loaded = {}
    if summary.status != "completed":
        not_loaded["warehouse"] = summary.message or "run failed; the published warehouse is unchanged"
    return AlertReport(
        run_id=summary.run_id, run_date=batch.started.date(), flow_name=flow_name, checks=checks,
        failed_files=[FileFailure(path, reason) for path, reason in batch.failures],
        loaded={k: v for k, v in loaded.items() if v}, not_loaded=not_loaded,
        quarantined_rows=len(batch.quarantine), warehouse_path=summary.warehouse,
        data_docs_path=str(data_docs) if data_docs and data_docs.exists() else None,
        skipped_files=[
            FileFailure(e["path"], e["error"] if e["status"] == "skipped" else e["note"])
            for e in batch.files
            if e["status"] == "skipped" or (e["status"] == "loaded" and (e.get("rows_skipped") or 0) > 0)
        ],
        reconciliations=[ReconciliationOutcome(**r) for r in batch.reconciliations],
    )


def _sample_rows(sample: str | None) -> list[dict]:
    if not sample:
        return []
    try:
        parsed = json.loads(sample)
    except json.JSONDecodeError:
        return [{"value": v} for v in sample.split(" | ")]
    return parsed if isinstance(parsed, list) else [{"value": parsed}]


def rebuild_groups(con: duckdb.DuckDBPyConnection, batch: Batch, max_bytes: int) -> list[tuple[str, tuple]]:
    """What a rebuild re-derives, in groups: documents in doc_id ranges of about ``max_bytes``
    of text, then one group per table sheet. Loads the ledger entries the rebuild re-counts."""
    batch.files = [dict(zip(c, r, strict=True)) for c, r in _rows(con, "select * from ops.files where status in ('loaded', 'failed')")]
    sizes = con.execute("select doc_id, strlen(text) as n from raw.documents order by doc_id").pl()
    groups: list[tuple[str, tuple]] = []
    if sizes.height:
        starts = sizes.get_column("n").cum_sum() - sizes.get_column("n")
        ranges = (sizes.with_columns((starts // max(max_bytes, 1)).alias("g"))
                  .group_by("g", maintain_order=True).agg(pl.col("doc_id").first().alias("lo"),
                                                          pl.col("doc_id").last().alias("hi")))
        groups += [("documents", (lo, hi)) for lo, hi in ranges.select("lo", "hi").iter_rows()]
    groups += [("sheet", tuple(r)) for r in con.execute(
        "select sha256, min(file_name), sheet from raw.table_rows group by sha256, sheet order by 1, 3"
    ).fetchall()]
    return groups or [("documents", ("", ""))]


def rebuild_inputs(con: duckdb.DuckDBPyConnection, batch: Batch, group: tuple[str, tuple]) -> list[TableInput]:
    """One rebuild group from the raw layer: its documents into ``batch.documents``, or the one
    table sheet it names, returned for normalising."""
    kind, key = group
    where = "doc_id between ? and ?" if kind == "documents" else "false"
    params = list(key) if kind == "documents" else []
    batch.documents = con.execute(f"select {', '.join(DOC_COLUMNS)} from raw.documents where {where} order by doc_id",
                                  params).pl()
    if kind != "sheet":
        return []
    sha, path, sheet = key
    first = con.execute("select row_json from raw.table_rows where sha256 = ? and sheet = ? "
                        "order by row_number limit 1", [sha, sheet]).fetchone()
    # The header order is the first row's key order; every cell was stored as text (or null).
    columns = list(json.loads(first[0])) if first else []
    numbers = None
    if not columns:
        frame = pl.DataFrame()
    else:
        # Decoded by DuckDB as it reads (JSON pointers, RFC 6901): ten million rows never sit in
        # memory as JSON text or Python dicts.
        pointers = ["/" + c.replace("~", "~0").replace("/", "~1") for c in columns]
        cells = ", ".join(f"json_extract_string(row_json, ?) as c{i}" for i in range(len(columns)))
        frame = con.execute(
            f"select row_number, {cells} from raw.table_rows where sha256 = ? and sheet = ? order by row_number",
            [*pointers, sha, sheet],
        ).pl()
        # Row numbers as stored: rows quarantined at ingest leave gaps that locators keep.
        numbers = frame.get_column("row_number")
        frame = frame.drop("row_number")
        frame.columns = columns
    return [table_input(path, sha, sheet, frame, numbers, *_ingest_findings(con, sha, path, sheet))]


def _ingest_findings(con: duckdb.DuckDBPyConnection, sha: str, path: str, sheet: str) -> tuple[int, str | None]:
    """What ingest found in one sheet, for a rebuild to count again: rows quarantined for their
    shape, and the sheet's warning as the ledger's note gives it."""
    prefix = f"{sheet}:row " if sheet else "row "
    misfits = con.execute("select count(*) from dq.quarantine where stage = 'ingest' and check_name = ? "
                          "and sha256 = ? and starts_with(locator, ?)", [MISFIT_CHECK, sha, prefix]).fetchone()[0]
    note = con.execute("select note from ops.files where sha256 = ? and path = ?", [sha, path]).fetchone()
    where = f"sheet {sheet!r}: warning: " if sheet else "table: warning: "
    found = [seg[len(where):] for seg in (note[0] or "").split("; ") if seg.startswith(where)] if note else []
    return misfits, found[0] if found else None


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[list[str], tuple]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [(cols, r) for r in cur.fetchall()]
