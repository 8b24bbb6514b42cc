"""Alert: email (or queue in the outbox) what went wrong in a run, naming each file and row."""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from supplyline.alerts import AlertReport, FileNote, RowNote, headline, send_run_alert
from supplyline.desk.report import report_path
from supplyline.run import NOT_PUBLISHED, Run, RunSummary
from supplyline.settings import Settings
from supplyline.stages.check import Checked
from supplyline.stages.load import Loaded
from supplyline.traced import UNTRACED, Traced

COUNTS = ("rows_in", "rows_loaded", "rows_quarantined", "rows_skipped")


@dataclass(frozen=True)
class Alerted:
    """What the alert said in one line (the CLI prints the same words) and what became of it."""

    headline: str
    delivery: str


def alert(
    run: Run, summary: RunSummary, loaded: Loaded, checked: Checked, settings: Settings
) -> Alerted:
    """Send the run's alert when it has something to say."""
    report = alert_report(run, summary, loaded, checked, settings)
    return Alerted(headline(report), send_run_alert(report, settings).summary())


def failure_alert(run: Run, summary: RunSummary, settings: Settings) -> Alerted:
    """The alert of a run that broke in a stage: where, why, and whether it was published."""
    report = AlertReport(
        run_id=run.run_id,
        run_date=run.started.date(),
        flow_name=run.kind,
        checks=(),
        failed_files=(),
        loaded={},
        not_loaded={} if summary.publishable else {"warehouse": NOT_PUBLISHED},
        quarantined_rows=0,
        warehouse_path=run.warehouse,
        data_docs_path=None,
        failure=summary.message,
    )
    return Alerted(headline(report), send_run_alert(report, settings).summary())


def alert_report(
    run: Run, summary: RunSummary, loaded: Loaded, checked: Checked, settings: Settings
) -> AlertReport:
    """The alert's data: the checks, and each file with a problem, its counts and its rows."""
    files = loaded.files
    rows = _held_rows(loaded.held)
    failed = files.filter(pl.col("status") == "failed")
    skipped = files.filter(
        (pl.col("status") == "skipped")
        | ((pl.col("status") == "loaded") & (pl.col("rows_skipped") > 0))
    )
    held = files.filter(
        (pl.col("status") == "loaded")
        & (pl.col("rows_quarantined") > 0)
        & ~pl.col("path").is_in(skipped["path"].implode())
    )
    documents = _documents_with_rows(files, rows)  # claims held back, located by character span
    not_loaded = (
        {}
        if summary.status == "completed"
        else {"warehouse": summary.message or "run failed; the published warehouse is unchanged"}
    )
    docs = settings.data_docs_dir / run.run_id
    page = report_path(settings.warehouse, run.run_id)  # written by the report stage, if it ran
    return AlertReport(
        run_id=run.run_id,
        run_date=run.started.date(),
        flow_name=run.kind,
        checks=checked.results,
        failed_files=_notes(failed, rows, "error"),
        loaded={k: v for k, v in loaded.rows.items() if v},
        not_loaded=not_loaded,
        quarantined_rows=loaded.quarantined,
        warehouse_path=run.warehouse,
        data_docs_path=str(docs) if docs.exists() else None,
        skipped_files=_notes(skipped, rows, "skip"),
        reconciliations=checked.verdicts,
        report_path=str(page) if summary.publishable and page.exists() else None,
        row_files=[*_notes(held, rows, "note"), *documents],
        check_files=_checked_rows(checked.traced, files),
    )


def _checked_rows(traced: tuple[Traced, ...], files: pl.DataFrame) -> list[FileNote]:
    """The example rows of failed or warned checks by file (rows not traced to a file last),
    each file with its counts when this run read it."""
    by_file: dict[str, list[RowNote]] = {}
    for t in traced:
        note = RowNote(t.locator, t.check, t.reason, t.column, t.value)
        by_file.setdefault(t.file, []).append(note)
    counts = {f["path"]: _counts(f) for f in files.iter_rows(named=True)}
    order = sorted(by_file, key=lambda path: path == UNTRACED)
    return [
        FileNote(path, "", tuple(by_file[path]), counts.get(path), len(by_file[path]))
        for path in order
    ]


def _notes(files: pl.DataFrame, rows: dict[str, list[RowNote]], why: str) -> list[FileNote]:
    """A note per ledger row: its reason (the error, or the note), counts and held-back rows."""
    notes = []
    for f in files.iter_rows(named=True):
        reason = f["error"] if why == "error" or f["status"] == "skipped" else f["note"]
        listed = rows.get(f["path"], [])
        counts = _counts(f)
        notes.append(FileNote(f["path"], reason or "", tuple(listed), counts, counts[2]))
    return notes


def _counts(f: dict) -> tuple[int, int, int, int]:
    """A ledger row's rows in, loaded, quarantined and skipped."""
    rows_in, loaded, quarantined, skipped = (int(f[c] or 0) for c in COUNTS)
    return rows_in, loaded, quarantined, skipped


def _documents_with_rows(files: pl.DataFrame, rows: dict[str, list[RowNote]]) -> list[FileNote]:
    """Reports that loaded while some of their claims were quarantined."""
    tables = set(files.filter(pl.col("kind") == "table")["path"].to_list())
    failed = set(files.filter(pl.col("status") != "loaded")["path"].to_list())
    return [
        FileNote(path, "", tuple(notes), None, len(notes))
        for path, notes in rows.items()
        if path not in tables and path not in failed and any(n.locator for n in notes)
    ]


def _held_rows(held: pl.DataFrame) -> dict[str, list[RowNote]]:
    """Quarantined rows that have a place in their file (row, sheet and row, character span),
    by file: the column and value they were held back for, and the rule."""
    by_file: dict[str, list[RowNote]] = {}
    for r in held.filter(pl.col("locator").is_not_null()).iter_rows(named=True):
        check = r["check_name"] or ""
        column, _, rule = check.partition(": ") if ": " in check else ("", "", check)
        reason = r["reason"] or ""
        if reason.startswith(check):  # "column: rule [value]" says nothing the columns do not
            reason = ""
        note = RowNote(r["locator"], rule, reason, column, _value(r["offending_values"]))
        by_file.setdefault(r["source_file"] or "(unknown file)", []).append(note)
    return by_file


def _value(stored: str | None) -> str:
    """The offending value as dq.quarantine keeps it (JSON text), shown as written."""
    if stored is None:
        return ""
    try:
        value = json.loads(stored)
    except ValueError:
        return stored
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
